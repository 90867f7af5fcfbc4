/**
 * One language at a time (docs/messages.md): every mail of the catalogue and every API error kind,
 * rendered in zh-CN and in English, holds no text of the other language and no internal code inside
 * a sentence. Free text a person wrote is printed as written, so the samples mark it (⟦…⟧) and the
 * check reads past it; so are identifiers a reader uses as they are (case numbers, rooms, staff
 * numbers, rule IDs, links, dates).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import express from 'express';
import request from 'supertest';
import { complaintReportMail } from '../../activities/report-mail';
import { HttpProblem, notFoundRoute, problemBody, problemHandler, validationProblem } from '../../api/problem';
import { actionWords, PROBLEM_WORDS, rolesOnly } from '../../api/problem-words';
import { REFUSAL_WORDS, refusalProblem, refusalText, TIME_FIELD_WORDS, type RefusalCode, type RefusalFacts } from '../../api/refusal-words';
import { FOR_STAFF_INSTEAD, SYSTEM_ERROR_LABEL, TEMPLATES, render, type MailContent, type MailData, type TemplateName } from '../../activities/templates';
import { CLOSURE_GROUNDS, COMPLAINT_CATEGORIES, COMPLAINT_KINDS, COMPLAINT_SEVERITIES, DEPARTMENT_CODES, EXEMPTION_GROUNDS, type MajorReason } from '../../domain/complaint';
import { CASE_PAGE_STATUS_WORDS, CASE_PAGE_STEP_WORDS, CASE_PAGE_WORDS, LANGUAGE_NAMES, SURVEY_PAGE_WORDS } from '../../domain/page-words';
import { CHANNELS, ROLES } from '../../domain/people';
import { REPAIR_CLASSES, repairIntakeSchema } from '../../domain/repair';
import type { ComplaintAnalysis } from '../../domain/reports';
import { PATROL_DEPARTMENTS } from '../../domain/requests';
import { SURVEY_TOPICS, type SurveyTopic } from '../../domain/survey';
import { DEADLINE_WORDS, ESCALATION_REASON_WORDS, LOCALES, MAJOR_REASON_WORDS, type Locale } from '../../domain/words';
import { COMPLAINT_ACTIONS, REPAIR_ACTIONS, RETURN_VISIT_ACTIONS } from '../../workflows/messages';
import { PATROL_ACTIONS, REQUEST_ACTIONS, SPECIAL_SERVICE_ACTIONS } from '../../workflows/request-messages';

const FREE = (s: string) => `⟦${s}⟧`;
const AT = '2026-11-23T01:30:00.000Z';
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

/** Identifiers a reader uses as they are, in either language. */
const IDENTIFIERS = [
  /⟦[^⟧]*⟧/g, // free text as written
  /https?:\/\/\S+/g,
  /\S+@\S+\.\S+/g,
  /\b(?:RV-)?[RCIKOPS]\d{8}-\d{4}\b/g, // case numbers
  /\bS-[A-Z]{2}\d+\b/g, // staff numbers
  /\b\d+-\d+-\d+\b/g, // rooms
  /\b(?:[RCIVSOP]\d{1,2})(?:\/[RCIVSOP]?\d{1,2})*\b/g, // rule IDs: R2, C4/C8, S4/S5
  /\b\d{4}-H[12]\b/g,
  /\b\d{4}-\d{2}(?:-\d{2})?\b/g,
  /\bP\d{3}\b|\bA\d\b|\bSC-[\w-]+\b|\bSR-[\w-]+\b/g, // property, area, campaign and run ids
  /\/(?:api|calendar|properties)[\w/{}.-]*/g, // API paths in the calendar mail
  /\b(?:PUT|GET|JSON|iCalendar|CSV|App)\b/g,
];

/** The codes the system keeps, which must never stand for words in a sentence. */
const CODES = new Set<string>([
  ...Object.keys(REPAIR_ACTIONS),
  ...Object.keys(COMPLAINT_ACTIONS),
  ...Object.keys(RETURN_VISIT_ACTIONS),
  ...CHANNELS,
  ...ROLES,
  ...REPAIR_CLASSES,
  ...COMPLAINT_SEVERITIES,
  ...COMPLAINT_KINDS,
  ...COMPLAINT_CATEGORIES,
  ...DEPARTMENT_CODES,
  ...PATROL_DEPARTMENTS,
  ...CLOSURE_GROUNDS,
  ...EXEMPTION_GROUNDS,
  ...Object.keys(MAJOR_REASON_WORDS),
  ...Object.keys(DEADLINE_WORDS).map((k) => k.split(':').pop()!),
]);

