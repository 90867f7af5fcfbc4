/**
 * Every message a case workflow understands, defined once: the API imports these (never string
 * names), the workflows register handlers for them. A staff action is both a signal (fire and
 * forget, e.g. from a batch job) and an update whose validator rejects what the state forbids.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { instant, note } from '../domain/fields';
import type { Actor, Role } from '../domain/people';
import { RETURN_VISIT_METHODS, returnVisitCallSchema, returnVisitExemptionSchema } from '../domain/return-visit';
import type { ComplaintActionName, RepairActionName, ReturnVisitActionName } from '../domain/case-actions';
import { CLOSURE_GROUNDS, COMPLAINT_CATEGORIES, COMPLAINT_SEVERITIES, complaintNewNeedSchema, EXEMPTION_GROUNDS, issueKeySchema, type MajorReason } from '../domain/complaint';

export interface ActionCall<P = unknown> {
  actor: Actor;
  payload: P;
}

export interface ActionSpec<S extends z.ZodType = z.ZodType> {
  /** Roles that may take the action (docs/rules.md §0); checked by the API and again by the validator. */
  roles: readonly Role[];
  /**
   * Builds the payload's schema: called where it is used, never at module load. A workflow's
   * modules are evaluated once per cached workflow, so schemas built at load would be built and kept
   * by every cached case (bench:memory's heap snapshot shows them; figures in bench/RESULTS.md).
   */
  payload: () => S;
  /** One line for the OpenAPI document and the audit trail. */
  summary: string;
}

export type { ComplaintActionName, RepairActionName, ReturnVisitActionName } from '../domain/case-actions';

export const spec = <S extends z.ZodType>(roles: readonly Role[], payload: () => S, summary: string): ActionSpec<S> => ({ roles, payload, summary });

export const fenCents = () => z.number().int().positive().max(100_000_000).describe('amount in fen (分): 1 yuan = 100');

/** Staff actions on a repair (报修), in the product's words. */
export const REPAIR_ACTIONS = {
  accept: spec(['engineer'], () => z.object({ note: note().optional() }).strict(), 'R2: the engineer accepts the work order (接单)'),
  arrive: spec(['engineer'], () => z.object({ note: note().optional() }).strict(), 'R3: the engineer is on site (到场)'),
  customerNotHome: spec(
    ['engineer'],
    () => z.object({ note: note().optional() }).strict(),
    'R6: the engineer came at the agreed time but nobody was home; the butler agrees a new time next (客户不在家)',
  ),
  reschedule: spec(
    ['butler', 'frontdesk', 'supervisor'],
    () => z
        .object({ appointmentAt: instant(), reached: z.boolean(), note: note().optional() })
        .strict()
        .refine((v) => v.reached || v.note, { path: ['note'], message: 'when the customer could not be reached, record the note left for them (R6)' }),
    'R6: a new appointment agreed with the customer, or set after leaving a note when unreachable (改约)',
  ),
  recordMeasures: spec(
    ['engineer'],
    () => z
        .object({ measures: note().optional(), explanation: note().optional(), promisedAt: instant() })
        .strict()
        .refine((v) => v.measures || v.explanation, { path: ['measures'], message: 'record the emergency measures (R3) or the explanation (R4)' }),
    'R3/R4: not repairable in time — emergency measures or an explanation, and a new promised time that becomes the deadline (限时承诺)',
  ),
  complete: spec(
    ['engineer'],
    () => z
        .object({ summary: note(), feeCents: fenCents().optional(), feeDescription: note().optional() })
        .strict()
        .refine((v) => !v.feeCents || v.feeDescription, { path: ['feeDescription'], message: 'say what the fee is for (R8)' }),
    'The repair is done; a paid special service records its fee (完工)',
  ),
  signOff: spec(
    ['engineer', 'butler', 'frontdesk'],
    () => z.object({ accepted: z.boolean(), note: note().optional() }).strict(),
    'R8: the customer inspects the work and signs, or rejects it (验收签字)',
  ),
  markInvalid: spec(
    ['frontdesk', 'butler', 'engineer', 'supervisor'],
    () => z.object({ reason: note() }).strict(),
    'R1: caused by the owner or outside the warranty scope — closed as invalid with a written reason (无效报修)',
  ),
  recordUnfinishedReason: spec(
    ['butler', 'frontdesk', 'engineer', 'supervisor'],
    () => z.object({ reason: note() }).strict(),
    'R12: why the request is not finished today (未完成原因)',
  ),
} as const satisfies Record<RepairActionName, ActionSpec>;

// Complaint actions are open to every role that handles some kind of complaint; the workflow then
// lets only the roles of this complaint's kind act (COMPLAINT_ROUTING: hr for employee complaints,
// audit for reports).
const ALL_HANDLERS = ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter', 'hr', 'audit'] as const;
const OWNERS = ['butler', 'supervisor', 'manager', 'hr', 'audit'] as const;
const SENIOR = ['supervisor', 'manager', 'hr', 'audit'] as const;
const APPROVERS = ['manager', 'hr', 'audit'] as const;

