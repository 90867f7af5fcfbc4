/**
 * The words a person reads for each code the system keeps (roles, channels, classes, deadlines,
 * reasons), in each language a text is written in (docs/messages.md). A mail or an API error names
 * a code through these tables, never the code itself, so a Chinese sentence holds no `accept` or
 * `phone`. Pure data: imported by activities (mails) and api (errors) alike.
 */
import type { ClosureGround, ComplaintCategory, ComplaintKind, ComplaintSeverity, Department, ExemptionGround, MajorReason } from './complaint';
import type { Channel, Role } from './people';
import type { RepairClass, RepairStatus } from './repair';

/** The languages every text is written in; zh-CN is the default everywhere. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** One text in each language. */
export type Words = Record<Locale, string>;

const w = (zh: string, en: string): Words => ({ 'zh-CN': zh, en });

export const ROLE_WORDS: Record<Role, Words> = {
  frontdesk: w('前台', 'front desk'),
  butler: w('客服管家', 'butler'),
  engineer: w('维修工', 'engineer'),
  supervisor: w('客服主管', 'supervisor'),
  manager: w('项目经理', 'manager'),
  callcenter: w('8080 客服中心', '8080 call centre'),
  hr: w('人力资源部', 'human resources'),
  audit: w('审计部', 'audit'),
};

export const CHANNEL_WORDS: Record<Channel, Words> = {
  phone: w('电话', 'phone'),
  visit: w('来访', 'visit'),
  frontdesk: w('前台', 'front desk'),
  staff: w('管家/员工转达', 'a staff member'),
  app: w('手机应用', 'the app'),
  wechat: w('微信', 'WeChat'),
  letter: w('信函', 'letter'),
  email: w('电子邮件', 'e-mail'),
  callcenter: w('400/8080 客服中心', 'the 400/8080 call centre'),
  'public-opinion': w('舆情', 'public opinion'),
  'group-transfer': w('集团转办', 'group transfer'),
};

export const REPAIR_CLASS_WORDS: Record<RepairClass, Words> = {
  urgent: w('急修', 'urgent repair'),
  general: w('一般维修', 'general repair'),
  major: w('预约维修', 'repair by appointment'),
};

export const REPAIR_STATUS_WORDS: Record<RepairStatus, Words> = {
  received: w('已受理', 'received'),
  dispatched: w('已派工', 'dispatched'),
  accepted: w('已接单', 'accepted'),
  awaiting_reschedule: w('待改约', 'to reschedule'),
  on_site: w('维修中', 'on site'),
  completed: w('已完工待验收', 'done, to sign off'),
  rejected: w('验收未通过', 'rejected at sign-off'),
  signed_off: w('已验收', 'signed off'),
  awaiting_return_visit: w('待回访', 'return visit due'),
  closed: w('已办结', 'closed'),
  invalid: w('无效', 'invalid'),
};

export const COMPLAINT_SEVERITY_WORDS: Record<ComplaintSeverity, Words> = {
  general: w('一般投诉', 'general complaint'),
  important: w('重要投诉', 'important complaint'),
  major: w('重大投诉', 'major complaint'),
};

export const COMPLAINT_KIND_WORDS: Record<ComplaintKind, Words> = {
  customer: w('客户投诉', 'customer complaint'),
  employee: w('员工投诉', 'employee complaint'),
  report: w('举报', 'whistle-blowing report'),
};

export const COMPLAINT_CATEGORY_WORDS: Record<ComplaintCategory, Words> = {
  safety: w('安全', 'safety'),
  engineering: w('工程', 'engineering'),
  environment: w('环境', 'environment'),
  'general-management': w('综合管理', 'general management'),
  'staff-conduct': w('员工行为', 'staff conduct'),
  'neighbour-dispute': w('邻里纠纷', 'neighbour dispute'),
  'developer-related': w('开发商遗留', "the developer's legacy"),
  other: w('其他', 'other'),
};

export const DEPARTMENT_WORDS: Record<Department, Words> = {
  engineering: w('工程部', 'engineering'),
  order: w('秩序部', 'order and security'),
  environment: w('环境部', 'environment'),
  service: w('客服部', 'customer service'),
};

