/**
 * Every message a case workflow understands, defined once: the API imports these (never string
 * names), the workflows register handlers for them. A staff action is both a signal (fire and
 * forget, e.g. from a batch job) and an update whose validator rejects what the state forbids.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { Actor, Role } from '../domain/people';

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

/** Staff actions on a repair (报修), in the product's words. */
export const REPAIR_ACTIONS = {
  accept: spec(['engineer'], z.object({ note: note.optional() }).strict(), 'R2: the engineer accepts the work order (接单)'),
  arrive: spec(['engineer'], z.object({ note: note.optional() }).strict(), 'R3: the engineer is on site (到场)'),
  complete: spec(['engineer'], z.object({ summary: note }).strict(), 'The repair is done; the customer inspects it next (完工)'),
  signOff: spec(
    ['engineer', 'butler', 'frontdesk'],
    z.object({ accepted: z.boolean(), note: note.optional() }).strict(),
    'R8: the customer inspects the work and signs, or rejects it (验收签字)',
  ),
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

// ---- return visits (回访, V1–V4) ----
