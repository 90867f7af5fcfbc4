/** P1 as a mail to managers: an HTML table per dimension (zh-CN first), a plain-text fallback; the CSV is attached by the caller. */
import type { Breakdown, ComplaintAnalysis } from '../domain/reports';

const escape = (v: unknown) =>
  String(v ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(title: string, rows: Breakdown[]): string {
  return [
    `<h3>${escape(title)}</h3>`,
    '<table border="1" cellpadding="4" cellspacing="0"><tr><th>项 key</th><th>投诉 complaints</th><th>已解决 resolved</th><th>平均时长(h) mean</th><th>中位时长(h) median</th></tr>',
    ...rows.map((b) => `<tr><td>${escape(b.key)}</td><td>${b.complaints}</td><td>${b.resolved}</td><td>${escape(b.meanResolutionHours)}</td><td>${escape(b.medianResolutionHours)}</td></tr>`),
    '</table>',
  ].join('\n');
}

export function complaintReportMail(a: ComplaintAnalysis): { subject: string; text: string; html: string } {
  const subject = `【月度投诉分析报告】${a.propertyId} ${a.month} · ${a.total.complaints} 件`;
  const text = [
    `${a.propertyId} ${a.month} 月度投诉分析（P1）：投诉 ${a.total.complaints} 件，已解决 ${a.total.resolved} 件，无效 ${a.invalid} 件，月末未结 ${a.openAtMonthEnd} 件。`,
    `平均解决时长 ${a.total.meanResolutionHours ?? '—'} 小时，中位 ${a.total.medianResolutionHours ?? '—'} 小时。`,
    `重复问题 ${a.repeatIssues.length} 个，重复投诉住户 ${a.repeatHouseholds.length} 户。明细见附件 CSV。`,
    '',
    `Complaint analysis ${a.month}: ${a.total.complaints} complaints, ${a.total.resolved} resolved; details in the attached CSV.`,
  ].join('\n');
  const html = [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>',
    `<h2>${escape(a.propertyId)} ${escape(a.month)} 月度投诉分析报告</h2>`,
    `<p>投诉 ${a.total.complaints} 件 · 已解决 ${a.total.resolved} 件 · 无效 ${a.invalid} 件 · 月末未结 ${a.openAtMonthEnd} 件 · 平均解决 ${escape(a.total.meanResolutionHours)} 小时</p>`,
    table('按类别 By category', a.byCategory),
    table('按级别 By severity', a.bySeverity),
    table('按片区 By area', a.byArea),
    table('按渠道 By channel', a.byChannel),
    '<h3>重复问题 Repeat issues</h3>',
    a.repeatIssues.length
      ? `<ul>${a.repeatIssues.map((r) => `<li>${escape(r.issueKey)}：${r.complaints} 件，${r.households} 户（${r.caseIds.map(escape).join('、')}）</li>`).join('')}</ul>`
      : '<p>无 None</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