function stripIdentifiers(text: string): string {
  return IDENTIFIERS.reduce((t, pattern) => t.replace(pattern, ' '), text)
    .split('\n')
    .filter((line) => !line.startsWith(SYSTEM_ERROR_LABEL['zh-CN']) && !line.startsWith(SYSTEM_ERROR_LABEL.en))
    .join('\n');
}

/** What is wrong with a text meant for `locale`: each untranslated word, code or character found. */
export function untranslated(text: string, locale: Locale): string[] {
  const rest = stripIdentifiers(text);
  if (locale === 'zh-CN') return [...new Set(rest.match(/[A-Za-z][A-Za-z_-]*[A-Za-z]/g) ?? [])].map((w) => (CODES.has(w) ? `code ${w}` : `English ${w}`));
  const found = [...new Set(rest.match(new RegExp(`${CJK.source}+`, 'g')) ?? [])].map((c) => `Chinese ${c}`);
  // An English sentence may use a plain word that is also a code (“visit”, “other”): only camelCase or kebab codes are flagged.
  const codes = [...new Set(rest.match(/\b[a-z]+(?:[A-Z][a-z]+|-[a-z]+)+\b/g) ?? [])].filter((w) => CODES.has(w)).map((w) => `code ${w}`);
  return [...found, ...codes];
}

const base = {
  caseId: 'R20261123-0007',
  room: '1-1-301',
  classification: 'urgent',
  description: FREE('厨房水管漏水'),
  contactPhone: '13800138000',
  dueAt: AT,
  link: 'http://localhost:8233/namespaces/default/workflows/repair-R20261123-0007',
  promisedAt: AT,
  appointmentAt: AT,
  measures: FREE('关闭总阀'),
  channel: 'wechat',
  relatedCaseId: 'C20261123-0002',
  note: FREE('敲门无人应答'),
  reason: FREE('不在保修范围'),
  by: 'S-EN1',
};
const line = (over: object = {}) => ({ caseId: 'R20261123-0001', room: '1-1-301', areaId: 'A1', status: 'on_site', receivedAt: AT, assigneeId: 'S-EN1', reasonToday: false, ...over });
const survey = (topic: SurveyTopic) => ({ room: '1-1-301', topic, month: '2026-10', surveyUrl: 'http://localhost:3000/s/abc', closesAt: AT });

