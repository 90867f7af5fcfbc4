/**
 * A repair's state and its set-up: the opening activity (case row, policy, first engineer), the
 * tracker, the `caseView` query and the staff actions. The workflow (../repair.ts) then runs it.
 */
import { setHandler, workflowInfo } from '@temporalio/workflow';
import { REPAIR_ACTIONS_BY_STATUS } from '../../domain/case-actions';
import type { Actor } from '../../domain/people';
import type { ServicePolicy } from '../../domain/policy';
import type { RepairIntake, RepairStatus } from '../../domain/repair';
import { activities, awaitOpening, CaseTracker, openingState, receivedEvent, registerActions, type CoreState, type MovableDeadline } from '../case';
import { caseViewQuery, REPAIR_ACTIONS, repairMessages, type CaseView } from '../messages';
import { repairActions } from './actions';

export interface RepairInput {
  caseId: string;
  propertyId: string;
  areaId: string;
  householdId?: string;
  room?: string;
  intake: RepairIntake;
  receivedAt: string;
  receivedBy: Actor;
}

export interface RepairOutcome {
  caseId: string;
  status: string;
  attempts: number;
  failures: number;
  escalated: boolean;
  complaintId?: string;
}

/** One dispatch of an engineer (R2); it ends when the customer signs off or rejects the work (R8). */
export interface Attempt {
  number: number;
  dispatchedAt: string;
  engineers: string[];
  acceptedAt?: string;
  arrivedAt?: string;
  completedAt?: string;
  fee?: { cents: number; description: string; recordedBy: string };
  signOff?: { accepted: boolean; note?: string };
}

export interface RepairState extends CoreState {
  status: RepairStatus;
  classification: RepairIntake['classification'];
  attempts: Attempt[];
  /** Failed attempts on the same problem (R11). */
  failures: number;
  /** The time agreed with the customer (R5 at intake, R6 after a reschedule). */
  appointmentAt?: string;
  invalidReason?: string;
  complaintId?: string;
  links: { caseId: string; relation: string }[];
}

/** A running repair: what its steps share. */
export interface RepairCase {
  input: RepairInput;
  workflowId: string;
  policy: ServicePolicy;
  state: RepairState;
  tracker: CaseTracker;
  /** The engineer `openCase` chose for the first work order, until that order is dispatched. */
  firstEngineer?: string;
  /** The clocks of the attempt under way; actions move them (R3/R4 new promise, R6 new appointment). */
  clocks?: { arrival: MovableDeadline; fixing?: MovableDeadline };
}

export const isInvalid = (c: RepairCase) => c.state.status === 'invalid';
export const isOver = (c: RepairCase) => c.state.status === 'closed' || isInvalid(c);
export const currentAttempt = (c: RepairCase): Attempt | undefined => c.state.attempts[c.state.attempts.length - 1];

/** The actions a repair takes now (domain/case-actions.ts). */
export const allowedActions = (c: RepairCase) => [...REPAIR_ACTIONS_BY_STATUS[c.state.status]];
export const viewOf = (c: RepairCase): CaseView => c.tracker.view(allowedActions(c));

/** The opening in one activity — the case row, the policy and the first work order's engineer — then the handlers. */
export async function openRepair(input: RepairInput): Promise<RepairCase> {
  const opening = awaitOpening(input.caseId);
  const workflowId = workflowInfo().workflowId;
  const opened = await activities.openCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'repair',
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: input.intake.channel,
      severity: input.intake.classification,
      category: input.intake.publicArea ? 'public-facility' : undefined,
      status: 'received',
      description: input.intake.description,
      contactName: input.intake.contactName,
      contactPhone: input.intake.contactPhone,
      receivedAt: input.receivedAt,
      receivedBy: input.receivedBy.staffId,
    },
    receivedEvent(input, {
      channel: input.intake.channel,
      classification: input.intake.classification,
      tags: input.intake.tags,
      publicArea: input.intake.publicArea,
      appointmentAt: input.intake.appointmentAt,
      underWarranty: input.intake.underWarranty,
      lateEntryReason: input.intake.lateEntryReason,
    }),
    { chooseEngineer: true },
  );
  const state: RepairState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'repair',
    status: 'received',
    severity: input.intake.classification,
    classification: input.intake.classification,
    areaId: input.areaId,
    room: input.room,
    ...openingState(),
    receivedAt: input.receivedAt,
    attempts: [],
    failures: 0,
    appointmentAt: input.intake.appointmentAt,
    links: [],
  };
  const repair: RepairCase = { input, workflowId, policy: opened.policy, state, tracker: new CaseTracker(state, opened.policy, opening), firstEngineer: opened.engineerId };
  setHandler(caseViewQuery, () => viewOf(repair));
  registerActions(REPAIR_ACTIONS, repairMessages, repair.tracker, repairActions(repair));
  repair.tracker.opened();
  return repair;
}