/** O1: the departments a patrol finding's rectification notice goes to. */
export const PATROL_DEPARTMENT_WORDS: Record<'cleaning' | 'greening' | 'engineering', Words> = {
  cleaning: w('清洁', 'cleaning'),
  greening: w('绿化', 'greening'),
  engineering: w('工程', 'engineering'),
};

/** C7/C9: why a complaint closed (a ground), or the status it closed in. */
export const CLOSURE_WORDS: Record<ClosureGround | ExemptionGround | 'invalid' | 'explained' | 'archived' | 'closed', Words> = {
  lawful: w('处理合法合规', 'handled lawfully'),
  'beyond-authority': w('超出公司权限', "beyond the company's authority"),
  unreachable: w('客户无法联系', 'customer unreachable'),
  unconfirmed: w('客户未能确认', 'customer could not confirm'),
  'on-the-spot': w('当场解决', 'solved on the spot'),
  anonymous: w('匿名或无联系方式', 'anonymous or no contact'),
  sensitive: w('敏感投诉', 'sensitive'),
  invalid: w('无效投诉', 'invalid'),
  explained: w('已解释', 'explained'),
  archived: w('已归档', 'archived'),
  closed: w('已关闭', 'closed'),
};

/** C4/C8/R11: why a complaint became major. */
export const MAJOR_REASON_WORDS: Record<MajorReason, Words> = {
  'lawsuit-or-media': w('有诉讼或媒体曝光风险', 'risk of a lawsuit or media exposure'),
  'serious-loss-or-injury': w('涉及重大经济损失或人身伤害', 'serious financial loss or personal injury'),
  'same-issue': w('一个月内 3 位以上不同客户投诉同一问题', 'three or more complainants about the same issue within a month'),
  collective: w('3 人以上的集体投诉', 'a collective complaint by three or more people'),
  'unresolved-a-week': w('因我方原因一周仍未解决', 'still unresolved a week after it was made, through our fault'),
  'unresolved-a-month': w('投诉一个月仍未解决', 'still unresolved a month after it was made'),
  'handled-twice': w('同一问题两次处理未得解决', 'the same problem handled twice without resolution'),
  'repair-failed-twice': w('同一问题两次维修未得解决', 'the same repair failed twice'),
  classified: w('定级为重大投诉', 'classified as a major complaint'),
};

/** Each clock a case runs, by its deadline name (the `${rule}:${name}` entry where one name serves two rules). */
export const DEADLINE_WORDS: Record<string, Words> = {
  accept: w('接单', 'acceptance of the work order'),
  arrive: w('上门到场', 'arrival on site'),
  repair: w('修复', 'repair'),
  reschedule: w('与客户改约', 'a new time agreed with the customer'),
  'R7:start': w('公区维修开工', 'start of the public-facility repair'),
  'O1:start': w('开始整改', 'start of the rectification'),
  start: w('开工', 'start'),
  rectify: w('整改完成', 'rectification'),
  nonConformity: w('不满意回访的整改', 'follow-up of the unsatisfied customer'),
  visit: w('回访', 'return visit'),
  returnVisit: w('投诉回访', 'return visit of the complaint'),
  answer: w('答复客户', 'answer to the customer'),
  reply: w('答复客户', 'reply to the customer'),
  respond: w('首次响应客户', 'first response to the customer'),
  firstReply: w('首次答复', 'first reply'),
  resolve: w('投诉解决', 'resolution of the complaint'),
  writtenReply: w('书面答复', 'written reply'),
  reportToGroup: w('向集团报告进展', 'progress report to the group'),
  handling: w('约定的处理期限', 'the handling deadline agreed with the customer'),
  progress: w('向客户报告进展', 'progress report to the customer'),
  closingReply: w('结案回复', 'closing reply'),
};