/** Every template with the data variants that change its words. */
const SAMPLES: { [T in TemplateName]: Parameters<(typeof TEMPLATES)[T]>[0][] } = {
  dispatch: REPAIR_CLASSES.map((classification) => ({ ...base, classification, orderUrl: 'http://localhost:3000/console/orders/R20261123-0007' })),
  passwordLink: (['created', 'reset'] as const).map((purpose) => ({ name: FREE('王芳'), staffId: 'S-FD1', url: 'http://localhost:3000/console/set-password#t', expiresAt: AT, purpose })),
  caseProgress: ['dispatched', 'accept', 'arrive', 'reschedule', 'recordMeasures', 'complete', 'signOff', 'closed', 'somethingElse'].map((step) => ({ caseId: base.caseId, room: base.room, step, progressUrl: 'http://localhost:3000/c/x' })),
  dispatchCopy: [base, { ...base, room: undefined }],
  slaWarning: Object.keys(DEADLINE_WORDS).map((key) => {
    const [rule, name] = key.includes(':') ? key.split(':') : ['R2', key];
    return { ...base, deadline: name, rule };
  }),
  escalation: [
    ...Object.keys(ESCALATION_REASON_WORDS).map((key) => {
      const parts = key.split(':');
      const [rule, name] = parts.length > 1 && /^[A-Z]\d/.test(parts[0]) ? parts : ['R3', parts[0]];
      return { ...base, deadline: name, rule, params: { staffId: 'S-EN1', minutes: 30, parentCaseId: 'R20261120-0003', revision: key.endsWith(':again') ? 2 : 1 } };
    }),
    { ...base, deadline: 'somethingNew', rule: 'R99' },
  ],
  newPromise: [base],
  newPromiseNotice: [base],
  customerNotHome: [base],
  appointmentReminder: [base],
  appointmentNotice: [base],
  invalidRequest: CHANNELS.map((channel) => ({ ...base, channel })),
  majorComplaint: (Object.keys(MAJOR_REASON_WORDS) as MajorReason[]).map((majorReason) => ({ ...base, majorReason, rule: 'C4' })),
  complaintReceived: [...COMPLAINT_KINDS.map((kind) => ({ ...base, kind })), ...COMPLAINT_SEVERITIES.map((severity) => ({ ...base, severity, kind: 'customer' }))],
  complaintRouted: [...DEPARTMENT_CODES.map((note) => ({ ...base, note, severity: 'important' })), ...COMPLAINT_CATEGORIES.map((kind) => ({ ...base, kind, note: '工程部', severity: 'general' }))],
  groupTransfer: COMPLAINT_CATEGORIES.map((kind) => ({ ...base, kind, majorReason: 'same-issue' as const, rule: 'C4' })),
  confidentialResult: [...CLOSURE_GROUNDS, ...EXEMPTION_GROUNDS, 'archived', 'closed'].flatMap((note) => (['employee', 'report'] as const).map((kind) => ({ ...base, kind, note }))),
  invalidComplaint: CHANNELS.map((channel) => ({ ...base, channel })),
  complaintReply: [base],
  complaintVisitNotice: [base],
  complaintWarning: [base],
  nonConformity: [base],
  suggestionForwarded: [base],
  rectificationNotice: PATROL_DEPARTMENTS.map((kind) => ({ ...base, kind })),
  openRequests: [
    { slot: 'morning', date: '2026-11-23', timeZone: 'Asia/Shanghai', forButler: 'S-BT1', lists: [{ butlerId: 'S-BT1', requests: [line(), line({ reasonToday: true, reason: FREE('等待配件'), reasonAt: AT })] }] },
    { slot: 'afternoon', date: '2026-11-23', timeZone: 'Asia/Shanghai', requestedBy: 'S-BT2', lists: [{ butlerId: 'S-BT1', requests: [line({ status: 'dispatched', reason: FREE('业主出差'), reasonAt: AT })] }, { requests: [] }, { requests: [line({ room: undefined })] }] },
  ],
  openRequestsSummary: [{ slot: 'afternoon', date: '2026-11-23', timeZone: 'Asia/Shanghai', butlers: [{ butlerId: 'S-BT1', open: 2, withoutReason: 1 }], withoutReason: [line(), line({ room: undefined, status: 'awaiting_reschedule' })] }],
  calendarMissing: [{ propertyId: 'P001', year: 2027, apiBase: 'http://localhost:3000/api/v1' }],
  caseFailed: [{ ...base, reason: 'InvalidData: no household 42 in property P001' }],
  surveyInvitation: (Object.keys(SURVEY_TOPICS) as SurveyTopic[]).map(survey),
  surveyReminder: (Object.keys(SURVEY_TOPICS) as SurveyTopic[]).map(survey),
  surveyCampaignAlert: [
    { campaignId: 'SC-P001-2026-H2', halfYear: '2026-H2', kind: 'distribution-late', quota: 42, distributed: 30, collected: 10, dueAt: AT },
    { campaignId: 'SC-P001-2026-H2', halfYear: '2026-H2', kind: 'recovery-behind', quota: 42, distributed: 42, collected: 20, dueAt: AT, recoveryPercent: 48, targetPercent: 90 },
  ],
  surveyShortfall: [{ runId: 'SR-P001-2026-10', month: '2026-10', topic: 'cleaning', closedAt: AT, areas: [{ areaId: 'A1', occupied: 104, minimum: 11, answered: 3, missing: 8 }] }],
};

const rendered = (template: TemplateName, data: MailData, locale: Locale): MailContent => render(template, data, locale);

