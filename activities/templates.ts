/**
 * The mail catalogue: every mail the system sends, written once in zh-CN and once in English, and
 * rendered in one language at a time (docs/messages.md). Codes (deadlines, channels, classes,
 * reasons) are named through domain/words.ts, never printed inside a sentence.
 */
import { DEFAULT_TIME_ZONE, displayTime } from '../domain/calendar';
import type { MajorReason } from '../domain/complaint';
import { departmentOf } from '../domain/complaint';
import type { OpenRequestLine, ReconciliationSlot, ReconciliationSummary } from '../domain/reconciliation';
import {
  CHANNEL_WORDS,
  CLOSURE_WORDS,
  COMPLAINT_CATEGORY_WORDS,
  COMPLAINT_KIND_WORDS,
  COMPLAINT_SEVERITY_WORDS,
  DEFAULT_LOCALE,
  DEPARTMENT_WORDS,
  MAJOR_REASON_WORDS,
  PATROL_DEPARTMENT_WORDS,
  REPAIR_CLASS_WORDS,
  REPAIR_STATUS_WORDS,
  SLOT_WORDS,
  deadlineWords,
  escalationReasonWords,
  wordFor,
  type Locale,
} from '../domain/words';
import { mail, type MailContent, type Template } from './catalogue';
import { SURVEY_TEMPLATES } from './survey-templates';

export type { MailContent, Template } from './catalogue';

export interface CaseMailData {
  caseId: string;
  room?: string;
  classification?: string;
  description?: string;
  contactPhone?: string;
  dueAt?: string;
  deadline?: string;
  rule?: string;
  /** Free text a person wrote (a customer's comment, an explanation): printed as written. */
  reason?: string;
  /** An escalation's facts for its catalogue sentence (`{staffId}`, `{minutes}`…, domain/words.ts). */
  params?: Record<string, string | number>;
  /** C4/C8/R11: why the complaint became major. */
  majorReason?: MajorReason;
  link?: string;
  promisedAt?: string;
  appointmentAt?: string;
  measures?: string;
  channel?: string;
  relatedCaseId?: string;
  severity?: string;
  kind?: string;
  note?: string;
  /** The staff member who took the step (e.g. the engineer who found nobody home). */
  by?: string;
}

export function localTime(iso: string | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  if (!iso) return '—';
  return displayTime(iso, timeZone);
}

/** Joins the lines that apply. */
export function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter((part): part is string => typeof part === 'string').join('\n');
}

/** R12: a butler's list of open requests, or the front desk's copy of every butler's list. */
export interface OpenRequestsMailData {
  slot: ReconciliationSlot;
  date: string;
  timeZone: string;
  /** The butler this mail is for; absent on the front desk's copy of every list. */
  forButler?: string;
  /** One list per butler; a list without `butlerId` holds the areas no butler covers. */
  lists: { butlerId?: string; requests: OpenRequestLine[] }[];
  /** Set on a reconciliation a staff member started by hand. */
  requestedBy?: string;
  link?: string;
}

/** R12: to the supervisor — how many open requests still have no reason recorded today. */
export interface OpenRequestsSummaryMailData {
  slot: ReconciliationSlot;
  date: string;
  timeZone: string;
  butlers: ReconciliationSummary['butlers'];
  withoutReason: OpenRequestLine[];
  link?: string;
}

function shortTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '—';
  return displayTime(iso, timeZone, 'short');
}

const statusWords = (status: string, l: Locale) => wordFor(REPAIR_STATUS_WORDS, status, l, { 'zh-CN': '处理中', en: 'open' });

function openRequestLines(requests: OpenRequestLine[], timeZone: string, l: Locale): string[] {
  const zh = l === 'zh-CN';
  return requests.flatMap((r, i) => [
    zh
      ? `${i + 1}. ${r.caseId} · ${r.room ?? `公区 ${r.areaId}`} · ${statusWords(r.status, l)} · 受理 ${shortTime(r.receivedAt, timeZone)} · 维修 ${r.assigneeId ?? '未派工'}`
      : `${i + 1}. ${r.caseId} · ${r.room ?? `common area ${r.areaId}`} · ${statusWords(r.status, l)} · received ${shortTime(r.receivedAt, timeZone)} · engineer ${r.assigneeId ?? 'none yet'}`,
    r.reasonToday
      ? zh
        ? `   今日未完成原因：${r.reason}（${shortTime(r.reasonAt, timeZone)} 记录）`
        : `   Reason not finished today: ${r.reason} (recorded ${shortTime(r.reasonAt, timeZone)})`
      : zh
        ? `   ⚠ 今日未记录未完成原因${r.reason ? `（上次 ${shortTime(r.reasonAt, timeZone)}：${r.reason}）` : ''}`
        : `   ⚠ No reason recorded today${r.reason ? ` (last, ${shortTime(r.reasonAt, timeZone)}: ${r.reason})` : ''}`,
  ]);
}

/** A missing national calendar year, to a property's managers. */
export interface CalendarMissingMailData {
  propertyId: string;
  year: number;
  /** The staff API's address, e.g. https://wuye.example.com/api/v1 (filled in by `notify`). */
  apiBase?: string;
}

/** A one-time link for a staff member to set their console password (docs/console.md). */
export interface PasswordLinkMailData {
  name: string;
  staffId: string;
  url: string;
  expiresAt: string;
  purpose: 'created' | 'reset';
}

