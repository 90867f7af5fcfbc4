/** Mail texts, zh-CN first with an English line, so a message reads well on a phone. */
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
}

const CLASS_LABELS: Record<string, string> = { urgent: '急修', general: '一般维修', major: '预约维修' };

function localTime(iso: string | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter(Boolean).join('\n');
}

export const TEMPLATES = {
  /** R2: the work order (派工单) to the engineer. */
  dispatch: (d: CaseMailData): MailContent => ({
    subject: `【派工单】${d.caseId} ${CLASS_LABELS[d.classification ?? ''] ?? ''} ${d.room ?? ''}`.trim(),
    text: lines(
      `维修工作单 ${d.caseId}`,
      `房号：${d.room ?? '公区'}`,
      `类别：${CLASS_LABELS[d.classification ?? ''] ?? d.classification}`,
      `报修内容：${d.description ?? ''}`,
      d.contactPhone && `客户电话：${d.contactPhone}`,
      `请在 ${localTime(d.dueAt)} 前接单。`,
      d.link && `工单：${d.link}`,
      '',
      `Work order ${d.caseId}: please accept by ${d.dueAt}.`,
    ),
  }),
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
} satisfies Record<string, (d: CaseMailData) => MailContent>;

export type TemplateName = keyof typeof TEMPLATES;