describe('the mail catalogue, one language at a time', () => {
  it('has samples for every template', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(TEMPLATES).sort());
  });

  for (const template of Object.keys(SAMPLES) as TemplateName[]) {
    for (const locale of LOCALES) {
      it(`${template} in ${locale} holds no untranslated word or code`, () => {
        for (const data of SAMPLES[template] as MailData[]) {
          const mail = rendered(template, data, locale);
          expect({ data, subject: untranslated(mail.subject, locale), text: untranslated(mail.text, locale) }).toEqual({ data, subject: [], text: [] });
          expect(mail.subject.trim()).not.toBe('');
        }
      });
    }
  }

  it('the check itself finds a code or an English sentence in Chinese, and Chinese in English', () => {
    expect(untranslated('未在时限内完成：accept（R2）', 'zh-CN')).toEqual(['code accept']);
    expect(untranslated('说明：work order not accepted by S-EN1 within 1.5 min', 'zh-CN')).toEqual(expect.arrayContaining(['English work', 'English accepted']));
    expect(untranslated('请通过原渠道（phone）回复客户', 'zh-CN')).toEqual(['code phone']);
    expect(untranslated('Please answer through 电话', 'en')).toEqual(['Chinese 电话']);
    expect(untranslated('Please follow customerNotHome', 'en')).toEqual(['code customerNotHome']);
  });

  it('R2: an escalation names the deadline and its reason in words, the engineer by staff number', () => {
    const data = { ...base, deadline: 'accept', rule: 'R2', params: { staffId: 'S-EN1', minutes: 1.5 } };
    expect(rendered('escalation', data, 'zh-CN').text).toContain('未在时限内完成：接单（R2）');
    expect(rendered('escalation', data, 'zh-CN').text).toContain('说明：维修人员 S-EN1 未在 1.5 分钟内接单，已重新派工');
    expect(rendered('escalation', data, 'en').text).toContain('work order not accepted by S-EN1 within 1.5 min; re-dispatched');
  });

  it('R1: an invalid repair goes back through the channel it came by, named in words', () => {
    expect(rendered('invalidRequest', { ...base, channel: 'phone' }, 'zh-CN').text).toContain('请通过原渠道（电话）回复客户');
  });

  it('R5: the appointment reminder is written to the customer; the butler gets a staff notice without the customer’s wording', () => {
    expect(FOR_STAFF_INSTEAD.appointmentReminder).toBe('appointmentNotice');
    expect(rendered('appointmentReminder', base, 'zh-CN').text).toContain('请安排家中有人');
    const notice = rendered('appointmentNotice', base, 'zh-CN');
    expect(notice.text).not.toContain('请安排家中有人');
    expect(notice.text).toContain('已提醒客户');
    for (const template of Object.keys(FOR_STAFF_INSTEAD) as TemplateName[]) {
      const instead = FOR_STAFF_INSTEAD[template];
      if (instead) expect(rendered(instead, base, 'zh-CN').subject).not.toBe(rendered(template, base, 'zh-CN').subject);
    }
  });

  it('S1: a survey run started late names its month, not 本月', () => {
    const invitation = rendered('surveyInvitation', survey('cleaning'), 'zh-CN');
    expect(invitation.text).toContain('2026年10月');
    expect(invitation.text).not.toContain('本月');
    expect(rendered('surveyReminder', survey('cleaning'), 'zh-CN').text).not.toContain('本月');
    expect(rendered('surveyInvitation', survey('cleaning'), 'en').text).toContain('October 2026');
  });

  it('C4: a major complaint gives its reason in words', () => {
    const mail = rendered('majorComplaint', { ...base, majorReason: 'same-issue', rule: 'C4' }, 'zh-CN');
    expect(mail.text).toContain('原因：一个月内 3 位以上不同客户投诉同一问题（C4）');
  });

  it('every deadline a workflow runs has its words', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : []));
    const names = new Set(sources(join(__dirname, '../../workflows')).flatMap((src) => [...src.matchAll(/name: '([a-zA-Z]+)', rule:/g)].map((m) => m[1])));
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !DEADLINE_WORDS[n] && !Object.keys(DEADLINE_WORDS).some((k) => k.endsWith(`:${n}`)))).toEqual([]);
  });

  it('P1: the monthly complaint report is written in one language, its categories and channels in words', () => {
    const row = (key: string) => ({ key, complaints: 2, resolved: 1, meanResolutionHours: 6, medianResolutionHours: 6 });
    const analysis: ComplaintAnalysis = {
      report: 'P1',
      propertyId: 'P001',
      month: '2026-10',
      timeZone: 'Asia/Shanghai',
      total: row('all'),
      invalid: 1,
      openAtMonthEnd: 1,
      byCategory: [...COMPLAINT_CATEGORIES, 'unclassified'].map(row),
      bySeverity: [...COMPLAINT_SEVERITIES, 'unclassified'].map(row),
      byArea: [row('A1')],
      byChannel: CHANNELS.map(row),
      repeatIssues: [{ issueKey: FREE('lift-3'), complaints: 3, households: 3, caseIds: ['C20261001-0001'] }],
      repeatHouseholds: [],
    };
    for (const locale of LOCALES) {
      const mail = complaintReportMail(analysis, locale);
      const html = mail.html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'");
      expect({ subject: untranslated(mail.subject, locale), text: untranslated(mail.text, locale), html: untranslated(html, locale) }).toEqual({ subject: [], text: [], html: [] });
    }
    expect(complaintReportMail(analysis, 'zh-CN').html).toContain('<td>环境</td><td>2</td>');
  });
});