/** R2–R9 to the household: where the repair stands, with the resident's personal link to follow it. */
export interface CaseProgressMailData {
  caseId: string;
  room?: string;
  /** The step the mail is about (the audit action), e.g. accepted. */
  step: string;
  /** Filled in by `notify`: a fresh personal link for this case. */
  progressUrl?: string;
}

/** What the resident reads of each step, in the household's words. */
const PROGRESS_STEPS: Record<string, Record<Locale, string>> = {
  dispatched: { 'zh-CN': '已受理并派工，维修人员将尽快接单', en: 'has been received and sent to an engineer' },
  accept: { 'zh-CN': '维修人员已接单', en: 'was accepted by an engineer' },
  arrive: { 'zh-CN': '维修人员已到场', en: 'the engineer is on site' },
  reschedule: { 'zh-CN': '已与您约定新的上门时间', en: 'a new visit time has been agreed with you' },
  recordMeasures: { 'zh-CN': '暂未修复，已采取临时措施并给出新的承诺时间', en: 'is not fixed yet; measures were taken and a new time promised' },
  complete: { 'zh-CN': '维修已完成，请验收', en: 'is done; please check the work' },
  signOff: { 'zh-CN': '验收结果已记录', en: 'your sign-off was recorded' },
  closed: { 'zh-CN': '已办结，欢迎评价', en: 'is closed; tell us how we did' },
};

const classWords = (d: CaseMailData, l: Locale) => wordFor(REPAIR_CLASS_WORDS, d.classification, l, { 'zh-CN': '维修', en: 'repair' });
const severityWords = (severity: string | undefined, l: Locale, unknown = { 'zh-CN': '待定级', en: 'not yet classified' }) => wordFor(COMPLAINT_SEVERITY_WORDS, severity, l, unknown);
const kindWords = (kind: string | undefined, l: Locale) => wordFor(COMPLAINT_KIND_WORDS, kind, l, { 'zh-CN': '投诉', en: 'complaint' });
const categoryWords = (category: string | undefined, l: Locale) => wordFor(COMPLAINT_CATEGORY_WORDS, category, l);
const channelWords = (channel: string | undefined, l: Locale) => wordFor(CHANNEL_WORDS, channel, l, { 'zh-CN': '原渠道', en: 'the channel it came through' });
const departmentWords = (text: string | undefined, l: Locale) => wordFor(DEPARTMENT_WORDS, departmentOf(text), l, { 'zh-CN': '责任部门', en: 'the responsible department' });
/** The escalation's sentence from the catalogue, by rule and deadline. */
const escalationReason = (d: CaseMailData, l: Locale) =>
  escalationReasonWords(d.deadline, d.rule, d.params, l) ?? (l === 'zh-CN' ? '时限已过，请尽快处理' : 'the deadline passed; act now');
const majorReason = (d: CaseMailData, l: Locale) => wordFor(MAJOR_REASON_WORDS, d.majorReason, l, { 'zh-CN': '符合重大投诉条件', en: 'it meets a condition of a major complaint' });
const ruleNote = (d: CaseMailData) => (d.rule ? `（${d.rule}）` : '');
const ruleNoteEn = (d: CaseMailData) => (d.rule ? ` (${d.rule})` : '');

/** The line that quotes a system error verbatim (caseFailed); test/unit/messages.test.ts reads past it. */
export const SYSTEM_ERROR_LABEL: Record<Locale, string> = { 'zh-CN': '系统错误原文：', en: 'System error: ' };

