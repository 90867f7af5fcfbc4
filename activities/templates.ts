/** Mail texts, zh-CN first with an English line, so a message reads well on a phone. */
import { DEFAULT_TIME_ZONE, displayTime } from '../domain/calendar';
import { SURVEY_TEMPLATES } from './survey-templates';
import { RECONCILIATION_SLOTS, type OpenRequestLine, type ReconciliationSlot, type ReconciliationSummary } from '../domain/reconciliation';

export interface MailContent {
  subject: string;
  text: string;
}

export interface CaseMailData {
  caseId: string;
  room?: string;
  classification?: string;
  description?: string;
  contactPhone?: string;
  dueAt?: string;
  deadline?: string;
  rule?: string;
  reason?: string;
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

const SEVERITY_LABELS: Record<string, string> = { general: '一般投诉', important: '重要投诉', major: '重大投诉' };
const KIND_LABELS: Record<string, string> = { customer: '客户投诉', employee: '员工投诉', report: '举报' };

const CLASS_LABELS: Record<string, string> = { urgent: '急修', general: '一般维修', major: '预约维修' };

function localTime(iso: string | undefined): string {
  if (!iso) return '—';
  return displayTime(iso, DEFAULT_TIME_ZONE);
}

/** Joins the lines that apply; '' stays, as the blank line between the Chinese and the English text. */
function lines(...parts: (string | false | undefined)[]): string {
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

const STATUS_LABELS: Record<string, string> = {
  received: '已受理',
  dispatched: '已派工',
  accepted: '已接单',
  on_site: '维修中',
  completed: '已完工待验收',
  rejected: '验收未通过',
  signed_off: '已验收',
  awaiting_return_visit: '待回访',
};

function shortTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '—';
  return displayTime(iso, timeZone, 'short');
}

function openRequestLines(requests: OpenRequestLine[], timeZone: string): string[] {
  return requests.flatMap((r, i) => [
    `${i + 1}. ${r.caseId} · ${r.room ?? `公区 ${r.areaId}`} · ${STATUS_LABELS[r.status] ?? r.status} · 受理 ${shortTime(r.receivedAt, timeZone)} · 维修 ${r.assigneeId ?? '未派工'}`,
    r.reasonToday
      ? `   今日未完成原因：${r.reason}（${shortTime(r.reasonAt, timeZone)} 记录）`
      : `   ⚠ 今日未记录未完成原因${r.reason ? `（上次 ${shortTime(r.reasonAt, timeZone)}：${r.reason}）` : ''}`,
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
const PROGRESS_STEPS: Record<string, [string, string]> = {
  dispatched: ['已受理并派工，维修人员将尽快接单', 'has been received and sent to an engineer'],
  accept: ['维修人员已接单', 'was accepted by an engineer'],
  arrive: ['维修人员已到场', 'the engineer is on site'],
  reschedule: ['已与您约定新的上门时间', 'a new visit time has been agreed with you'],
  recordMeasures: ['暂未修复，已采取临时措施并给出新的承诺时间', 'is not fixed yet; measures were taken and a new time promised'],
  complete: ['维修已完成，请验收', 'is done; please check the work'],
  signOff: ['验收结果已记录', 'your sign-off was recorded'],
  closed: ['已办结，欢迎评价', 'is closed; tell us how we did'],
};

export const TEMPLATES = {
  /** R2: the work order (派工单) to the engineer; its link opens the order on the engineer's phone. */
  dispatch: (d: CaseMailData & { orderUrl?: string }): MailContent => ({
    subject: `【派工单】${d.caseId} ${CLASS_LABELS[d.classification ?? ''] ?? ''} ${d.room ?? ''}`.trim(),
    text: lines(
      `维修工作单 ${d.caseId}`,
      `房号：${d.room ?? '公区'}`,
      `类别：${CLASS_LABELS[d.classification ?? ''] ?? d.classification}`,
      `报修内容：${d.description ?? ''}`,
      d.contactPhone && `客户电话：${d.contactPhone}`,
      `请在 ${localTime(d.dueAt)} 前接单。`,
      d.orderUrl && `接单：${d.orderUrl}`,
      '',
      `Work order ${d.caseId}: please accept by ${d.dueAt}.`,
    ),
  }),
  /** A staff member's one-time link to set their console password, when the account is created or reset. */
  passwordLink: (d: PasswordLinkMailData): MailContent => ({
    subject: d.purpose === 'created' ? `【客服中心】请设置您的登录密码（${d.staffId}）` : `【客服中心】重置登录密码（${d.staffId}）`,
    text: lines(
      `${d.name}，您好：`,
      d.purpose === 'created' ? `已为您开通客服中心工作台账号，工号 ${d.staffId}。` : `工号 ${d.staffId} 的登录密码可以重新设置了。`,
      `请在 ${localTime(d.expiresAt)} 前打开以下链接设置密码（仅可使用一次）：`,
      d.url,
      '如非本人操作，请忽略本邮件并告知项目经理。',
      '',
      `Set your console password for ${d.staffId} (once, before ${d.expiresAt}): ${d.url}`,
    ),
  }),
  /** The household hears each step of its repair, with its personal link to the case page. */
  caseProgress: (d: CaseProgressMailData): MailContent => {
    const [zh, en] = PROGRESS_STEPS[d.step] ?? ['有新的进展', 'has news'];
    return {
      subject: `【报修进度】${d.caseId} ${zh}`,
      text: lines(
        `您的报修 ${d.caseId}${d.room ? `（${d.room}）` : ''}${zh}。`,
        d.progressUrl && `随时查看进度：${d.progressUrl}`,
        '此链接仅用于查看本次报修，请勿转发。',
        '',
        `Your repair ${d.caseId} ${en}.${d.progressUrl ? ` Follow it: ${d.progressUrl}` : ''}`,
      ),
    };
  },
  /** R2: a copy to the area's butler, who follows the repair. */
  dispatchCopy: (d: CaseMailData): MailContent => ({
    subject: `【报修跟进】${d.caseId} ${d.room ?? ''}`.trim(),
    text: lines(
      `报修 ${d.caseId} 已派工，请跟进。`,
      `房号：${d.room ?? '公区'}；类别：${CLASS_LABELS[d.classification ?? ''] ?? d.classification}`,
      d.link && `工单：${d.link}`,
      '',
      `Repair ${d.caseId} was dispatched; please follow it.`,
    ),
  }),
  /** A deadline is near (SlaState=warning): its owner hears it once, before it is missed. */
  slaWarning: (d: CaseMailData): MailContent => ({
    subject: `【时限预警】${d.caseId} ${d.deadline ?? ''}`.trim(),
    text: lines(
      `案件 ${d.caseId} 的时限即将到期：${d.deadline ?? ''}（${d.rule ?? ''}），请在 ${localTime(d.dueAt)} 前完成。`,
      d.room && `房号：${d.room}`,
      d.link && `案件：${d.link}`,
      '',
      `Case ${d.caseId}: "${d.deadline}" (${d.rule}) is due ${d.dueAt}; act before it is missed.`,
    ),
  }),
  /** A missed deadline, to the role that must act. */
  escalation: (d: CaseMailData): MailContent => ({
    subject: `【超时升级】${d.caseId} ${d.deadline ?? ''}`.trim(),
    text: lines(
      `案件 ${d.caseId} 未在时限内完成：${d.deadline ?? ''}（${d.rule ?? ''}）。`,
      `时限：${localTime(d.dueAt)}`,
      d.reason && `说明：${d.reason}`,
      d.link && `案件：${d.link}`,
      '',
      `Case ${d.caseId} missed its deadline "${d.deadline}" (${d.rule}), due ${d.dueAt}.`,
    ),
  }),
  /** R3/R4: the customer (and butler) hear the new promised time. */
  newPromise: (d: CaseMailData): MailContent => ({
    subject: `【维修进度】${d.caseId} 新的承诺完成时间`,
    text: lines(
      `您的报修 ${d.caseId}（${d.room ?? '公区'}）暂未能在时限内完成。`,
      d.measures && `已采取的处理措施/说明：${d.measures}`,
      `新的承诺完成时间：${localTime(d.promisedAt)}`,
      '',
      `Repair ${d.caseId}: new promised completion time ${d.promisedAt}.`,
    ),
  }),
  /** R6: the engineer found nobody home; the area's butler agrees a new time with the customer. */
  customerNotHome: (d: CaseMailData): MailContent => ({
    subject: `【客户不在家】${d.caseId} ${d.room ?? ''} 请改约`.trim(),
    text: lines(
      `报修 ${d.caseId}（${d.room ?? '公区'}）：维修人员${d.by ? ` ${d.by}` : ''}按约上门，客户不在家。`,
      d.note && `维修人员留言：${d.note}`,
      `请在 ${localTime(d.dueAt)} 前与客户约定新的上门时间；联系不上的，请留言并定下新的日期后记录（改约）。`,
      d.link && `工单：${d.link}`,
      '',
      `Repair ${d.caseId}: nobody was home. Agree a new time with the customer (or leave a note and set a date) by ${d.dueAt}.`,
    ),
  }),
  /** R5: one day before a repair appointment. */
  appointmentReminder: (d: CaseMailData): MailContent => ({
    subject: `【预约提醒】${d.caseId} 维修预约 ${localTime(d.appointmentAt)}`,
    text: lines(
      `您预约的维修 ${d.caseId}（${d.room ?? '公区'}）将于 ${localTime(d.appointmentAt)} 上门，请安排家中有人。`,
      '',
      `Reminder: repair ${d.caseId} is booked for ${d.appointmentAt}.`,
    ),
  }),
  /** R1: an invalid request goes back to whoever took it, with the written reason. */
  invalidRequest: (d: CaseMailData): MailContent => ({
    subject: `【无效报修】${d.caseId} 已关闭`,
    text: lines(
      `报修 ${d.caseId}（${d.room ?? '公区'}）经核实为无效报修，已关闭，不安排回访。`,
      `原因：${d.reason ?? ''}`,
      `请通过原渠道（${d.channel ?? ''}）回复客户。`,
      '',
      `Repair ${d.caseId} was closed as invalid: ${d.reason}. Please answer the customer through ${d.channel}.`,
    ),
  }),
  /** R11 / C4: a major complaint was opened; supervisors and managers hear of it once. */
  majorComplaint: (d: CaseMailData): MailContent => ({
    subject: `【重大投诉】${d.caseId}${d.relatedCaseId ? ` ← ${d.relatedCaseId}` : ''}`,
    text: lines(
      `已升级为重大投诉：${d.caseId}${d.room ? `（${d.room}）` : ''}。`,
      d.reason && `原因：${d.reason}`,
      d.relatedCaseId && `关联案件：${d.relatedCaseId}`,
      d.link && `案件：${d.link}`,
      '',
      `Major complaint ${d.caseId} opened${d.relatedCaseId ? ` from ${d.relatedCaseId}` : ''}: ${d.reason ?? ''}`,
    ),
  }),
  /** C1–C3: a new complaint to the role that owns it (area butler, supervisor; hr or audit only for C2 kinds). */
  complaintReceived: (d: CaseMailData): MailContent => ({
    subject: `【投诉】${d.caseId} ${SEVERITY_LABELS[d.severity ?? ''] ?? '待定级'}${d.kind && d.kind !== 'customer' ? ` · ${KIND_LABELS[d.kind]}` : ''}`,
    text: lines(
      `新投诉 ${d.caseId}${d.kind && d.kind !== 'customer' ? `（${KIND_LABELS[d.kind]}，保密）` : d.room ? `（${d.room}）` : ''}，请在 30 分钟内响应客户（C1）。`,
      d.description && `内容：${d.description}`,
      d.link && `案件：${d.link}`,
      '',
      `New complaint ${d.caseId}: respond within 30 minutes (C1).`,
    ),
  }),
  /** C3: a general or important complaint routed to the department that handles it: its head is told. */
  complaintRouted: (d: CaseMailData): MailContent => ({
    subject: `【投诉转办】${d.caseId} ${SEVERITY_LABELS[d.severity ?? ''] ?? ''} → ${d.note ?? ''}`.trim(),
    text: lines(
      `投诉 ${d.caseId}${d.room ? `（${d.room}）` : ''} 定为${SEVERITY_LABELS[d.severity ?? ''] ?? '投诉'}，由 ${d.note ?? '贵部门'} 负责处理。`,
      d.kind && `类别：${d.kind}`,
      '请与客户商定处理方法与完成期限（C6），按时首次回复。',
      d.link && `案件：${d.link}`,
      '',
      `Complaint ${d.caseId} (${d.severity}) is routed to your department (${d.note}) for handling.`,
    ),
  }),
  /** C3: a major complaint is transferred to the group (the 8080 centre and the group's complaint contact) with its facts. */
  groupTransfer: (d: CaseMailData): MailContent => ({
    subject: `【重大投诉转集团】${d.caseId}`,
    text: lines(
      `重大投诉 ${d.caseId}${d.room ? `（${d.room}）` : ''} 已按规定转报集团（8080 客服中心）。`,
      d.kind && `类别：${d.kind}`,
      d.reason && `升级原因：${d.reason}`,
      d.description && `投诉内容：${d.description}`,
      `项目将在 ${localTime(d.dueAt)} 前（转报后 2 个工作日内）报告处理进展。`,
      d.link && `案件：${d.link}`,
      '',
      `Major complaint ${d.caseId} is transferred to the group; its progress report is due by ${d.dueAt}.`,
    ),
  }),
  /** C2/C3: an employee complaint or a report, closed: the 8080 centre hears the result, not the content. */
  confidentialResult: (d: CaseMailData): MailContent => ({
    subject: `【保密投诉办结】${d.caseId} ${KIND_LABELS[d.kind ?? ''] ?? ''}`.trim(),
    text: lines(
      `${KIND_LABELS[d.kind ?? ''] ?? '投诉'} ${d.caseId} 已办结（${d.note ?? ''}）。`,
      '内容保密，如需了解请联系人力资源部或审计部。',
      '',
      `${d.kind} ${d.caseId} is closed (${d.note}); its content stays with hr or audit.`,
    ),
  }),
  /** C1: an invalid complaint, explained to the customer, back to whoever took it. */
  invalidComplaint: (d: CaseMailData): MailContent => ({
    subject: `【无效投诉】${d.caseId} 已关闭`,
    text: lines(
      `投诉 ${d.caseId} 经核实为无效投诉（客户误解），已向客户解释并关闭，不安排回访。`,
      `解释：${d.reason ?? ''}`,
      `请通过原渠道（${d.channel ?? ''}）确认客户已收到解释。`,
      '',
      `Complaint ${d.caseId} was closed as invalid: ${d.reason}.`,
    ),
  }),
  /** C11: the reply to the customer after the complaint is closed. */
  complaintReply: (d: CaseMailData): MailContent => ({
    subject: `【投诉处理回复】${d.caseId}`,
    text: lines(`您的投诉 ${d.caseId} 已处理完毕并结案。`, d.note && `回复：${d.note}`, '感谢您的监督与支持。', '', `Your complaint ${d.caseId} is closed: ${d.note ?? ''}`),
  }),
  /** C7: the customer is told in advance when the supervisor will visit about their complaint. */
  complaintVisitNotice: (d: CaseMailData): MailContent => ({
    subject: `【投诉回访预约】${d.caseId} ${localTime(d.appointmentAt)}`,
    text: lines(
      `您的投诉 ${d.caseId} 已处理完毕。客服主管将于 ${localTime(d.appointmentAt)} 回访，了解您是否满意。`,
      '如需改约，请联系物业客服中心。',
      '',
      `Your complaint ${d.caseId} was handled; our supervisor will follow up at ${d.appointmentAt}.`,
    ),
  }),
  /** C10: a site warns of a likely group complaint before it happens. */
  complaintWarning: (d: CaseMailData): MailContent => ({
    subject: `【投诉预警】${d.caseId}`,
    text: lines(
      `投诉预警 ${d.caseId}${d.room ? `（${d.room}）` : ''}：可能发生群体投诉。`,
      d.reason && `原因：${d.reason}`,
      d.measures && `已采取措施：${d.measures}`,
      d.note && `统一口径：${d.note}`,
      d.link && `详情：${d.link}`,
      '',
      `Complaint pre-warning ${d.caseId}: a group complaint is likely.`,
    ),
  }),
  /** V4: a return visit found the customer unsatisfied; the supervisor follows it by the deadline. */
  nonConformity: (d: CaseMailData): MailContent => ({
    subject: `【回访不满意】${d.caseId}${d.relatedCaseId ? ` ← ${d.relatedCaseId}` : ''}`,
    text: lines(
      `回访 ${d.caseId} 客户不满意${d.relatedCaseId ? `，原案件 ${d.relatedCaseId}` : ''}${d.room ? `（${d.room}）` : ''}。`,
      d.reason && `客户意见：${d.reason}`,
      `请跟进整改，并在 ${localTime(d.dueAt)} 前再次回访至客户满意。`,
      d.link && `案件：${d.link}`,
      '',
      `Return visit ${d.caseId}: the customer is not satisfied${d.relatedCaseId ? ` with ${d.relatedCaseId}` : ''}; follow it up and revisit by ${d.dueAt}.`,
    ),
  }),
  /** I3/S3: a suggestion judged valuable, to the supervisor (合理化建议). */
  suggestionForwarded: (d: CaseMailData): MailContent => ({
    subject: `【客户建议】${d.caseId}${d.room ? ` ${d.room}` : ''}`,
    text: lines(
      `客户建议 ${d.caseId}${d.room ? `（${d.room}）` : ''} 经评估有价值，已转主管并归档。`,
      d.description && `建议内容：${d.description}`,
      d.note && `评估意见：${d.note}`,
      d.link && `案件：${d.link}`,
      '',
      `Suggestion ${d.caseId} was judged valuable and forwarded to the supervisor.`,
    ),
  }),
  /** O1: a patrol finding becomes a rectification notice (问题整改通知单) to a department. */
  rectificationNotice: (d: CaseMailData): MailContent => ({
    subject: `【整改通知】${d.caseId} ${d.kind ?? ''}`.trim(),
    text: lines(
      `问题整改通知单 ${d.caseId}（${d.kind ?? ''}）`,
      d.note && `位置：${d.note}`,
      d.description && `问题：${d.description}`,
      d.reason && `照片：${d.reason}`,
      `请在 ${localTime(d.dueAt)} 前整改完成，并尽快开始整改。`,
      d.link && `案件：${d.link}`,
      '',
      `Rectification notice ${d.caseId} (${d.kind}): rectify by ${d.dueAt}.`,
    ),
  }),
  /** R12: the open requests a butler reconciles with the front desk; the front desk gets every list. */
  openRequests: (d: OpenRequestsMailData): MailContent => {
    const slot = RECONCILIATION_SLOTS[d.slot].label;
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
          ...(l.requests.length ? openRequestLines(l.requests, d.timeZone) : ['（无未完成报修）']),
        ]),
        d.link && `详情：${d.link}`,
        '',
        `Open requests ${d.date} (${d.slot}): ${requests.length}, ${missing} without a reason recorded today.`,
      ),
    };
  },
  /** R12: in the afternoon the supervisor hears what is still open without a reason. */
  openRequestsSummary: (d: OpenRequestsSummaryMailData): MailContent => ({
    subject: `【未完成原因统计】${d.date} ${RECONCILIATION_SLOTS[d.slot].label} · ${d.withoutReason.length} 项今日未记录原因`,
    text: lines(
      `${d.date} ${RECONCILIATION_SLOTS[d.slot].label}核对（R12）：仍有 ${d.withoutReason.length} 项未完成报修今日未记录原因。`,
      '',
      ...d.butlers.map((b) => `管家 ${b.butlerId}：未完成 ${b.open} 项，未记录原因 ${b.withoutReason} 项`),
      ...(d.withoutReason.length
        ? ['', '未记录原因：', ...d.withoutReason.map((r) => `- ${r.caseId} · ${r.room ?? `公区 ${r.areaId}`} · ${STATUS_LABELS[r.status] ?? r.status}`)]
        : []),
      d.link && `详情：${d.link}`,
      '',
      `${d.withoutReason.length} open request(s) have no reason recorded today (${d.date}, ${d.slot}).`,
    ),
  }),
  /** Working days: a year's national arrangement is missing, so cases count it Monday–Friday. */
  calendarMissing: (d: CalendarMissingMailData): MailContent => ({
    subject: `【节假日安排缺失】${d.year} 年国家节假日安排未加载`,
    text: lines(
      `项目 ${d.propertyId} 的工作日日历中没有 ${d.year} 年的国家节假日安排（含调休）。`,
      `在加载之前，${d.year} 年的工作日暂按周一至周五计算：投诉的首次回复、结案回复和问卷的期限会据此计算，法定节假日和调休不被计入。`,
      `请在国务院办公厅发布安排后，以 JSON 或 iCalendar 文件上传：PUT ${d.apiBase}/calendar/national/${d.year}；`,
      `本项目的特殊安排：PUT ${d.apiBase}/properties/calendar-overrides/{日期}；查看：GET ${d.apiBase}/calendar/${d.year}。`,
      '已在处理中的案件保留其开始时的日历；加载之后新开的案件使用新的安排。',
      '',
      `The national holiday arrangement for ${d.year} is not loaded: working days are assumed Monday–Friday until a manager loads it (PUT ${d.apiBase}/calendar/national/${d.year}).`,
    ),
  }),
  /** A case whose workflow failed for a reason no retry can fix (it may not even have opened): the supervisor takes it by hand. */
  caseFailed: (d: CaseMailData): MailContent => ({
    subject: `【案件异常中止】${d.caseId} 需人工处理`,
    text: lines(
      `案件 ${d.caseId} 因无法自动恢复的错误而中止，系统不会再自动处理：${d.reason ?? ''}`,
      d.room && `房号：${d.room}`,
      '请核实后人工处理（重新登记或联系客户），以免客户的诉求无人跟进。',
      d.link && `详情：${d.link}`,
      '',
      `Case ${d.caseId} stopped on an error no retry can fix: ${d.reason ?? ''}. Please take it by hand.`,
    ),
  }),
  ...SURVEY_TEMPLATES,
} satisfies Record<string, (d: never) => MailContent>;

export type TemplateName = keyof typeof TEMPLATES;

/** What some template renders from; a caller pairs the data with its template by name. */
export type MailData = Parameters<(typeof TEMPLATES)[TemplateName]>[0];

export function render(template: TemplateName, data: MailData): MailContent {
  return (TEMPLATES[template] as (d: MailData) => MailContent)(data);
}