const API_IDENTIFIERS = [/\b(?:UTF-8|UTF-16|U\+0000|XLSX|CSV|JSON|iCalendar|URL)\b/g, /\b[a-z]+\/[a-z0-9.+-]+\b/g, /"[^"]*"/g, /\b(?:GET|POST|PUT|PATCH|DELETE)\b/g];
/** What is wrong with an API answer's text: as {@link untranslated}, reading past media types, encodings and methods. */
const check = (text: string, locale: Locale) => untranslated(API_IDENTIFIERS.reduce((t, p) => t.replace(p, ' '), text), locale);

describe('API errors, one language at a time', () => {
  const textsOf = (body: Record<string, unknown>) => [
    String(body.title),
    String(body.detail ?? ''),
    ...((body['invalid-params'] as { reason: string }[] | undefined) ?? []).map((p) => p.reason),
  ];
  const apiSources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? apiSources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : []));

  it('every kind of problem the API throws is in the catalogue', () => {
    const thrown = new Set(apiSources(join(__dirname, '../../api')).flatMap((src) => [...src.matchAll(/HttpProblem\(\s*[\w.]+,\s*'([^']+)'/g)].map((m) => m[1])));
    expect(thrown.size).toBeGreaterThan(30);
    expect([...thrown].filter((title) => !PROBLEM_WORDS[title])).toEqual([]);
  });

  for (const locale of LOCALES) {
    it(`every kind of problem reads in ${locale} alone`, () => {
      for (const [title, words] of Object.entries(PROBLEM_WORDS)) {
        const body = problemBody(new HttpProblem(400, title, 'an English detail written at the throw', { 'invalid-params': [{ name: 'room', in: 'body', reason: 'no such room in this property' }] }), locale);
        expect({ title, found: textsOf(body).flatMap((t) => check(t, locale)) }).toEqual({ title, found: [] });
        expect(body.title).toBe(words.title[locale]);
      }
    });
  }

  it('a validation problem lists each field with its reason in the asker’s language', () => {
    const parsed = repairIntakeSchema().safeParse({ room: 42, contactName: '', channel: 'pigeon', classification: 'urgent', description: 'x'.repeat(5000), tags: ['water', 'lava'] }, { reportInput: true });
    expect(parsed.success).toBe(false);
    const problem = validationProblem('body', parsed.error!);
    const zh = problemBody(problem, 'zh-CN');
    const en = problemBody(problem, 'en');
    expect(zh.title).toBe('请求无效');
    expect(zh.detail).toMatch(/^请求体中有 \d+ 个无效字段。$/);
    expect(textsOf(zh).flatMap((t) => check(t, 'zh-CN'))).toEqual([]);
    expect((zh['invalid-params'] as { name: string }[]).map((p) => p.name)).toEqual((en['invalid-params'] as { name: string }[]).map((p) => p.name));
    expect(en.detail).toMatch(/invalid field\(s\) in the body/);
    expect(textsOf(en).flatMap((t) => check(t, 'en'))).toEqual([]);
  });

  it('a refused action names the action and what the case takes now in words, for every action of every table', () => {
    const tables = { ...REPAIR_ACTIONS, ...COMPLAINT_ACTIONS, ...RETURN_VISIT_ACTIONS, ...REQUEST_ACTIONS, ...SPECIAL_SERVICE_ACTIONS, ...PATROL_ACTIONS };
    const names = Object.keys(tables);
    expect(names.filter((a) => actionWords(a, 'zh-CN') === '该操作')).toEqual([]);
    const notNow = (action: string, allowed: string[]) => refusalText({ refusal: 'not-allowed-now', action, allowed }, 'zh-CN')!;
    expect(notNow('signOff', ['accept', 'customerNotHome'])).toBe('案件现在不能「验收签字」；现在可以：「接单」、「客户不在家」。');
    for (const action of names) expect({ action, found: check(notNow(action, names), 'zh-CN') }).toEqual({ action, found: [] });
    expect(check(rolesOnly(['engineer', 'butler'], { 'zh-CN': '此操作', en: 'accept' })['zh-CN'], 'zh-CN')).toEqual([]);
    const later = refusalText({ refusal: 'call-again-later', rule: 'V2', from: AT, timeZone: 'Asia/Shanghai' }, 'zh-CN')!;
    expect(later).toContain('2026/11/23 09:30:00');
    expect(check(later, 'zh-CN')).toEqual([]);
  });

  describe('the language of an answer', () => {
    const app = express();
    app.get('/boom', () => {
      throw new HttpProblem(409, 'Action not allowed', { 'zh-CN': '案件现在不能「接单」；现在可以：无。', en: 'accept is not allowed now; allowed now: nothing' });
    });
    app.use(notFoundRoute);
    app.use(problemHandler);

    it('is zh-CN when the request names no language, or one we do not write', async () => {
      for (const header of [undefined, 'fr', 'zh', 'zh-CN,zh;q=0.9,en;q=0.8']) {
        const req = request(app).get('/boom');
        const res = await (header ? req.set('Accept-Language', header) : req).expect(409);
        expect({ header, title: res.body.title, language: res.headers['content-language'] }).toEqual({ header, title: '当前不能执行此操作', language: 'zh-CN' });
        expect(res.body.detail).toBe('案件现在不能「接单」；现在可以：无。');
        expect(res.body.type).toBe('https://wuye.example/problems/action-not-allowed');
      }
    });

    it('is English when the request asks for it', async () => {
      for (const header of ['en', 'en-US,en;q=0.9', 'en;q=1, zh-CN;q=0.5']) {
        const res = await request(app).get('/boom').set('Accept-Language', header).expect(409);
        expect({ header, title: res.body.title, detail: res.body.detail }).toEqual({ header, title: 'Action not allowed', detail: 'accept is not allowed now; allowed now: nothing' });
      }
      const missing = await request(app).get('/nowhere').set('Accept-Language', 'en').expect(404);
      expect(missing.body.detail).toBe('no route for GET /nowhere');
      const missingZh = await request(app).get('/nowhere').expect(404);
      expect(missingZh.body).toMatchObject({ title: '未找到', detail: '没有这个地址：GET /nowhere' });
    });
  });
});

describe('workflow refusals, one language at a time', () => {
  /** Every `ApplicationFailure.create(…)` call in workflows/, read from the sources. */
  const failureSites = (dir: string): { file: string; call: string }[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return failureSites(path);
      if (!e.name.endsWith('.ts')) return [];
      const src = readFileSync(path, 'utf8');
      const sites: { file: string; call: string }[] = [];
      for (let at = src.indexOf('ApplicationFailure.create('); at >= 0; at = src.indexOf('ApplicationFailure.create(', at + 1)) {
        let end = src.indexOf('(', at);
        for (let depth = 0; ; end++) {
          if (src[end] === '(') depth++;
          if (src[end] === ')' && --depth === 0) break;
        }
        sites.push({ file: path.slice(path.indexOf('workflows')), call: src.slice(at, end + 1) });
      }
      return sites;
    });
  const sites = failureSites(join(__dirname, '../../workflows'));
  /** Facts a refusal's words name that the API derives from others it carries. */
  const DERIVED: Record<string, string> = { count: 'issues' };

  it('every refusal a workflow throws carries a code the catalogue knows, with each fact its words name', () => {
    expect(sites.length).toBeGreaterThanOrEqual(27);
    const wrong = sites.flatMap(({ file, call }) => {
      const code = /refusal: '([a-z-]+)'/.exec(call)?.[1];
      if (!code) return [`${file}: no refusal code in ${call.slice(0, 120)}`];
      if (!Object.hasOwn(REFUSAL_WORDS, code)) return [`${file}: ${code} is not in the catalogue`];
      const details = call.slice(call.indexOf('details:'));
      const named = [...new Set(Object.values(REFUSAL_WORDS[code as RefusalCode]).flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => DERIVED[m[1]] ?? m[1])))];
      return named.filter((fact) => !new RegExp(`[{,\\s]${fact}\\s*[:,}]`).test(details)).map((fact) => `${file}: ${code} names {${fact}}, which the failure does not carry`);
    });
    expect(wrong).toEqual([]);
  });

  it('every time field a refusal names has its words', () => {
    const fields = new Set(sites.flatMap(({ call }) => [...call.matchAll(/field: '(\w+)'/g)].map((m) => m[1])));
    for (const src of readdirSync(join(__dirname, '../../workflows/repair')).map((f) => readFileSync(join(__dirname, '../../workflows/repair', f), 'utf8'))) {
      for (const m of src.matchAll(/inTheFuture\('(\w+)'/g)) fields.add(m[1]);
    }
    expect(fields.size).toBeGreaterThanOrEqual(5);
    expect([...fields].filter((f) => !TIME_FIELD_WORDS[f])).toEqual([]);
  });

  const tz = { timeZone: 'Asia/Shanghai' };
  const issues = REPAIR_ACTIONS.recordMeasures.payload().safeParse({ promisedAt: 'tomorrow', measures: 42 }).error!.issues;
  /** Each refusal with the facts that change its words. */
  const SAMPLES: Record<RefusalCode, RefusalFacts[]> = {
    'not-allowed-now': [{ action: 'signOff', allowed: ['accept', 'customerNotHome'] }, { action: 'accept', allowed: [] }],
    'role-not-allowed': [{ action: 'accept', roles: ['engineer'] }, { action: 'classify', roles: ['supervisor', 'manager'] }],
    'not-assignee': [{ action: 'arrive', assigneeId: 'S-EN1', staffId: 'S-EN2' }],
    'invalid-payload': [{ issues }],
    'time-not-in-future': Object.keys(TIME_FIELD_WORDS).map((field) => ({ field, at: AT, ...tz })),
    'urgent-needs-measures': [{ rule: 'R3' }],
    'call-again-later': [{ rule: 'V2', from: AT, ...tz }],
    'not-complaint-handler': [{ roles: ['hr', 'audit'] }],
    'approver-only': [{ action: 'archive', roles: ['manager'], rule: 'C6/C7' }],
    'analysis-required': [{ rule: 'C8' }],
    'major-stays-major': [{ rule: 'C4/C8' }],
    'not-anonymous': [{ rule: 'C7' }],
    'closure-not-yet': [...CLOSURE_GROUNDS, ...EXEMPTION_GROUNDS].map((ground) => ({ ground, from: AT, rule: 'C9', ...tz })),
    'already-answered': [{}],
    'survey-closed': [{ closesAt: AT }],
    'link-for-residents-only': [{ rule: 'S2' }],
    'campaign-closed': [{}],
    'totals-only-grow': [{ distributed: 42, collected: 10 }],
    'more-collected-than-distributed': [{ distributed: 10, collected: 12 }],
    'distribution-over': [{}],
    'unknown-slot': [{ slot: 'evening' }],
  };

  for (const locale of LOCALES) {
    it(`every refusal reads in ${locale} alone, each fact in words`, () => {
      for (const [refusal, samples] of Object.entries(SAMPLES)) {
        for (const facts of samples) {
          const text = refusalText({ refusal, ...facts }, locale)!;
          expect({ refusal, facts, found: check(text, locale) }).toEqual({ refusal, facts, found: [] });
          // An unfilled fact would show as “—” or stay a placeholder.
          expect({ refusal, text }).toEqual({ refusal, text: expect.not.stringMatching(/—|\{\w+\}/) });
        }
      }
    });
  }

  it('a Chinese reader gets the refusal’s own sentence, an English one the workflow’s; a failure without a code gets its kind’s words', () => {
    const failure = (type: string, message: string, facts?: RefusalFacts) => ApplicationFailure.create({ type, message, details: facts ? [facts] : undefined });
    const measures = failure('InvalidPayload', 'measures: an urgent repair records the emergency measures taken (R3)', { refusal: 'urgent-needs-measures', rule: 'R3' });
    expect(problemBody(refusalProblem(400, 'Invalid request', measures), 'zh-CN').detail).toBe('急修须填写已采取的紧急处理措施（R3）。');
    expect(problemBody(refusalProblem(400, 'Invalid request', measures), 'en').detail).toBe('measures: an urgent repair records the emergency measures taken (R3)');
    const late = failure('ImpossibleTime', `appointmentAt ${AT} is not in the future`, { refusal: 'time-not-in-future', field: 'appointmentAt', at: AT, ...tz });
    expect(problemBody(refusalProblem(422, 'Impossible time', late), 'zh-CN').detail).toBe('预约上门时间（2026/11/23 09:30:00）不在将来，请填写一个将来的时间。');
    const uncoded = problemBody(refusalProblem(409, 'Action not allowed', failure('ActionNotAllowed', 'something new')), 'zh-CN');
    expect(uncoded.detail).toBe(PROBLEM_WORDS['Action not allowed'].detail);
  });

  it('a payload the workflow’s validator refuses lists each field with its reason in the asker’s language', () => {
    const refused = refusalProblem(400, 'Invalid request', ApplicationFailure.create({ type: 'InvalidPayload', message: 'promisedAt: bad', details: [{ refusal: 'invalid-payload', issues }] }));
    const zh = problemBody(refused, 'zh-CN');
    expect(zh.detail).toBe(`请求体中有 ${issues.length} 个无效字段。`);
    const params = zh['invalid-params'] as { name: string; reason: string }[];
    expect(params.map((p) => p.name)).toEqual(issues.map((i) => i.path.join('.')));
    expect(params.flatMap((p) => check(p.reason, 'zh-CN'))).toEqual([]);
    expect(problemBody(refused, 'en').detail).toBe('promisedAt: bad');
  });
});