export const TEMPLATES = {
  /** R2: the work order (派工单) to the engineer; its link opens the order on the engineer's phone. */
  dispatch: mail<CaseMailData & { orderUrl?: string }>(
    (d) => ({
      subject: `【派工单】${d.caseId} ${classWords(d, 'zh-CN')} ${d.room ?? ''}`.trim(),
      text: lines(
        `维修工作单 ${d.caseId}`,
        `房号：${d.room ?? '公区'}`,
        `类别：${classWords(d, 'zh-CN')}`,
        `报修内容：${d.description ?? ''}`,
        d.contactPhone && `客户电话：${d.contactPhone}`,
        `请在 ${localTime(d.dueAt)} 前接单。`,
        d.orderUrl && `接单：${d.orderUrl}`,
      ),
    }),
    (d) => ({
      subject: `[Work order] ${d.caseId} ${classWords(d, 'en')} ${d.room ?? ''}`.trim(),
      text: lines(
        `Work order ${d.caseId}`,
        `Room: ${d.room ?? 'common area'}`,
        `Class: ${classWords(d, 'en')}`,
        `Request: ${d.description ?? ''}`,
        d.contactPhone && `Customer's phone: ${d.contactPhone}`,
        `Please accept by ${localTime(d.dueAt)}.`,
        d.orderUrl && `Accept: ${d.orderUrl}`,
      ),
    }),
  ),
  /** A staff member's one-time link to set their console password, when the account is created or reset. */
  passwordLink: mail<PasswordLinkMailData>(
    (d) => ({
      subject: d.purpose === 'created' ? `【客服中心】请设置您的登录密码（${d.staffId}）` : `【客服中心】重置登录密码（${d.staffId}）`,
      text: lines(
        `${d.name}，您好：`,
        d.purpose === 'created' ? `已为您开通客服中心工作台账号，工号 ${d.staffId}。` : `工号 ${d.staffId} 的登录密码可以重新设置了。`,
        `请在 ${localTime(d.expiresAt)} 前打开以下链接设置密码（仅可使用一次）：`,
        d.url,
        '如非本人操作，请忽略本邮件并告知项目经理。',
      ),
    }),
    (d) => ({
      subject: d.purpose === 'created' ? `[Service centre] Set your console password (${d.staffId})` : `[Service centre] Reset your console password (${d.staffId})`,
      text: lines(
        `Dear ${d.name},`,
        d.purpose === 'created' ? `A service centre console account was opened for you, staff number ${d.staffId}.` : `The console password of staff number ${d.staffId} can be set again.`,
        `Open this link before ${localTime(d.expiresAt)} to set your password (it works once):`,
        d.url,
        'If you did not ask for this, ignore this mail and tell your manager.',
      ),
    }),
  ),
  /** The household hears each step of its repair, with its personal link to the case page. */
  caseProgress: mail<CaseProgressMailData>(
    (d) => {
      const step = PROGRESS_STEPS[d.step]?.['zh-CN'] ?? '有新的进展';
      return {
        subject: `【报修进度】${d.caseId} ${step}`,
        text: lines(`您的报修 ${d.caseId}${d.room ? `（${d.room}）` : ''}${step}。`, d.progressUrl && `随时查看进度：${d.progressUrl}`, '此链接仅用于查看本次报修，请勿转发。'),
      };
    },
    (d) => {
      const step = PROGRESS_STEPS[d.step]?.en ?? 'has news';
      return {
        subject: `[Repair progress] ${d.caseId} ${step}`,
        text: lines(`Your repair ${d.caseId}${d.room ? ` (${d.room})` : ''} ${step}.`, d.progressUrl && `Follow it at any time: ${d.progressUrl}`, 'This link shows this repair only; please do not forward it.'),
      };
    },
  ),
  /** R2: a copy to the area's butler, who follows the repair. */
  dispatchCopy: mail<CaseMailData>(
    (d) => ({
      subject: `【报修跟进】${d.caseId} ${d.room ?? ''}`.trim(),
      text: lines(`报修 ${d.caseId} 已派工，请跟进。`, `房号：${d.room ?? '公区'}；类别：${classWords(d, 'zh-CN')}`, d.link && `工单：${d.link}`),
    }),
    (d) => ({
      subject: `[Repair to follow] ${d.caseId} ${d.room ?? ''}`.trim(),
      text: lines(`Repair ${d.caseId} was dispatched; please follow it.`, `Room: ${d.room ?? 'common area'}; class: ${classWords(d, 'en')}`, d.link && `Work order: ${d.link}`),
    }),
  ),
  /** A deadline is near (SlaState=warning): its owner hears it once, before it is missed. */
  slaWarning: mail<CaseMailData>(
    (d) => ({
      subject: `【时限预警】${d.caseId} ${deadlineWords(d.deadline, d.rule, 'zh-CN')}`,
      text: lines(
        `案件 ${d.caseId} 的时限即将到期：${deadlineWords(d.deadline, d.rule, 'zh-CN')}${ruleNote(d)}，请在 ${localTime(d.dueAt)} 前完成。`,
        d.room && `房号：${d.room}`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Deadline warning] ${d.caseId} ${deadlineWords(d.deadline, d.rule, 'en')}`,
      text: lines(
        `Case ${d.caseId}: the ${deadlineWords(d.deadline, d.rule, 'en')}${ruleNoteEn(d)} is due by ${localTime(d.dueAt)}; act before it is missed.`,
        d.room && `Room: ${d.room}`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** A missed deadline, to the role that must act. */
  escalation: mail<CaseMailData>(
    (d) => ({
      subject: `【超时升级】${d.caseId} ${deadlineWords(d.deadline, d.rule, 'zh-CN')}`,
      text: lines(
        `案件 ${d.caseId} 未在时限内完成：${deadlineWords(d.deadline, d.rule, 'zh-CN')}${ruleNote(d)}。`,
        `时限：${localTime(d.dueAt)}`,
        `说明：${escalationReason(d, 'zh-CN')}`,
        d.room && `房号：${d.room}`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Escalation] ${d.caseId} ${deadlineWords(d.deadline, d.rule, 'en')}`,
      text: lines(
        `Case ${d.caseId} missed its deadline: ${deadlineWords(d.deadline, d.rule, 'en')}${ruleNoteEn(d)}.`,
        `Due: ${localTime(d.dueAt)}`,
        `What happened: ${escalationReason(d, 'en')}`,
        d.room && `Room: ${d.room}`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** R3/R4: the customer hears the new promised time. */
  newPromise: mail<CaseMailData>(
    (d) => ({
      subject: `【维修进度】${d.caseId} 新的承诺完成时间`,
      text: lines(`您的报修 ${d.caseId}（${d.room ?? '公区'}）暂未能在时限内完成。`, d.measures && `已采取的处理措施/说明：${d.measures}`, `新的承诺完成时间：${localTime(d.promisedAt)}`),
    }),
    (d) => ({
      subject: `[Repair progress] ${d.caseId}: a new promised time`,
      text: lines(`Your repair ${d.caseId} (${d.room ?? 'common area'}) could not be finished in time.`, d.measures && `Measures taken / explanation: ${d.measures}`, `New promised completion time: ${localTime(d.promisedAt)}`),
    }),
  ),
  /** R3/R4: the butler's notice of the same new promise (the customer's mail is written to the customer). */
  newPromiseNotice: mail<CaseMailData>(
    (d) => ({
      subject: `【报修跟进】${d.caseId} 新的承诺完成时间 ${localTime(d.promisedAt)}`,
      text: lines(
        `报修 ${d.caseId}（${d.room ?? '公区'}）未能在时限内修复，维修人员已给出新的承诺完成时间：${localTime(d.promisedAt)}。`,
        d.measures && `处理措施/说明：${d.measures}`,
        '已通知客户；客户未留邮箱的，请电话告知。',
        d.link && `工单：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Repair to follow] ${d.caseId}: new promised time ${localTime(d.promisedAt)}`,
      text: lines(
        `Repair ${d.caseId} (${d.room ?? 'common area'}) was not fixed in time; the engineer promised a new completion time: ${localTime(d.promisedAt)}.`,
        d.measures && `Measures / explanation: ${d.measures}`,
        'The customer was mailed; phone a customer who left no e-mail address.',
        d.link && `Work order: ${d.link}`,
      ),
    }),
  ),
  /** R6: the engineer found nobody home; the area's butler agrees a new time with the customer. */
  customerNotHome: mail<CaseMailData>(
    (d) => ({
      subject: `【客户不在家】${d.caseId} ${d.room ?? ''} 请改约`.replace('  ', ' '),
      text: lines(
        `报修 ${d.caseId}（${d.room ?? '公区'}）：维修人员${d.by ? ` ${d.by}` : ''}按约上门，客户不在家。`,
        d.note && `维修人员留言：${d.note}`,
        `请在 ${localTime(d.dueAt)} 前与客户约定新的上门时间；联系不上的，请留言并定下新的日期后记录（改约）。`,
        d.link && `工单：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Customer not home] ${d.caseId} ${d.room ?? ''} to reschedule`.replace('  ', ' '),
      text: lines(
        `Repair ${d.caseId} (${d.room ?? 'common area'}): the engineer${d.by ? ` ${d.by}` : ''} came as agreed; nobody was home.`,
        d.note && `The engineer's note: ${d.note}`,
        `Agree a new time with the customer by ${localTime(d.dueAt)}; if they cannot be reached, leave a note, set a new date and record it (reschedule).`,
        d.link && `Work order: ${d.link}`,
      ),
    }),
  ),
  /** R5: one day before a repair appointment, to the customer. */
  appointmentReminder: mail<CaseMailData>(
    (d) => ({
      subject: `【预约提醒】${d.caseId} 维修预约 ${localTime(d.appointmentAt)}`,
      text: lines(`您预约的维修 ${d.caseId}（${d.room ?? '公区'}）将于 ${localTime(d.appointmentAt)} 上门，请安排家中有人。`),
    }),
    (d) => ({
      subject: `[Appointment reminder] ${d.caseId} repair visit ${localTime(d.appointmentAt)}`,
      text: lines(`Your repair ${d.caseId} (${d.room ?? 'common area'}) is booked for ${localTime(d.appointmentAt)}; please make sure someone is at home.`),
    }),
  ),
  /**
   * R5/R2: the butler's notice of tomorrow's appointment — the butler follows the repair and phones a
   * customer the reminder could not reach by mail; the customer's own wording is not for them.
   */
  appointmentNotice: mail<CaseMailData>(
    (d) => ({
      subject: `【预约维修】${d.caseId} ${d.room ?? '公区'} ${localTime(d.appointmentAt)} 上门`,
      text: lines(
        `预约维修 ${d.caseId}（${d.room ?? '公区'}）将于 ${localTime(d.appointmentAt)} 上门，已提醒客户。`,
        '客户未留邮箱的，请电话提醒；客户时间有变的，请改约。',
        d.link && `工单：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Appointment] ${d.caseId} ${d.room ?? 'common area'} visit ${localTime(d.appointmentAt)}`,
      text: lines(
        `Repair ${d.caseId} (${d.room ?? 'common area'}) is booked for ${localTime(d.appointmentAt)}; the customer was reminded.`,
        'Phone a customer who left no e-mail address; if their time changed, reschedule.',
        d.link && `Work order: ${d.link}`,
      ),
    }),
  ),
  /** R1: an invalid request goes back to whoever took it, with the written reason. */
  invalidRequest: mail<CaseMailData>(
    (d) => ({
      subject: `【无效报修】${d.caseId} 已关闭`,
      text: lines(
        `报修 ${d.caseId}（${d.room ?? '公区'}）经核实为无效报修，已关闭，不安排回访。`,
        `原因：${d.reason ?? ''}`,
        `请通过原渠道（${channelWords(d.channel, 'zh-CN')}）回复客户。`,
      ),
    }),
    (d) => ({
      subject: `[Invalid repair] ${d.caseId} closed`,
      text: lines(
        `Repair ${d.caseId} (${d.room ?? 'common area'}) was found invalid and closed; there is no return visit.`,
        `Reason: ${d.reason ?? ''}`,
        `Please answer the customer through the channel it came by (${channelWords(d.channel, 'en')}).`,
      ),
    }),
  ),
  /** R11 / C4: a major complaint was opened; supervisors and managers hear of it once. */
  majorComplaint: mail<CaseMailData>(
    (d) => ({
      subject: `【重大投诉】${d.caseId}${d.relatedCaseId ? ` ← ${d.relatedCaseId}` : ''}`,
      text: lines(
        `已升级为重大投诉：${d.caseId}${d.room ? `（${d.room}）` : ''}。`,
        `原因：${majorReason(d, 'zh-CN')}${ruleNote(d)}`,
        d.relatedCaseId && `关联案件：${d.relatedCaseId}`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Major complaint] ${d.caseId}${d.relatedCaseId ? ` ← ${d.relatedCaseId}` : ''}`,
      text: lines(
        `Upgraded to a major complaint: ${d.caseId}${d.room ? ` (${d.room})` : ''}.`,
        `Reason: ${majorReason(d, 'en')}${ruleNoteEn(d)}`,
        d.relatedCaseId && `Related case: ${d.relatedCaseId}`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** C1–C3: a new complaint to the role that owns it (area butler, supervisor; hr or audit only for C2 kinds). */
  complaintReceived: mail<CaseMailData>(
    (d) => {
      const confidential = d.kind && d.kind !== 'customer';
      return {
        subject: `【投诉】${d.caseId} ${severityWords(d.severity, 'zh-CN')}${confidential ? ` · ${kindWords(d.kind, 'zh-CN')}` : ''}`,
        text: lines(
          `新投诉 ${d.caseId}${confidential ? `（${kindWords(d.kind, 'zh-CN')}，保密）` : d.room ? `（${d.room}）` : ''}，请在 30 分钟内响应客户（C1）。`,
          d.description && `内容：${d.description}`,
          d.link && `案件：${d.link}`,
        ),
      };
    },
    (d) => {
      const confidential = d.kind && d.kind !== 'customer';
      return {
        subject: `[Complaint] ${d.caseId} ${severityWords(d.severity, 'en')}${confidential ? ` · ${kindWords(d.kind, 'en')}` : ''}`,
        text: lines(
          `New complaint ${d.caseId}${confidential ? ` (${kindWords(d.kind, 'en')}, confidential)` : d.room ? ` (${d.room})` : ''}: respond to the customer within 30 minutes (C1).`,
          d.description && `Content: ${d.description}`,
          d.link && `Case: ${d.link}`,
        ),
      };
    },
  ),
  /** C3: a general or important complaint routed to the department that handles it: its head is told. */
  complaintRouted: mail<CaseMailData>(
    (d) => ({
      subject: `【投诉转办】${d.caseId} ${severityWords(d.severity, 'zh-CN', { 'zh-CN': '投诉', en: 'complaint' })} → ${departmentWords(d.note, 'zh-CN')}`,
      text: lines(
        `投诉 ${d.caseId}${d.room ? `（${d.room}）` : ''} 定为${severityWords(d.severity, 'zh-CN', { 'zh-CN': '投诉', en: 'complaint' })}，由${departmentWords(d.note, 'zh-CN')}负责处理。`,
        d.kind && `类别：${categoryWords(d.kind, 'zh-CN')}`,
        '请与客户商定处理方法与完成期限（C6），按时首次回复。',
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Complaint routed] ${d.caseId} ${severityWords(d.severity, 'en', { 'zh-CN': '投诉', en: 'complaint' })} → ${departmentWords(d.note, 'en')}`,
      text: lines(
        `Complaint ${d.caseId}${d.room ? ` (${d.room})` : ''}, a ${severityWords(d.severity, 'en', { 'zh-CN': '投诉', en: 'complaint' })}, is routed to your department (${departmentWords(d.note, 'en')}) for handling.`,
        d.kind && `Category: ${categoryWords(d.kind, 'en')}`,
        'Agree the handling method and a deadline with the customer (C6), and give the first reply in time.',
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** C3: a major complaint is transferred to the group (the 8080 centre and the group's complaint contact) with its facts. */
  groupTransfer: mail<CaseMailData>(
    (d) => ({
      subject: `【重大投诉转集团】${d.caseId}`,
      text: lines(
        `重大投诉 ${d.caseId}${d.room ? `（${d.room}）` : ''} 已按规定转报集团（8080 客服中心）。`,
        d.kind && `类别：${categoryWords(d.kind, 'zh-CN')}`,
        `升级原因：${majorReason(d, 'zh-CN')}${ruleNote(d)}`,
        d.description && `投诉内容：${d.description}`,
        `项目将在 ${localTime(d.dueAt)} 前（转报后 2 个工作日内）报告处理进展。`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Major complaint to the group] ${d.caseId}`,
      text: lines(
        `Major complaint ${d.caseId}${d.room ? ` (${d.room})` : ''} is transferred to the group (the 8080 call centre) as the rules require.`,
        d.kind && `Category: ${categoryWords(d.kind, 'en')}`,
        `Why it is major: ${majorReason(d, 'en')}${ruleNoteEn(d)}`,
        d.description && `Complaint: ${d.description}`,
        `The property reports its progress by ${localTime(d.dueAt)} (within 2 working days of the transfer).`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** C2/C3: an employee complaint or a report, closed: the 8080 centre hears the result, not the content. */
  confidentialResult: mail<CaseMailData>(
    (d) => ({
      subject: `【保密投诉办结】${d.caseId} ${kindWords(d.kind, 'zh-CN')}`,
      text: lines(`${kindWords(d.kind, 'zh-CN')} ${d.caseId} 已办结（${wordFor(CLOSURE_WORDS, d.note, 'zh-CN', CLOSURE_WORDS.closed)}）。`, '内容保密，如需了解请联系人力资源部或审计部。'),
    }),
    (d) => ({
      subject: `[Confidential complaint closed] ${d.caseId} ${kindWords(d.kind, 'en')}`,
      text: lines(`The ${kindWords(d.kind, 'en')} ${d.caseId} is closed (${wordFor(CLOSURE_WORDS, d.note, 'en', CLOSURE_WORDS.closed)}).`, 'Its content is confidential; ask human resources or audit.'),
    }),
  ),
  /** C1: an invalid complaint, explained to the customer, back to whoever took it. */
  invalidComplaint: mail<CaseMailData>(
    (d) => ({
      subject: `【无效投诉】${d.caseId} 已关闭`,
      text: lines(
        `投诉 ${d.caseId} 经核实为无效投诉（客户误解），已向客户解释并关闭，不安排回访。`,
        `解释：${d.reason ?? ''}`,
        `请通过原渠道（${channelWords(d.channel, 'zh-CN')}）确认客户已收到解释。`,
      ),
    }),
    (d) => ({
      subject: `[Invalid complaint] ${d.caseId} closed`,
      text: lines(
        `Complaint ${d.caseId} was found invalid (a misunderstanding), explained to the customer and closed; there is no return visit.`,
        `Explanation: ${d.reason ?? ''}`,
        `Please make sure the customer received it, through the channel it came by (${channelWords(d.channel, 'en')}).`,
      ),
    }),
  ),
  /** C11: the reply to the customer after the complaint is closed. */
  complaintReply: mail<CaseMailData>(
    (d) => ({ subject: `【投诉处理回复】${d.caseId}`, text: lines(`您的投诉 ${d.caseId} 已处理完毕并结案。`, d.note && `回复：${d.note}`, '感谢您的监督与支持。') }),
    (d) => ({ subject: `[Your complaint] ${d.caseId} is closed`, text: lines(`Your complaint ${d.caseId} has been handled and is closed.`, d.note && `Our reply: ${d.note}`, 'Thank you for helping us do better.') }),
  ),
  /** C7: the customer is told in advance when the supervisor will visit about their complaint. */
  complaintVisitNotice: mail<CaseMailData>(
    (d) => ({
      subject: `【投诉回访预约】${d.caseId} ${localTime(d.appointmentAt)}`,
      text: lines(`您的投诉 ${d.caseId} 已处理完毕。客服主管将于 ${localTime(d.appointmentAt)} 回访，了解您是否满意。`, '如需改约，请联系物业客服中心。'),
    }),
    (d) => ({
      subject: `[Complaint follow-up] ${d.caseId} ${localTime(d.appointmentAt)}`,
      text: lines(`Your complaint ${d.caseId} was handled. Our supervisor will follow up at ${localTime(d.appointmentAt)} to hear whether you are satisfied.`, 'To change the time, contact the service centre.'),
    }),
  ),
  /** C10: a site warns of a likely group complaint before it happens. */
  complaintWarning: mail<CaseMailData>(
    (d) => ({
      subject: `【投诉预警】${d.caseId}`,
      text: lines(
        `投诉预警 ${d.caseId}${d.room ? `（${d.room}）` : ''}：可能发生群体投诉。`,
        d.reason && `原因：${d.reason}`,
        d.measures && `已采取措施：${d.measures}`,
        d.note && `统一口径：${d.note}`,
        d.link && `详情：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Complaint pre-warning] ${d.caseId}`,
      text: lines(
        `Complaint pre-warning ${d.caseId}${d.room ? ` (${d.room})` : ''}: a group complaint is likely.`,
        d.reason && `Cause: ${d.reason}`,
        d.measures && `Actions taken: ${d.measures}`,
        d.note && `Agreed wording: ${d.note}`,
        d.link && `Details: ${d.link}`,
      ),
    }),
  ),
  /** V4: a return visit found the customer unsatisfied; the supervisor follows it by the deadline. */
  nonConformity: mail<CaseMailData>(
    (d) => ({
      subject: `【回访不满意】${d.caseId}${d.relatedCaseId ? ` ← ${d.relatedCaseId}` : ''}`,
      text: lines(
        `回访 ${d.caseId} 客户不满意${d.relatedCaseId ? `，原案件 ${d.relatedCaseId}` : ''}${d.room ? `（${d.room}）` : ''}。`,
        d.reason && `客户意见：${d.reason}`,
        `请跟进整改，并在 ${localTime(d.dueAt)} 前再次回访至客户满意。`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Unsatisfied at return visit] ${d.caseId}${d.relatedCaseId ? ` ← ${d.relatedCaseId}` : ''}`,
      text: lines(
        `Return visit ${d.caseId}: the customer is not satisfied${d.relatedCaseId ? ` with ${d.relatedCaseId}` : ''}${d.room ? ` (${d.room})` : ''}.`,
        d.reason && `The customer's words: ${d.reason}`,
        `Follow it up and visit again by ${localTime(d.dueAt)} until the customer is satisfied.`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** I3/S3: a suggestion judged valuable, to the supervisor (合理化建议). */
  suggestionForwarded: mail<CaseMailData>(
    (d) => ({
      subject: `【客户建议】${d.caseId}${d.room ? ` ${d.room}` : ''}`,
      text: lines(
        `客户建议 ${d.caseId}${d.room ? `（${d.room}）` : ''} 经评估有价值，已转主管并归档。`,
        d.description && `建议内容：${d.description}`,
        d.note && `评估意见：${d.note}`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Customer suggestion] ${d.caseId}${d.room ? ` ${d.room}` : ''}`,
      text: lines(
        `Suggestion ${d.caseId}${d.room ? ` (${d.room})` : ''} was judged valuable, forwarded to the supervisor and filed.`,
        d.description && `Suggestion: ${d.description}`,
        d.note && `Assessment: ${d.note}`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** O1: a patrol finding becomes a rectification notice (问题整改通知单) to a department. */
  rectificationNotice: mail<CaseMailData>(
    (d) => ({
      subject: `【整改通知】${d.caseId} ${wordFor(PATROL_DEPARTMENT_WORDS, d.kind, 'zh-CN')}`,
      text: lines(
        `问题整改通知单 ${d.caseId}（${wordFor(PATROL_DEPARTMENT_WORDS, d.kind, 'zh-CN')}）`,
        d.note && `位置：${d.note}`,
        d.description && `问题：${d.description}`,
        d.reason && `照片：${d.reason}`,
        `请在 ${localTime(d.dueAt)} 前整改完成，并尽快开始整改。`,
        d.link && `案件：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Rectification notice] ${d.caseId} ${wordFor(PATROL_DEPARTMENT_WORDS, d.kind, 'en')}`,
      text: lines(
        `Rectification notice ${d.caseId} (${wordFor(PATROL_DEPARTMENT_WORDS, d.kind, 'en')})`,
        d.note && `Where: ${d.note}`,
        d.description && `Problem: ${d.description}`,
        d.reason && `Photo: ${d.reason}`,
        `Start soon and finish the rectification by ${localTime(d.dueAt)}.`,
        d.link && `Case: ${d.link}`,
      ),
    }),
  ),
  /** R12: the open requests a butler reconciles with the front desk; the front desk gets every list. */
  openRequests: mail<OpenRequestsMailData>(
    (d) => {
      const slot = SLOT_WORDS[d.slot]['zh-CN'];
      const requests = d.lists.flatMap((l) => l.requests);
      const missing = requests.filter((r) => !r.reasonToday).length;
      return {
        subject: `【未完成报修核对】${d.date} ${slot} · ${d.forButler ?? '前台汇总'} · ${requests.length} 项，${missing} 项今日未记录原因`,
        text: lines(
          `${d.date} ${slot}核对（R12）：未完成报修 ${requests.length} 项，其中 ${missing} 项今日未记录未完成原因。`,
          d.requestedBy && `由 ${d.requestedBy} 手动发起。`,
          d.forButler ? '请与前台逐项核对；今日完成不了的，请记录原因。' : '请与各片区管家逐项核对。',
          ...d.lists.flatMap((l) => [
            '',
            d.forButler ? undefined : `【${l.butlerId ? `管家 ${l.butlerId}` : '无管家片区'}】${l.requests.length} 项`,
            ...(l.requests.length ? openRequestLines(l.requests, d.timeZone, 'zh-CN') : ['（无未完成报修）']),
          ]),
          d.link && `详情：${d.link}`,
        ),
      };
    },
    (d) => {
      const slot = SLOT_WORDS[d.slot].en;
      const requests = d.lists.flatMap((l) => l.requests);
      const missing = requests.filter((r) => !r.reasonToday).length;
      return {
        subject: `[Open requests] ${d.date} ${slot} · ${d.forButler ?? 'front desk, all lists'} · ${requests.length} open, ${missing} without a reason today`,
        text: lines(
          `Reconciliation of ${d.date}, ${slot} (R12): ${requests.length} open repair(s), ${missing} without a reason recorded today.`,
          d.requestedBy && `Started by hand by ${d.requestedBy}.`,
          d.forButler ? 'Go through them with the front desk; record a reason for each that cannot be finished today.' : "Go through them with each area's butler.",
          ...d.lists.flatMap((l) => [
            '',
            d.forButler ? undefined : `[${l.butlerId ? `Butler ${l.butlerId}` : 'Areas without a butler'}] ${l.requests.length} open`,
            ...(l.requests.length ? openRequestLines(l.requests, d.timeZone, 'en') : ['(no open repairs)']),
          ]),
          d.link && `Details: ${d.link}`,
        ),
      };
    },
  ),
  /** R12: in the afternoon the supervisor hears what is still open without a reason. */
  openRequestsSummary: mail<OpenRequestsSummaryMailData>(
    (d) => ({
      subject: `【未完成原因统计】${d.date} ${SLOT_WORDS[d.slot]['zh-CN']} · ${d.withoutReason.length} 项今日未记录原因`,
      text: lines(
        `${d.date} ${SLOT_WORDS[d.slot]['zh-CN']}核对（R12）：仍有 ${d.withoutReason.length} 项未完成报修今日未记录原因。`,
        '',
        ...d.butlers.map((b) => `管家 ${b.butlerId}：未完成 ${b.open} 项，未记录原因 ${b.withoutReason} 项`),
        ...(d.withoutReason.length ? ['', '未记录原因：', ...d.withoutReason.map((r) => `- ${r.caseId} · ${r.room ?? `公区 ${r.areaId}`} · ${statusWords(r.status, 'zh-CN')}`)] : []),
        d.link && `详情：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Reasons missing] ${d.date} ${SLOT_WORDS[d.slot].en} · ${d.withoutReason.length} without a reason today`,
      text: lines(
        `Reconciliation of ${d.date}, ${SLOT_WORDS[d.slot].en} (R12): ${d.withoutReason.length} open repair(s) still have no reason recorded today.`,
        '',
        ...d.butlers.map((b) => `Butler ${b.butlerId}: ${b.open} open, ${b.withoutReason} without a reason`),
        ...(d.withoutReason.length ? ['', 'Without a reason:', ...d.withoutReason.map((r) => `- ${r.caseId} · ${r.room ?? `common area ${r.areaId}`} · ${statusWords(r.status, 'en')}`)] : []),
        d.link && `Details: ${d.link}`,
      ),
    }),
  ),
  /** Working days: a year's national arrangement is missing, so cases count it Monday–Friday. */
  calendarMissing: mail<CalendarMissingMailData>(
    (d) => ({
      subject: `【节假日安排缺失】${d.year} 年国家节假日安排未加载`,
      text: lines(
        `项目 ${d.propertyId} 的工作日日历中没有 ${d.year} 年的国家节假日安排（含调休）。`,
        `在加载之前，${d.year} 年的工作日暂按周一至周五计算：投诉的首次回复、结案回复和问卷的期限会据此计算，法定节假日和调休不被计入。`,
        `请在国务院办公厅发布安排后，以 JSON 或 iCalendar 文件上传：PUT ${d.apiBase}/calendar/national/${d.year}；`,
        `本项目的特殊安排：PUT ${d.apiBase}/properties/calendar-overrides/{日期}；查看：GET ${d.apiBase}/calendar/${d.year}。`,
        '已在处理中的案件保留其开始时的日历；加载之后新开的案件使用新的安排。',
      ),
    }),
    (d) => ({
      subject: `[Holiday arrangement missing] ${d.year}'s national holidays are not loaded`,
      text: lines(
        `The working-day calendar of property ${d.propertyId} has no national holiday arrangement (with its adjusted working days) for ${d.year}.`,
        `Until it is loaded, ${d.year}'s working days count Monday to Friday: complaints' first and closing replies and the questionnaires' deadlines follow that, without public holidays or adjusted days.`,
        `Once the State Council publishes it, upload it as JSON or iCalendar: PUT ${d.apiBase}/calendar/national/${d.year};`,
        `this property's own days: PUT ${d.apiBase}/properties/calendar-overrides/{date}; view: GET ${d.apiBase}/calendar/${d.year}.`,
        'Cases already open keep the calendar they started with; cases opened after the upload use the new one.',
      ),
    }),
  ),
  /** A case whose workflow failed for a reason no retry can fix (it may not even have opened): the supervisor takes it by hand. */
  caseFailed: mail<CaseMailData>(
    (d) => ({
      subject: `【案件异常中止】${d.caseId} 需人工处理`,
      text: lines(
        `案件 ${d.caseId} 因无法自动恢复的错误而中止，系统不会再自动处理。`,
        d.room && `房号：${d.room}`,
        '请核实后人工处理（重新登记或联系客户），以免客户的诉求无人跟进。',
        // The system's own error, quoted as it was raised for whoever fixes the cause: not a sentence of the catalogue.
        d.reason && `${SYSTEM_ERROR_LABEL['zh-CN']}${d.reason}`,
        d.link && `详情：${d.link}`,
      ),
    }),
    (d) => ({
      subject: `[Case stopped] ${d.caseId} needs a person`,
      text: lines(
        `Case ${d.caseId} stopped on an error no retry can fix; the system will not handle it any further.`,
        d.room && `Room: ${d.room}`,
        'Please take it by hand (record it again or call the customer), so that the request is not left without anyone following it.',
        d.reason && `${SYSTEM_ERROR_LABEL.en}${d.reason}`,
        d.link && `Details: ${d.link}`,
      ),
    }),
  ),
  ...SURVEY_TEMPLATES,
} satisfies Record<string, Template<never>>;

export type TemplateName = keyof typeof TEMPLATES;

/** What some template renders from; a caller pairs the data with its template by name. */
export type MailData = Parameters<(typeof TEMPLATES)[TemplateName]>[0];

/**
 * Mails written to the household. A staff member among the recipients (the butler who follows the
 * repair) gets the staff notice named here instead, or nothing when there is none.
 */
export const FOR_STAFF_INSTEAD: Partial<Record<TemplateName, TemplateName | null>> = {
  appointmentReminder: 'appointmentNotice',
  newPromise: 'newPromiseNotice',
  caseProgress: null,
  complaintReply: null,
  complaintVisitNotice: null,
  surveyInvitation: null,
  surveyReminder: null,
};

export function render(template: TemplateName, data: MailData, locale: Locale = DEFAULT_LOCALE): MailContent {
  return (TEMPLATES[template] as Template<MailData>)(data, locale);
}
