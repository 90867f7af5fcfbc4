/**
 * The words of every refusal a workflow answers a staff action, an answer or a start with
 * (docs/messages.md). A workflow throws `ApplicationFailure.create({ type, message, details })` and
 * puts a refusal code with its facts in `details[0]`: the `type` chooses the problem kind, the
 * English `message` stays the sentence of record (it is what histories and logs hold), and the
 * code's words here say the refusal to a Chinese reader from the facts — an action, a role, a
 * field or a closure ground through its words, a time in the property's time zone.
 */
import type { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { DEFAULT_TIME_ZONE, displayTime } from '../domain/calendar';
import type { Role } from '../domain/people';
import { CLOSURE_WORDS, fill, ROLE_WORDS, wordFor, type Locale, type Words } from '../domain/words';
import { HttpProblem, validationProblem } from './problem';
import { actionWords } from './problem-words';

const w = (zh: string, en: string): Words => ({ 'zh-CN': zh, en });

/** Each refusal by its code; `{…}` are its facts, said in the reader's language by {@link refusalText}. */
export const REFUSAL_WORDS = {
  'not-allowed-now': w('案件现在不能{action}；现在可以：{allowed}。', '{action} is not allowed now; allowed now: {allowed}'),
  'role-not-allowed': w('{action}仅限{roles}。', '{action} is for {roles}'),
  'not-assignee': w('这张工单由维修人员 {assigneeId} 持有，{staffId} 不能{action}：现场的操作只由持单人做。', 'the work order is held by {assigneeId}, not {staffId}: only its holder can {action}'),
  'invalid-payload': w('请求体中有 {count} 个无效字段。', '{count} invalid field(s) in the body'),
  'time-not-in-future': w('{field}（{at}）不在将来，请填写一个将来的时间。', '{field} ({at}) is not in the future'),
  'urgent-needs-measures': w('急修须填写已采取的紧急处理措施（{rule}）。', 'an urgent repair records the emergency measures taken ({rule})'),
  'call-again-later': w('上次回访电话无人接听，请换一个时段再打：{from} 之后（{rule}）。', 'the last call went unanswered; call again at a different time of day, from {from} ({rule})'),
  'not-complaint-handler': w('此投诉只由{roles}处理。', 'this complaint is handled by {roles}'),
  'approver-only': w('{action}仅限{roles}（{rule}）。', '{action} is for the {roles} ({rule})'),
  'analysis-required': w('客户对处理不满意：商定改进措施之前，请先分析客户不满意的原因（{rule}）。', 'analyse why the customer was not satisfied before agreeing the improvement ({rule})'),
  'major-stays-major': w('重大投诉不能降为一般或重要投诉（{rule}）。', 'a major complaint stays major ({rule})'),
  'not-anonymous': w('投诉人留有联系方式，不属于匿名投诉（{rule}）。', 'the complainant left a contact: the complaint is not anonymous ({rule})'),
  'closure-not-yet': w('以「{ground}」为由结案，要到 {from} 之后才可以（{rule}）。', 'closing as {ground} is possible from {from} ({rule})'),
  'already-answered': w('这份调查已经收到答复，不再接受第二份。', 'the survey was already answered'),
  'survey-closed': w('这份调查已于 {closesAt} 结束，不再接受答复。', 'the survey closed at {closesAt}'),
  'link-for-residents-only': w('只有住户本人通过链接作答；员工代为记录时，请注明是怎样询问的（{rule}）。', 'only the resident answers through the link; staff record how they asked ({rule})'),
  'campaign-closed': w('本期问卷调查已经结束，不再登记数量。', 'the questionnaire campaign is closed'),
  'totals-only-grow': w('发放和回收数量只增不减：请报至今的累计数（已登记发放 {distributed} 份、回收 {collected} 份）。', 'totals only grow: report the running totals so far ({distributed} distributed and {collected} collected recorded)'),
  'more-collected-than-distributed': w('回收数量（{collected} 份）不能多于发放数量（{distributed} 份）。', 'more collected ({collected}) than distributed ({distributed})'),
  'distribution-over': w('发放阶段已经结束，请只报回收数量。', 'distribution is over; report what was collected'),
  'unknown-slot': w('没有这个对账时段：每天只在上午和下午各对账一次。', 'no such reconciliation slot: there is one in the morning and one in the afternoon'),
} satisfies Record<string, Words>;

export type RefusalCode = keyof typeof REFUSAL_WORDS;

/** The time fields a refusal names, in words. */
export const TIME_FIELD_WORDS: Record<string, Words> = {
  appointmentAt: w('预约上门时间', 'the appointment'),
  promisedAt: w('新的承诺完成时间', 'the promised time'),
  replyBy: w('承诺答复时间', 'the reply-by time'),
  dueAt: w('约定的处理期限', 'the agreed handling deadline'),
  visitAt: w('回访时间', 'the return visit time'),
};

/** The facts a refusal carries in `details[0]`; which ones depend on its code. */
export interface RefusalFacts {
  refusal?: string;
  action?: string;
  allowed?: string[];
  roles?: Role[];
  rule?: string;
  field?: string;
  at?: string;
  from?: string;
  closesAt?: string;
  timeZone?: string;
  ground?: string;
  issues?: z.core.$ZodIssue[];
  [fact: string]: unknown;
}

export const isRefusalCode = (code: unknown): code is RefusalCode => typeof code === 'string' && Object.hasOwn(REFUSAL_WORDS, code);

/** A refusal in `locale`, its facts put into words; undefined for a code the catalogue does not know. */
export function refusalText(facts: RefusalFacts, locale: Locale): string | undefined {
  if (!isRefusalCode(facts.refusal)) return undefined;
  const zh = locale === 'zh-CN';
  const list = (items: string[], none: Words) => (items.length ? items.join(zh ? '、' : ', ') : none[locale]);
  const time = (iso: unknown) => (typeof iso === 'string' ? displayTime(iso, facts.timeZone ?? DEFAULT_TIME_ZONE) : undefined);
  const action = (a: string) => (zh ? `「${actionWords(a, locale)}」` : actionWords(a, locale));
  const params: Record<string, string | number | undefined> = {};
  for (const [name, value] of Object.entries(facts)) if (typeof value === 'string' || typeof value === 'number') params[name] = value;
  Object.assign(params, {
    action: facts.action && action(facts.action),
    allowed: facts.allowed && list(facts.allowed.map(action), w('无', 'nothing')),
    roles: facts.roles && list(facts.roles.map((r) => wordFor(ROLE_WORDS, r, locale)), w('无', 'nobody')),
    field: facts.field && wordFor(TIME_FIELD_WORDS, facts.field, locale, w('所填时间', 'the time')),
    ground: facts.ground && wordFor(CLOSURE_WORDS, facts.ground, locale),
    at: time(facts.at),
    from: time(facts.from),
    closesAt: time(facts.closesAt),
    count: facts.issues?.length,
  });
  return fill(REFUSAL_WORDS[facts.refusal][locale], params);
}

/**
 * A workflow's refusal as the API says it: the workflow's own sentence in English; in Chinese the
 * catalogue's words for its code, or — for a failure that carries none — the problem kind's words.
 */
export function refusalDetail(failure: ApplicationFailure): string | Words {
  const facts = failure.details?.[0] as RefusalFacts | undefined;
  const zh = facts && refusalText(facts, 'zh-CN');
  return zh ? { 'zh-CN': zh, en: failure.message } : failure.message;
}

/** The field-by-field reasons of an `invalid-payload` refusal, for the problem's `invalid-params`. */
function refusalIssues(failure: ApplicationFailure): z.core.$ZodIssue[] | undefined {
  const facts = failure.details?.[0] as RefusalFacts | undefined;
  return facts?.refusal === 'invalid-payload' && Array.isArray(facts.issues) ? facts.issues : undefined;
}

/**
 * A workflow's refusal as a problem: its words from the refusal catalogue, and for a payload the
 * validator found invalid, each field with its reason as the API's own validation gives them.
 */
export function refusalProblem(status: number, title: string, failure: ApplicationFailure): HttpProblem {
  const issues = refusalIssues(failure);
  if (!issues) return new HttpProblem(status, title, refusalDetail(failure));
  const fields = validationProblem('body', { issues });
  return new HttpProblem(status, title, refusalDetail(failure), fields.extra, {}, fields.extraZh);
}