describe('the residents’ pages, one language at a time', () => {
  /** The data each of the pages' sentences is rendered with; a new one needs its sample here. */
  const ARGS: Record<string, (locale: Locale) => unknown[][]> = {
    intro: (locale) => (Object.keys(SURVEY_TOPICS) as SurveyTopic[]).map((t) => [SURVEY_TOPICS[t][locale === 'en' ? 'en' : 'zh'], '1-1-301', '2026-10']),
    scoreLegend: (locale) => (Object.keys(SURVEY_TOPICS) as SurveyTopic[]).map((t) => [SURVEY_TOPICS[t][locale === 'en' ? 'en' : 'zh']]),
    closes: () => [['2026/11/23 09:30:00']],
    title: () => [['R20261123-0007']],
    answered: () => [[true], [false]],
  };
  const textsOf = (words: Record<string, unknown>, locale: Locale): [string, string][] =>
    Object.entries(words).flatMap(([key, value]): [string, string][] => {
      if (typeof value === 'string') return [[key, value]];
      if (Array.isArray(value)) return value.map((v: string) => [key, v]);
      const args = ARGS[key]?.(locale);
      if (!args) throw new Error(`no sample arguments for ${key}`);
      return args.map((a) => [key, (value as (...x: unknown[]) => string)(...a)]);
    });

  for (const locale of LOCALES) {
    it(`the survey page and the case page read in ${locale} alone`, () => {
      const texts = [
        ...textsOf(SURVEY_PAGE_WORDS[locale] as unknown as Record<string, unknown>, locale).map(([k, t]) => [`survey ${k}`, t]),
        ...textsOf(CASE_PAGE_WORDS[locale] as unknown as Record<string, unknown>, locale).map(([k, t]) => [`case ${k}`, t]),
        ...Object.entries(CASE_PAGE_STATUS_WORDS).map(([k, words]) => [`status ${k}`, words[locale]]),
        ...Object.entries(CASE_PAGE_STEP_WORDS).map(([k, words]) => [`step ${k}`, words[locale]]),
        ['language name', LANGUAGE_NAMES[locale]],
      ];
      expect(texts.length).toBeGreaterThan(80);
      const wrong = texts.flatMap(([key, text]) => [...untranslated(text, locale).map((found) => `${key}: ${found}`), ...(text.trim() ? [] : [`${key}: empty`])]);
      expect(wrong).toEqual([]);
    });
  }

  it('the survey page and the case page say the same things in both languages', () => {
    for (const words of [SURVEY_PAGE_WORDS, CASE_PAGE_WORDS]) expect(Object.keys(words.en).sort()).toEqual(Object.keys(words['zh-CN']).sort());
    expect(SURVEY_PAGE_WORDS.en.scores).toHaveLength(SURVEY_PAGE_WORDS['zh-CN'].scores.length);
  });
});
