/**
 * A repair request (报修), from intake to the customer's sign-off (domain.md §2). One workflow per
 * request; its ID is the case number's business key, e.g. `repair-R20261122-0007`.
 */
import { ApplicationFailure, setHandler, condition, allHandlersFinished, workflowInfo } from '@temporalio/workflow';
import type { Actor } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import type { RepairIntake } from '../domain/repair';
import { activities, CaseTracker, registerActions, type CoreState } from './case-core';
import { caseViewQuery, REPAIR_ACTIONS, repairMessages, type ActionCall, type CaseView, type RepairActionName } from './messages';

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
  escalated: boolean;
}

/** One visit of an engineer to fix the problem; a rejected sign-off starts the next (R10). */
interface Attempt {
  number: number;
  dispatchedAt: string;
  engineers: string[];
  acceptedAt?: string;
  arrivedAt?: string;
  completedAt?: string;
  signOff?: { accepted: boolean; note?: string };
}

interface RepairState extends CoreState {
  classification: RepairIntake['classification'];
  attempts: Attempt[];
}

export async function repair(input: RepairInput): Promise<RepairOutcome> {
  const policy: ServicePolicy = await activities.loadPolicy(input.propertyId);
  const state: RepairState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'repair',
    status: 'received',
    severity: input.intake.classification,
    classification: input.intake.classification,
    areaId: input.areaId,
    room: input.room,
    slaState: 'ok',
    escalated: false,
    deadlines: [],
    recent: [],
    seq: 0,
    receivedAt: input.receivedAt,
    attempts: [],
  };
  const tracker = new CaseTracker(state, policy);
  const current = (): Attempt | undefined => state.attempts[state.attempts.length - 1];

  // ---- staff actions: one transition table serves the update validators, updates and signals ----
  const allowed = (): RepairActionName[] => {
    const a = current();
    if (!a || state.status === 'closed') return [];
    if (state.status === 'dispatched') return ['accept'];
    if (state.status === 'accepted') return ['arrive'];
    if (state.status === 'on_site') return ['complete'];
    if (state.status === 'completed') return ['signOff'];
    return [];
  };

  const view = (): CaseView => ({
    caseId: state.caseId,
    workflowId: workflowInfo().workflowId,
    kind: 'repair',
    status: state.status,
    severity: state.severity,
    areaId: state.areaId,
    room: state.room,
    assigneeId: state.assigneeId,
    slaState: state.slaState,
    escalated: state.escalated,
    deadlines: state.deadlines,
    allowedActions: allowed(),
    recent: state.recent,
    receivedAt: state.receivedAt,
    closedAt: state.closedAt,
  });

  async function apply(name: RepairActionName, call: ActionCall): Promise<CaseView> {
    const attempt = current()!;
    const now = new Date().toISOString();
    switch (name) {
      case 'accept':
        attempt.acceptedAt = now;
        state.status = 'accepted';
        break;
      case 'arrive':
        attempt.arrivedAt = now;
        state.status = 'on_site';
        break;
      case 'complete':
        attempt.completedAt = now;
        state.status = 'completed';
        break;
      case 'signOff': {
        const payload = call.payload as { accepted: boolean; note?: string };
        attempt.signOff = payload;
        state.status = payload.accepted ? 'signed_off' : 'rejected';
        break;
      }
    }
    await tracker.audit(name, call.actor, call.payload as Record<string, unknown>);
    return view();
  }

  setHandler(caseViewQuery, view);
  registerActions(REPAIR_ACTIONS, repairMessages, {
    allowed,
    describe: () => `repair is ${state.status}`,
    check(name, call) {
      const engineerOnly = name === 'accept' || name === 'arrive' || name === 'complete';
      if (engineerOnly && call.actor.staffId !== state.assigneeId) {
        throw ApplicationFailure.create({ type: 'NotAssignee', message: `the work order is assigned to ${state.assigneeId}, not ${call.actor.staffId}` });
      }
    },
    apply,
  });

  // ---- intake ----
  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId: workflowInfo().workflowId,
      kind: 'repair',
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: input.intake.channel,
      severity: input.intake.classification,
      status: state.status,
      description: input.intake.description,
      contactName: input.intake.contactName,
      contactPhone: input.intake.contactPhone,
      receivedAt: input.receivedAt,
      receivedBy: input.receivedBy.staffId,
    },
    {
      idempotencyKey: `${workflowInfo().workflowId}:0`,
      action: 'received',
      actor: input.receivedBy,
      at: input.receivedAt,
      payload: { channel: input.intake.channel, classification: input.intake.classification, tags: input.intake.tags },
    },
  );
  tracker.refresh();

  // ---- dispatch and the clocks of one attempt ----
  async function dispatch(attempt: Attempt): Promise<void> {
    const engineerId = await activities.chooseEngineer({ propertyId: input.propertyId, areaId: input.areaId, exclude: attempt.engineers });
    attempt.engineers.push(engineerId);
    state.assigneeId = engineerId;
    state.status = 'dispatched';
    await tracker.audit('dispatched', { staffId: 'system', role: 'system' }, { engineerId, attempt: attempt.number });
  }

  /** The work order to the engineer and, R2, a copy to the area's butler who follows the repair. */
  async function sendWorkOrder(attempt: Attempt, acceptBy: Date): Promise<void> {
    const step = `${attempt.number}.${attempt.engineers.length}`;
    const workflowId = workflowInfo().workflowId;
    await Promise.all([
      activities.notify({
        idempotencyKey: `${workflowId}:dispatch:${step}`,
        workflowId,
        caseId: state.caseId,
        propertyId: input.propertyId,
        staffIds: [state.assigneeId!],
        template: 'dispatch',
        data: {
          caseId: state.caseId,
          room: state.room,
          classification: state.classification,
          description: input.intake.description,
          contactPhone: input.intake.contactPhone,
          dueAt: acceptBy.toISOString(),
        },
      }),
      activities.notify({
        idempotencyKey: `${workflowId}:dispatch-copy:${step}`,
        workflowId,
        caseId: state.caseId,
        propertyId: input.propertyId,
        areaId: input.areaId,
        roles: ['butler'],
        template: 'dispatchCopy',
        data: { caseId: state.caseId, room: state.room, classification: state.classification },
      }),
    ]);
  }

  async function runAttempt(number: number): Promise<Attempt> {
    const attempt: Attempt = { number, dispatchedAt: new Date().toISOString(), engineers: [] };
    state.attempts.push(attempt);
    const finished = () => attempt.signOff !== undefined;
    await dispatch(attempt);
    const dispatchedAt = new Date(attempt.dispatchedAt).getTime();

    // R2: accepted within 30 min, else alert and hand the work order to another engineer.
    const acceptance = (async () => {
      for (;;) {
        const acceptBy = new Date(Date.now() + policy.repair.acceptWithinMs);
        const [met] = await Promise.all([
          tracker.deadline(
            { name: 'accept', rule: 'R2', dueAt: acceptBy, summary: `R2 acceptance due (attempt ${number})` },
            () => attempt.acceptedAt !== undefined || finished(),
          ),
          sendWorkOrder(attempt, acceptBy),
        ]);
        if (met) return;
        await tracker.escalate({
          deadline: 'accept',
          rule: 'R2',
          roles: ['supervisor'],
          reason: `work order not accepted by ${state.assigneeId} within ${policy.repair.acceptWithinMs / 60000} min; re-dispatched`,
          dueAt: acceptBy.toISOString(),
          step: `accept:${number}.${attempt.engineers.length}`,
        });
        await dispatch(attempt);
      }
    })();

    // R3: an urgent repair has someone on site within 20 min of dispatch.
    const arrival =
      state.classification === 'urgent'
        ? (async () => {
            const dueAt = new Date(dispatchedAt + policy.repair.urgentArriveWithinMs);
            const met = await tracker.deadline(
              { name: 'arrive', rule: 'R3', dueAt, summary: `R3 on-site due (attempt ${number})` },
              () => attempt.arrivedAt !== undefined || finished(),
            );
            if (!met) {
              await tracker.escalate({
                deadline: 'arrive',
                rule: 'R3',
                roles: ['supervisor'],
                reason: `urgent repair not on site within ${policy.repair.urgentArriveWithinMs / 60000} min`,
                dueAt: dueAt.toISOString(),
                step: `arrive:${number}`,
              });
            }
          })()
        : Promise.resolve();

    // R3 (urgent, 8 h) / R4 (general, 2 h): repaired in time, else the supervisor hears of it.
    const repairWithin =
      state.classification === 'urgent'
        ? { ms: policy.repair.urgentRepairWithinMs, rule: 'R3' }
        : state.classification === 'general'
          ? { ms: policy.repair.generalRepairWithinMs, rule: 'R4' }
          : undefined;
    const fixing = repairWithin
      ? (async () => {
          const dueAt = new Date(dispatchedAt + repairWithin.ms);
          const met = await tracker.deadline(
            { name: 'repair', rule: repairWithin.rule, dueAt, summary: `${repairWithin.rule} repair due (attempt ${number})` },
            () => attempt.completedAt !== undefined || finished(),
          );
          if (!met) {
            await tracker.escalate({
              deadline: 'repair',
              rule: repairWithin.rule,
              roles: ['supervisor'],
              reason: `not repaired within ${repairWithin.ms / 3_600_000} h of dispatch`,
              dueAt: dueAt.toISOString(),
              step: `repair:${number}`,
            });
          }
        })()
      : Promise.resolve();

    await condition(finished);
    await Promise.all([acceptance, arrival, fixing]);
    return attempt;
  }

  for (let number = 1; ; number++) {
    const attempt = await runAttempt(number);
    if (attempt.signOff?.accepted) break;
    // R10: rejected at sign-off — dispatched again until the owner accepts.
  }

  state.status = 'closed';
  state.closedAt = new Date().toISOString();
  await tracker.audit('closed', { staffId: 'system', role: 'system' });
  await condition(allHandlersFinished);
  return { caseId: state.caseId, status: state.status, attempts: state.attempts.length, escalated: state.escalated };
}