/** What a missed deadline means, by `${rule}:${name}` or, for any rule, by `name`; `:again` when a moved promise was missed again; `{…}` are the escalation's parameters. */
export const ESCALATION_REASON_WORDS: Record<string, Words> = {
  'R2:accept': w('维修人员 {staffId} 未在 {minutes} 分钟内接单，已重新派工', 'work order not accepted by {staffId} within {minutes} min; re-dispatched'),
  arrive: w('维修人员未在承诺时间到场', 'not on site at the promised time'),
  repair: w('未在时限内修复：请记录紧急处理措施或说明，并给出新的承诺时间', 'not repaired in time; record emergency measures or an explanation and a new promised time'),
  'repair:again': w('新的承诺完成时间也已超过', 'the new promised time passed too'),
  'R6:reschedule': w('客户不在家，未在时限内与客户约定新的上门时间', 'the customer was not home and no new time was agreed in time'),
  'R7:start': w('公区维修 2 天内未开工', 'public-facility repair not started within 2 days'),
  'V4:nonConformity': w('回访不满意的客户未在期限内整改并再次回访至满意', 'the customer found unsatisfied at the return visit was not revisited and satisfied in time'),
  'R9:visit': w('报修 {parentCaseId} 的回访未在 R9 时限内完成，仍未办结', 'return visit of {parentCaseId} not done by its R9 deadline; it is still open'),
  'O1:start': w('巡查发现的问题 2 天内未开始整改', 'rectification not started within 2 days of the patrol finding'),
  'O1:rectify': w('未在整改通知的期限内整改完成', 'not rectified by the deadline of the notice'),
  'O2:answer': w('客户要求的时间前未收到合作方确认', 'no partner confirmation reached the customer by the requested time'),
  'I3:reply': w('未在承诺的答复时间前答复客户', 'the customer was not answered by the promised reply time'),
  'C1:respond': w('30 分钟内未首次响应客户', 'no first response to the customer within 30 min'),
  'C3:firstReply': w('未按时首次答复客户', 'no first reply to the customer in time'),
  'C3:resolve': w('投诉未在时限内解决', 'complaint not resolved in time'),
  'C3:writtenReply': w('重大投诉 2 天内未书面答复', 'no written reply to a major complaint within 2 days'),
  'C3:reportToGroup': w('重大投诉 2 个工作日内未向集团报告进展', 'major complaint not reported to the group within 2 working days'),
  'C6:handling': w('已超过与客户约定的处理期限', 'the handling deadline agreed with the customer passed'),
  'C6:progress': w('24 小时内未向客户报告处理进展', 'no progress report to the customer within 24 h'),
  'C7:returnVisit': w('已解决投诉的回访未在一周内完成', 'the return visit of the resolved complaint was not made within a week'),
  'C11:closingReply': w('处理完毕后 1 个工作日内未回复客户并结案', 'no closing reply to the customer within 1 working day of the end of handling'),
};

/** R12's two reconciliations a day. */
export const SLOT_WORDS: Record<'morning' | 'afternoon', Words> = {
  morning: w('上午', 'morning'),
  afternoon: w('下午', 'afternoon'),
};

/** A code's words, or — for a code no table knows — a neutral word of the language rather than the code itself. */
export function wordFor<K extends string>(table: Partial<Record<K, Words>>, code: string | undefined, locale: Locale, unknown: Words = w('其他', 'other')): string {
  const words = code === undefined ? undefined : table[code as K];
  return (words ?? unknown)[locale];
}

/** Fills `{name}` placeholders from `params`. */
export function fill(text: string, params: Record<string, string | number | undefined> = {}): string {
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => String(params[name] ?? '—'));
}

/** The sentence for a missed deadline (ESCALATION_REASON_WORDS), its parameters filled in; undefined when the catalogue has none. */
export function escalationReasonWords(name: string | undefined, rule: string | undefined, params: Record<string, string | number> | undefined, locale: Locale): string | undefined {
  const again = Number(params?.revision) > 1;
  const keys = [...(again ? [`${rule}:${name}:again`, `${name}:again`] : []), `${rule}:${name}`, `${name}`];
  const found = keys.map((k) => ESCALATION_REASON_WORDS[k]).find(Boolean);
  return found && fill(found[locale], params);
}

/** The deadline's words: its `${rule}:${name}` entry, else its name's. */
export function deadlineWords(name: string | undefined, rule: string | undefined, locale: Locale): string {
  return wordFor(DEADLINE_WORDS, DEADLINE_WORDS[`${rule}:${name}`] ? `${rule}:${name}` : name, locale, w('时限', 'deadline'));
}

/** A month `YYYY-MM` as a reader says it: 2026年11月, November 2026. */
export function monthWords(month: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  if (locale === 'zh-CN') return `${m[1]}年${Number(m[2])}月`;
  return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
}
