/** P1 as a mail to managers, in the property's language: an HTML table per dimension, a plain-text fallback; the CSV is attached by the caller. */
import type { Breakdown, ComplaintAnalysis } from '../domain/reports';
import { CHANNEL_WORDS, COMPLAINT_CATEGORY_WORDS, COMPLAINT_SEVERITY_WORDS, DEFAULT_LOCALE, type Locale, type Words } from '../domain/words';

const escape = (v: unknown) =>
  String(v ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const UNCLASSIFIED: Words = { 'zh-CN': '未定级/未分类', en: 'not classified' };

const WORDS = {
  'zh-CN': {
    subject: (a: ComplaintAnalysis) => `【月度投诉分析报告】${a.propertyId} ${a.month} · ${a.total.complaints} 件`,
    summary: (a: ComplaintAnalysis) => [
      `${a.propertyId} ${a.month} 月度投诉分析（P1）：投诉 ${a.total.complaints} 件，已解决 ${a.total.resolved} 件，无效 ${a.invalid} 件，月末未结 ${a.openAtMonthEnd} 件。`,
      `平均解决时长 ${a.total.meanResolutionHours ?? '—'} 小时，中位 ${a.total.medianResolutionHours ?? '—'} 小时。`,
      `重复问题 ${a.repeatIssues.length} 个，重复投诉住户 ${a.repeatHouseholds.length} 户。明细见附件 CSV。`,
    ],
    title: (a: ComplaintAnalysis) => `${a.propertyId} ${a.month} 月度投诉分析报告`,
    line: (a: ComplaintAnalysis) =>
      `投诉 ${a.total.complaints} 件 · 已解决 ${a.total.resolved} 件 · 无效 ${a.invalid} 件 · 月末未结 ${a.openAtMonthEnd} 件 · 平均解决 ${a.total.meanResolutionHours ?? '—'} 小时`,
    columns: ['项目', '投诉', '已解决', '平均时长（小时）', '中位时长（小时）'],
    byCategory: '按类别',
    bySeverity: '按级别',
    byArea: '按片区',
    byChannel: '按渠道',
    repeatIssues: '重复问题',
    repeat: (r: ComplaintAnalysis['repeatIssues'][number]) => `${r.issueKey}：${r.complaints} 件，${r.households} 户（${r.caseIds.join('、')}）`,
    none: '无',
  },
  en: {
    subject: (a: ComplaintAnalysis) => `[Monthly complaint analysis] ${a.propertyId} ${a.month} · ${a.total.complaints}`,
    summary: (a: ComplaintAnalysis) => [
      `${a.propertyId} complaint analysis of ${a.month} (P1): ${a.total.complaints} complaints, ${a.total.resolved} resolved, ${a.invalid} invalid, ${a.openAtMonthEnd} open at the month's end.`,
      `Mean time to resolve ${a.total.meanResolutionHours ?? '—'} h, median ${a.total.medianResolutionHours ?? '—'} h.`,
      `${a.repeatIssues.length} repeat issue(s), ${a.repeatHouseholds.length} household(s) complaining more than once. Details in the attached CSV.`,
    ],
    title: (a: ComplaintAnalysis) => `${a.propertyId} complaint analysis, ${a.month}`,
    line: (a: ComplaintAnalysis) =>
      `${a.total.complaints} complaints · ${a.total.resolved} resolved · ${a.invalid} invalid · ${a.openAtMonthEnd} open at the month's end · mean ${a.total.meanResolutionHours ?? '—'} h to resolve`,
    columns: ['Item', 'Complaints', 'Resolved', 'Mean (h)', 'Median (h)'],
    byCategory: 'By category',
    bySeverity: 'By severity',
    byArea: 'By area',
    byChannel: 'By channel',
    repeatIssues: 'Repeat issues',
    repeat: (r: ComplaintAnalysis['repeatIssues'][number]) => `${r.issueKey}: ${r.complaints} complaints, ${r.households} households (${r.caseIds.join(', ')})`,
    none: 'None',
  },
} satisfies Record<Locale, unknown>;

/** A row's key in words: the codes of a dimension through their table, area ids as they are. */
function keyWords(table: Partial<Record<string, Words>> | undefined, key: string, locale: Locale): string {
  if (!table) return key;
  return (table[key] ?? UNCLASSIFIED)[locale];
}

function table(title: string, rows: Breakdown[], locale: Locale, words?: Partial<Record<string, Words>>): string {
  return [
    `<h3>${escape(title)}</h3>`,
    `<table border="1" cellpadding="4" cellspacing="0"><tr>${WORDS[locale].columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`,
    ...rows.map(
      (b) =>
        `<tr><td>${escape(keyWords(words, b.key, locale))}</td><td>${b.complaints}</td><td>${b.resolved}</td><td>${escape(b.meanResolutionHours)}</td><td>${escape(b.medianResolutionHours)}</td></tr>`,
    ),
    '</table>',
  ].join('\n');
}

export function complaintReportMail(a: ComplaintAnalysis, locale: Locale = DEFAULT_LOCALE): { subject: string; text: string; html: string } {
  const w = WORDS[locale];
  const html = [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"></head><body>`,
    `<h2>${escape(w.title(a))}</h2>`,
    `<p>${escape(w.line(a))}</p>`,
    table(w.byCategory, a.byCategory, locale, COMPLAINT_CATEGORY_WORDS),
    table(w.bySeverity, a.bySeverity, locale, COMPLAINT_SEVERITY_WORDS),
    table(w.byArea, a.byArea, locale),
    table(w.byChannel, a.byChannel, locale, CHANNEL_WORDS),
    `<h3>${escape(w.repeatIssues)}</h3>`,
    a.repeatIssues.length ? `<ul>${a.repeatIssues.map((r) => `<li>${escape(w.repeat(r))}</li>`).join('')}</ul>` : `<p>${escape(w.none)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: w.subject(a), text: w.summary(a).join('\n'), html };
}