/** Staff actions on a complaint (投诉), in the product's words (docs/rules.md §3). */
export const COMPLAINT_ACTIONS = {
  respond: spec(ALL_HANDLERS, () => z.object({ note: note() }).strict(), 'C1: the first response to the customer, within 30 min (首次响应)'),
  classify: spec(
    OWNERS,
    () => z
        .object({
          severity: z.enum(COMPLAINT_SEVERITIES),
          category: z.enum(COMPLAINT_CATEGORIES),
          department: z.string().trim().min(1).max(64).describe('C6: the responsible department'),
          issueKey: issueKeySchema().optional().describe('C4: the issue this complaint is about; 3 complainants in 30 days make it major'),
          ourFault: z
            .boolean()
            .optional()
            .describe('C4: whether the cause lies with us; unless recorded as not our fault, a complaint still unresolved a week after it was made becomes major'),
          seriousLossOrInjury: z.boolean().optional().describe('C4: serious financial loss or personal injury (重大经济损失或人身伤害) makes the complaint major'),
          assigneeId: z.string().trim().min(1).max(32).optional(),
        })
        .strict(),
    'C3/C4/C5/C6: severity, category, responsible department and issue (定级、分类、责任部门)',
  ),
  markInvalid: spec(OWNERS, () => z.object({ explanation: note() }).strict(), 'C1: a misunderstanding — explained to the customer and closed without return visit (无效投诉)'),
  flagLawsuitOrMediaRisk: spec(SENIOR, () => z.object({ note: note() }).strict(), 'C4: a lawsuit or media risk appeared; the complaint becomes major (诉讼/媒体风险)'),
  firstReply: spec(ALL_HANDLERS, () => z.object({ note: note() }).strict(), 'C3: the first reply, within 2 working days (general) or 1 (important, major) (首次答复)'),
  writtenReply: spec(SENIOR, () => z.object({ note: note() }).strict(), 'C3: the written reply of a major complaint, within 2 days (书面回复)'),
  reportToGroup: spec(SENIOR, () => z.object({ note: note() }).strict(), 'C3: progress of a major complaint to the group, within 2 working days (上报集团)'),
  agreeHandling: spec(
    OWNERS,
    () => z
        .object({
          method: note(),
          dueAt: instant(),
          department: z.string().trim().min(1).max(64).optional(),
          analysis: note().optional().describe('C8: why the customer was not satisfied — required after an unsatisfied return visit'),
        })
        .strict(),
    'C6/C8: the handling method and deadline agreed with the customer; after an unsatisfied visit, the analysis and the improvement (处理方法、完成期限)',
  ),
  reportProgress: spec(ALL_HANDLERS, () => z.object({ note: note() }).strict(), 'C6: progress reported to the customer, at least every 24 h while handling lasts (进度反馈)'),
  proposeCorrective: spec(
    OWNERS,
    () => z.object({ causeAnalysis: note(), correctiveAction: note(), preventiveAction: note().optional() }).strict(),
    'C6: the cause analysis and the corrective/preventive action, for the manager to approve before they are carried out (原因分析、纠正预防措施)',
  ),
  approveCorrective: spec(
    APPROVERS,
    () => z.object({ approved: z.boolean(), note: note().optional() }).strict(),
    'C6: the manager approves the corrective action before it is carried out (经项目经理确认后实施), or sends it back (审批纠正措施)',
  ),
  recordHandling: spec(OWNERS, () => z.object({ result: note() }).strict(), 'C6: handling done, once its corrective action was approved — the result; the C11 closing reply is due from now (处理完毕)'),
  scheduleReturnVisit: spec(
    SENIOR,
    () => z.object({ visitAt: instant(), method: z.enum(RETURN_VISIT_METHODS), note: note().optional() }).strict(),
    'C7: the customer is told when the supervisor will visit — before the visit is recorded (回访时间告知)',
  ),
  recordReturnVisit: spec(
    SENIOR,
    () => z
        .object({
          method: z.enum(RETURN_VISIT_METHODS),
          answered: z.boolean().default(true),
          satisfied: z.boolean().optional(),
          comments: note().optional(),
          newNeed: complaintNewNeedSchema().optional().describe('V3: a new need the customer raised; it becomes a request of its kind'),
        })
        .strict()
        .refine((v) => !v.answered || v.satisfied !== undefined, { path: ['satisfied'], message: 'an answered visit records whether the customer is satisfied' })
        .refine((v) => v.answered || !v.newNeed, { path: ['newNeed'], message: 'nobody answered: there is no new need to record (V2)' }),
    'C7/C8/V2/V3: the supervisor\'s return visit — the customer\'s verdict and any new need, or an unanswered call to repeat at another time of day (回访)',
  ),
  exempt: spec(SENIOR, () => z.object({ ground: z.enum(EXEMPTION_GROUNDS), reason: note() }).strict(), 'C7: no return visit — solved on the spot, anonymous or sensitive; closes after a quiet week (免回访)'),
  repeatComplaint: spec(ALL_HANDLERS, () => z.object({ note: note() }).strict(), 'C7: the customer complained again within the quiet week; handling resumes (重复投诉)'),
  explain: spec(SENIOR, () => z.object({ explanation: note() }).strict(), 'C8: unsatisfied, but nothing more can be improved — explained to the customer (解释)'),
  closeWithoutAgreement: spec(
    ['supervisor', 'manager', 'hr', 'audit'],
    () => z.object({ ground: z.enum(CLOSURE_GROUNDS), reason: note() }).strict(),
    'C9: closed although the customer does not agree — lawful handling, beyond our authority, unreachable, unconfirmed, with the reason (不同意亦结案)',
  ),
  archive: spec(APPROVERS, () => z.object({ note: note().optional() }).strict(), 'C7: the manager approves and the complaint is archived (归档)'),
  closingReply: spec(ALL_HANDLERS, () => z.object({ note: note() }).strict(), 'C11: the reply to the customer after closing, within 1 working day (结案回复)'),
} as const satisfies Record<ComplaintActionName, ActionSpec>;


