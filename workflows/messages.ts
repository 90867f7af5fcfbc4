/**
 * Every message a case workflow understands, defined once: the API imports these (never string
 * names), the workflows register handlers for them. A staff action is both a signal (fire and
 * forget, e.g. from a batch job) and an update whose validator rejects what the state forbids.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { Actor, Role } from '../domain/people';
import { returnVisitCallSchema, returnVisitExemptionSchema } from '../domain/return-visit';

export interface ActionCall<P = unknown> {
  actor: Actor;
  payload: P;
}

export interface ActionSpec<S extends z.ZodType = z.ZodType> {
  /** Roles that may take the action (domain.md §0); checked by the API and again by the validator. */
  roles: readonly Role[];
  payload: S;
  /** One line for the OpenAPI document and the audit trail. */
  summary: string;
}

const spec = <S extends z.ZodType>(roles: readonly Role[], payload: S, summary: string): ActionSpec<S> => ({ roles, payload, summary });

const note = z.string().trim().min(1).max(1000);

const instant = z.iso.datetime({ offset: true });
const fenCents = z.number().int().positive().max(100_000_000).describe('amount in fen (分): 1 yuan = 100');

/** Staff actions on a repair (报修), in the product's words. */
export const REPAIR_ACTIONS = {
  accept: spec(['engineer'], z.object({ note: note.optional() }).strict(), 'R2: the engineer accepts the work order (接单)'),
  arrive: spec(['engineer'], z.object({ note: note.optional() }).strict(), 'R3: the engineer is on site (到场)'),
  customerNotHome: spec(
    ['engineer'],
    z.object({ note: note.optional() }).strict(),
    'R6: the engineer came at the agreed time but nobody was home; the butler agrees a new time next (客户不在家)',
  ),
  reschedule: spec(
    ['butler', 'frontdesk', 'supervisor'],
    z
      .object({ appointmentAt: instant, reached: z.boolean(), note: note.optional() })
      .strict()
      .refine((v) => v.reached || v.note, { path: ['note'], message: 'when the customer could not be reached, record the note left for them (R6)' }),
    'R6: a new appointment agreed with the customer, or set after leaving a note when unreachable (改约)',
  ),
  recordMeasures: spec(
    ['engineer'],
    z
      .object({ measures: note.optional(), explanation: note.optional(), promisedAt: instant })
      .strict()
      .refine((v) => v.measures || v.explanation, { path: ['measures'], message: 'record the emergency measures (R3) or the explanation (R4)' }),
    'R3/R4: not repairable in time — emergency measures or an explanation, and a new promised time that becomes the deadline (限时承诺)',
  ),
  complete: spec(
    ['engineer'],
    z
      .object({ summary: note, feeCents: fenCents.optional(), feeDescription: note.optional() })
      .strict()
      .refine((v) => !v.feeCents || v.feeDescription, { path: ['feeDescription'], message: 'say what the fee is for (R8)' }),
    'The repair is done; a paid special service records its fee (完工)',
  ),
  signOff: spec(
    ['engineer', 'butler', 'frontdesk'],
    z.object({ accepted: z.boolean(), note: note.optional() }).strict(),
    'R8: the customer inspects the work and signs, or rejects it (验收签字)',
  ),
  markInvalid: spec(
    ['frontdesk', 'butler', 'engineer', 'supervisor'],
    z.object({ reason: note }).strict(),
    'R1: caused by the owner or outside the warranty scope — closed as invalid with a written reason (无效报修)',
  ),
  recordUnfinishedReason: spec(
    ['butler', 'frontdesk', 'engineer', 'supervisor'],
    z.object({ reason: note }).strict(),
    'R12: why the request is not finished today (未完成原因)',
  ),
} as const satisfies Record<string, ActionSpec>;

/** Staff actions on a complaint (投诉). A minimal set: the complaint workflow of issue 4 extends it. */
export const COMPLAINT_ACTIONS = {
  close: spec(['supervisor', 'manager'], z.object({ resolution: note }).strict(), 'Close the complaint with its resolution (结案)'),
} as const satisfies Record<string, ActionSpec>;

export type RepairActionName = keyof typeof REPAIR_ACTIONS;
export type RepairActionPayload<A extends RepairActionName> = z.infer<(typeof REPAIR_ACTIONS)[A]['payload']>;

export type SlaState = 'ok' | 'warning' | 'breached';

export type CaseKind = 'repair' | 'return_visit' | 'complaint';

export interface DeadlineView {
  name: string;
  /** The rule of domain.md that sets it, e.g. R3. */
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
}

/** What `caseView` returns and every update answers with. */
export interface CaseView extends CaseBasics {
  workflowId: string;
  kind: CaseKind;
  allowedActions: string[];
}

export const caseViewQuery = defineQuery<CaseView>('caseView');

export type ActionTable = Record<string, ActionSpec>;
type PayloadOf<T extends ActionTable, A extends keyof T> = z.infer<T[A]['payload']>;

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
} as const satisfies Record<string, ActionSpec>;

export type ReturnVisitActionName = keyof typeof RETURN_VISIT_ACTIONS;

export const returnVisitMessages = caseMessages(RETURN_VISIT_ACTIONS);

/** R9: it rained at `at` (ISO instant); a leak repair's return visit falls due from then. */
export const rainfallSignal = defineSignal<[{ at: string }]>('rainfall');