/** C4: another complaint of the same issue reached the threshold (or R11/C8 from elsewhere): become major. */
export const complaintUpgradeSignal = defineSignal<[{ reason: MajorReason; rule: string; detail: string }]>('upgrade');


export type SlaState = 'ok' | 'warning' | 'breached';

export type CaseKind = 'repair' | 'return_visit' | 'complaint' | 'request' | 'special_service' | 'patrol_finding';

export interface DeadlineView {
  name: string;
  /** The rule of docs/rules.md that sets it, e.g. R3. */
  rule: string;
  dueAt: string;
  state: 'pending' | 'met' | 'missed' | 'cancelled';
  warned: boolean;
}

export interface AuditEntry {
  seq: number;
  action: string;
  actorId: string;
  actorRole: string;
  at: string;
  payload?: Record<string, unknown>;
}

/** What every case workflow keeps in its state and shows. */
export interface CaseBasics {
  caseId: string;
  status: string;
  severity: string;
  areaId: string;
  room?: string;
  assigneeId?: string;
  slaState: SlaState;
  escalated: boolean;
  deadlines: DeadlineView[];
  recent: AuditEntry[];
  receivedAt: string;
  closedAt?: string;
  /** What staff should know about how the case counts its time, e.g. working days assumed Mon–Fri. */
  notes?: string[];
}

/** What `caseView` returns and every update answers with. */
export interface CaseView extends CaseBasics {
  workflowId: string;
  kind: CaseKind;
  allowedActions: string[];
}

export const caseViewQuery = defineQuery<CaseView>('caseView');

/**
 * Sent with a case's start by the API (update-with-start): answers once the case row is written, so
 * the API's 201 means the case takes the actions of its first state at once.
 */
export const caseOpenedUpdate = defineUpdate<{ caseId: string }>('caseOpened');

export type ActionTable = Record<string, ActionSpec>;
type PayloadOf<T extends ActionTable, A extends keyof T> = z.infer<ReturnType<T[A]['payload']>>;

/** An update and a signal per action of a table; names are the action names (per workflow type). */
export interface CaseMessages<T extends ActionTable> {
  updates: { [A in keyof T]: ReturnType<typeof defineUpdate<CaseView, [ActionCall<PayloadOf<T, A>>]>> };
  signals: { [A in keyof T]: ReturnType<typeof defineSignal<[ActionCall<PayloadOf<T, A>>]>> };
}

export function caseMessages<T extends ActionTable>(table: T): CaseMessages<T> {
  const names = Object.keys(table);
  return {
    updates: Object.fromEntries(names.map((name) => [name, defineUpdate<CaseView, [ActionCall]>(name)])),
    signals: Object.fromEntries(names.map((name) => [name, defineSignal<[ActionCall]>(name)])),
  } as CaseMessages<T>;
}

export const repairMessages = caseMessages(REPAIR_ACTIONS);
export const complaintMessages = caseMessages(COMPLAINT_ACTIONS);

// ---- return visits (回访, V1–V4) ----

/** Staff actions on a return visit (回访), in the product's words. */
export const RETURN_VISIT_ACTIONS = {
  recordCall: spec(
    ['butler', 'supervisor', 'callcenter'],
    returnVisitCallSchema,
    'V1–V3: one attempt to reach the customer — unanswered (call again at another time of day), or their verdict and any new need (回访记录)',
  ),
  exempt: spec(['supervisor'], returnVisitExemptionSchema, 'C7: the supervisor waives the return visit, with the reason (免回访)'),
} as const satisfies Record<ReturnVisitActionName, ActionSpec>;

export const returnVisitMessages = caseMessages(RETURN_VISIT_ACTIONS);

/** R9: it rained at `at` (ISO instant); a leak repair's return visit falls due from then — it answers whether it did. */
export const rainfallUpdate = defineUpdate<{ moved: boolean; reason?: string }, [{ at: string }]>('rainfall');
