/**
 * A repair request (报修), from intake to the return visit (domain.md §2). One workflow per
 * request; its ID is the case number's business key, e.g. `repair-R20261122-0007`.
 *
 * Each dispatch of an engineer is an *attempt*. An attempt ends when the customer signs off or
 * rejects the work; an accepted one is followed by a return visit (R9). A rejection at sign-off or
 * an unsatisfied return visit is a failed attempt: the repair is dispatched again (R10), and the
 * second failure opens a linked major complaint (R11).
 */
import {
  ApplicationFailure,
  condition,
  executeChild,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Actor } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import type { RepairIntake, RepairStatus } from '../domain/repair';
import { acceptBy, arriveBy, publicFacilityStartBy, reminderAt, repairBy } from '../domain/repair-deadlines';
import { activities, CaseTracker, MovableDeadline, openingState, receivedEvent, registerActions, type CoreState } from './case-core';
import type { complaint } from './complaint';
import { caseViewQuery, REPAIR_ACTIONS, repairMessages, type ActionCall, type CaseView, type RepairActionName, type RepairActionPayload } from './messages';
import type { returnVisit } from './return-visit';

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

interface Attempt {
  number: number;
  dispatchedAt: string;
  engineers: string[];
  acceptedAt?: string;
  arrivedAt?: string;
  completedAt?: string;
  fee?: { cents: number; description: string; recordedBy: string };
  signOff?: { accepted: boolean; note?: string };
}

interface RepairState extends CoreState {
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

const SYSTEM: Actor = { staffId: 'system', role: 'system' };

export async function repair(input: RepairInput): Promise<RepairOutcome> {
  const workflowId = workflowInfo().workflowId;
  const record: Parameters<typeof activities.recordCase> = [
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
    }),
  ];
  // The opening in one activity: the case row, the policy and the first work order's engineer.
  const opened = await activities.openCase(...record, { chooseEngineer: true });
  const policy: ServicePolicy = opened.policy;
  /** The engineer `openCase` chose for the first work order, until that order is dispatched. */
  let firstEngineer: string | undefined = opened.engineerId;
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
  const tracker = new CaseTracker(state, policy);
  const current = (): Attempt | undefined => state.attempts[state.attempts.length - 1];
  const isInvalid = () => state.status === 'invalid';
  const isOver = () => state.status === 'closed' || isInvalid();
  /** The clocks of the attempt under way; actions move them (R3/R4 new promise, R6 new appointment). */
  let clocks: { arrival: MovableDeadline; fixing?: MovableDeadline } | undefined;
  // ---- staff actions ----
  const allowed = (): RepairActionName[] => {
    if (isOver()) return [];
    const always: RepairActionName[] = ['recordUnfinishedReason'];
    const beforeCompletion: RepairActionName[] = ['markInvalid', 'reschedule'];
    switch (state.status) {
      case 'dispatched':
        return ['accept', ...beforeCompletion, ...always];
      case 'accepted':
        return ['arrive', 'customerNotHome', ...beforeCompletion, ...always];
      case 'awaiting_reschedule':
        return [...beforeCompletion, ...always];
      case 'on_site':
        return ['complete', 'recordMeasures', 'markInvalid', ...always];
      case 'completed':
        return ['signOff', ...always];
      default:
        return always;
    }
  };

  const view = (): CaseView => tracker.view(allowed());

  const inTheFuture = (field: string, iso: string) => {
    if (new Date(iso).getTime() <= Date.now()) {
      throw ApplicationFailure.create({ type: 'ImpossibleTime', message: `${field} ${iso} is not in the future` });
    }
  };

  /** Tells the customer (household contacts) and the butler, e.g. of a new promised time. */
  const tellCustomer = (step: string, template: 'newPromise' | 'appointmentReminder', data: Record<string, string | undefined>) =>
    tracker.mail(`tell the customer: ${template}`, [
      {
        idempotencyKey: `${workflowId}:${step}`,
        workflowId,
        caseId: state.caseId,
        propertyId: input.propertyId,
        areaId: input.areaId,
        householdId: input.householdId,
        roles: ['butler'],
        template,
        data: { caseId: state.caseId, room: state.room, ...data },
      },
    ]);

  async function apply(name: RepairActionName, call: ActionCall): Promise<CaseView> {
    const attempt = current();
    const now = new Date().toISOString();
    const payload = call.payload as Record<string, unknown>;
    const after: (() => Promise<unknown>)[] = [];
    let patch: Parameters<CaseTracker['audit']>[3];
    switch (name) {
      case 'accept':
        attempt!.acceptedAt = now;
        state.status = 'accepted';
        break;
      case 'arrive':
        attempt!.arrivedAt = now;
        state.status = 'on_site';
        break;
      case 'customerNotHome':
        // Not our delay: the clocks wait for the new appointment the butler agrees (R6).
        state.status = 'awaiting_reschedule';
        clocks?.arrival.clear();
        clocks?.fixing?.clear();
        break;
      case 'reschedule': {
        const { appointmentAt } = payload as RepairActionPayload<'reschedule'>;
        state.appointmentAt = appointmentAt;
        if (state.status === 'awaiting_reschedule') state.status = attempt?.acceptedAt ? 'accepted' : 'dispatched';
        clocks?.arrival.moveTo(new Date(appointmentAt), 'R6');
        const fixBy = repairBy(policy, { classification: state.classification, dispatchedAt: new Date(), appointmentAt });
        if (fixBy) clocks?.fixing?.moveTo(fixBy.dueAt);
        break;
      }
      case 'recordMeasures': {
        const { promisedAt, measures, explanation } = payload as RepairActionPayload<'recordMeasures'>;
        clocks?.fixing?.moveTo(new Date(promisedAt));
        after.push(() => tellCustomer(`promise:${state.seq + 1}`, 'newPromise', { promisedAt, measures: measures ?? explanation }));
        break;
      }
      case 'complete': {
        const { feeCents, feeDescription } = payload as RepairActionPayload<'complete'>;
        attempt!.completedAt = now;
        if (feeCents) attempt!.fee = { cents: feeCents, description: feeDescription!, recordedBy: call.actor.staffId };
        state.status = 'completed';
        break;
      }
      case 'signOff':
        attempt!.signOff = payload as RepairActionPayload<'signOff'>;
        state.status = attempt!.signOff.accepted ? 'signed_off' : 'rejected';
        break;
      case 'markInvalid':
        state.invalidReason = (payload as RepairActionPayload<'markInvalid'>).reason;
        state.status = 'invalid';
        state.closedAt = now;
        for (const d of state.deadlines) if (d.state === 'pending') tracker.cancelDeadline(d.name);
        break;
      case 'recordUnfinishedReason':
        patch = { unfinishedReason: (payload as RepairActionPayload<'recordUnfinishedReason'>).reason, unfinishedReasonAt: now };
        break;
    }
    await tracker.audit(name, call.actor, payload, patch);
    for (const effect of after) await effect();
    return view();
  }

  setHandler(caseViewQuery, view);
  registerActions(REPAIR_ACTIONS, repairMessages, {
    allowed,
    describe: () => `repair is ${state.status}`,
    check(name, call) {
      const engineerOnly = ['accept', 'arrive', 'customerNotHome', 'recordMeasures', 'complete'].includes(name);
      if (engineerOnly && call.actor.staffId !== state.assigneeId) {
        throw ApplicationFailure.create({ type: 'NotAssignee', message: `the work order is assigned to ${state.assigneeId}, not ${call.actor.staffId}` });
      }
      const payload = call.payload as Record<string, string | undefined>;
      if (name === 'reschedule') inTheFuture('appointmentAt', payload.appointmentAt!);
      if (name === 'recordMeasures') {
        inTheFuture('promisedAt', payload.promisedAt!);
        if (state.classification === 'urgent' && !payload.measures) {
          throw ApplicationFailure.create({ type: 'InvalidPayload', message: 'measures: an urgent repair records the emergency measures taken (R3)' });
        }
      }
    },
    apply,
  });

  tracker.refresh();

  // ---- dispatch ----
  async function dispatch(attempt: Attempt): Promise<void> {
    const engineerId = firstEngineer ?? (await activities.chooseEngineer({ propertyId: input.propertyId, areaId: input.areaId, exclude: attempt.engineers }));
    firstEngineer = undefined;
    attempt.engineers.push(engineerId);
    state.assigneeId = engineerId;
    if (!isOver()) state.status = 'dispatched';
    await tracker.audit('dispatched', SYSTEM, { engineerId, attempt: attempt.number });
  }

  /** The work order to the engineer and, R2, a copy to the area's butler who follows the repair. */
  async function sendWorkOrder(attempt: Attempt, acceptBy: Date): Promise<void> {
    const step = `${attempt.number}.${attempt.engineers.length}`;
    const orders: Parameters<typeof activities.notify>[0][] = [
      {
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
      },
      {
        idempotencyKey: `${workflowId}:dispatch-copy:${step}`,
        workflowId,
        caseId: state.caseId,
        propertyId: input.propertyId,
        areaId: input.areaId,
        roles: ['butler'],
        template: 'dispatchCopy',
        data: { caseId: state.caseId, room: state.room, classification: state.classification },
      },
    ];
    await tracker.mail(`work order ${step} to ${state.assigneeId!} and the butler`, orders);
  }

  const escalateToSupervisor = (deadline: string, rule: string, reason: string, dueAt: string, step: string) =>
    tracker.escalate({ deadline, rule, roles: ['supervisor'], reason, dueAt, step });

  async function runAttempt(number: number): Promise<Attempt> {
    const attempt: Attempt = { number, dispatchedAt: new Date().toISOString(), engineers: [] };
    state.attempts.push(attempt);
    const finished = () => attempt.signOff !== undefined || isOver();
    await dispatch(attempt);

    // R2: accepted within 30 min, else alert and hand the work order to another engineer.
    const acceptance = (async () => {
      for (;;) {
        const acceptDue = acceptBy(policy, new Date());
        const [met] = await Promise.all([
          tracker.deadline(
            { name: 'accept', rule: 'R2', dueAt: acceptDue, summary: `R2 acceptance due (attempt ${number})` },
            () => attempt.acceptedAt !== undefined || finished(),
          ),
          sendWorkOrder(attempt, acceptDue),
        ]);
        if (met || finished()) return;
        await escalateToSupervisor(
          'accept',
          'R2',
          `work order not accepted by ${state.assigneeId} within ${policy.repair.acceptWithinMs / 60000} min; re-dispatched`,
          acceptDue.toISOString(),
          `accept:${number}.${attempt.engineers.length}`,
        );
        await dispatch(attempt);
      }
    })();

    // Arrival: at the agreed appointment (R5, R6), else within 20 min for an urgent repair (R3);
    // repaired within 8 h (R3) or 2 h (R4). Actions move these promises (R3/R4 new time, R6).
    const promise = { classification: state.classification, dispatchedAt: new Date(attempt.dispatchedAt), appointmentAt: number === 1 ? state.appointmentAt : undefined };
    const firstArrival = arriveBy(policy, promise);
    const firstRepair = repairBy(policy, promise);
    const arrival = new MovableDeadline(tracker, { name: 'arrive', rule: firstArrival?.rule ?? 'R3', summary: `${firstArrival?.rule ?? 'R3'} on site due (attempt ${number})` });
    if (firstArrival) arrival.moveTo(firstArrival.dueAt);
    const fixing = firstRepair
      ? new MovableDeadline(tracker, { name: 'repair', rule: firstRepair.rule, summary: `${firstRepair.rule} repair due (attempt ${number})` })
      : undefined;
    if (fixing && firstRepair) fixing.moveTo(firstRepair.dueAt);
    clocks = { arrival, fixing };

    const arriving = arrival.run(
      () => attempt.arrivedAt !== undefined || finished(),
      (dueAt, revision) =>
        escalateToSupervisor('arrive', arrival.rule, 'not on site at the promised time', dueAt, `arrive:${number}.${revision}`),
    );
    const repairing = fixing?.run(
      () => attempt.completedAt !== undefined || finished(),
      (dueAt, revision) =>
        escalateToSupervisor(
          'repair',
          firstRepair!.rule,
          revision > 1 ? 'the new promised time passed too' : 'not repaired in time; record emergency measures or an explanation and a new promised time',
          dueAt,
          `repair:${number}.${revision}`,
        ),
    );

    await condition(finished);
    await Promise.all([acceptance, arriving, repairing]);
    clocks = undefined;
    return attempt;
  }

  // R7: a public-facility repair is started (someone on site) within 2 days of the report.
  const publicFacility = input.intake.publicArea
    ? (async () => {
        const dueAt = publicFacilityStartBy(policy, input.receivedAt);
        const started = () => state.attempts.some((a) => a.arrivedAt !== undefined) || isOver();
        const met = await tracker.deadline({ name: 'start', rule: 'R7', dueAt, summary: 'R7 public facility start due' }, started);
        if (!met) await escalateToSupervisor('start', 'R7', 'public-facility repair not started within 2 days', dueAt.toISOString(), 'start');
      })()
    : Promise.resolve();

  // R5: the customer is reminded one day before each appointment.
  const reminders = (async () => {
    const reminded = new Set<string>();
    for (;;) {
      const at = state.appointmentAt;
      const changed = () => isOver() || state.appointmentAt !== at;
      if (at && !reminded.has(at)) {
        const remindIn = reminderAt(policy, at).getTime() - Date.now();
        if (remindIn > 0 && (await condition(changed, remindIn, { summary: 'R5 appointment reminder' }))) {
          if (isOver()) return;
          continue;
        }
        if (new Date(at).getTime() > Date.now()) {
          reminded.add(at);
          await tellCustomer(`remind:${at}`, 'appointmentReminder', { appointmentAt: at });
          await tracker.audit('customer-reminded', SYSTEM, { appointmentAt: at });
        }
      }
      await condition(changed);
      if (isOver()) return;
    }
  })();

  /** R11: the second failure on the same problem opens a linked major complaint, once. */
  async function recordFailure(attempt: Attempt, reason: string): Promise<void> {
    state.failures += 1;
    await tracker.audit('attempt-failed', SYSTEM, { attempt: attempt.number, reason, failures: state.failures });
    if (state.failures < policy.repair.failedAttemptsForMajorComplaint || state.complaintId) return;
    const complaintId = await activities.allocateCaseNumber({ prefix: 'C', propertyId: input.propertyId });
    const reasonText = `R11: the same problem failed ${state.failures} times (${reason})`;
    await startChild<typeof complaint>('complaint', {
      workflowId: `complaint-${complaintId}`,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `重大投诉 ${complaintId} ← 报修 ${state.caseId}${state.room ? ` · room ${state.room}` : ''}`,
      args: [
        {
          caseId: complaintId,
          propertyId: input.propertyId,
          areaId: input.areaId,
          householdId: input.householdId,
          room: input.room,
          contactName: input.intake.contactName,
          contactPhone: input.intake.contactPhone,
          channel: input.intake.channel,
          description: `${reasonText}: ${input.intake.description}`,
          severity: 'major',
          category: 'engineering',
          receivedAt: new Date().toISOString(),
          receivedBy: SYSTEM,
          source: { caseId: state.caseId, relation: 'repair', reason: reasonText },
        },
      ],
    });
    state.complaintId = complaintId;
    state.escalated = true;
    state.links = [...state.links, { caseId: complaintId, relation: 'major-complaint' }];
    await tracker.audit('major-complaint-opened', SYSTEM, { complaintId, rule: 'R11' }, { links: state.links });
  }

  /** R9: the return visit, as a child workflow with its own clock and attempts (V1–V4). */
  async function visit(attempt: Attempt): Promise<string> {
    const visitId = `RV-${state.caseId}-${attempt.number}`;
    state.status = 'awaiting_return_visit';
    await tracker.audit('return-visit-started', SYSTEM, { returnVisit: visitId });
    const result = await executeChild<typeof returnVisit>('returnVisit', {
      workflowId: `return-visit-${visitId}`,
      staticSummary: `回访 ${visitId} ← 报修 ${state.caseId}${state.room ? ` · room ${state.room}` : ''}`,
      args: [
        {
          caseId: visitId,
          parentCaseId: state.caseId,
          propertyId: input.propertyId,
          areaId: input.areaId,
          room: input.room,
          householdId: input.householdId,
          contactName: input.intake.contactName,
          contactPhone: input.intake.contactPhone,
          channel: input.intake.channel,
          subject: { classification: state.classification, tags: input.intake.tags, completedAt: attempt.completedAt ?? new Date().toISOString() },
        },
      ],
    });
    await tracker.audit('return-visit-result', SYSTEM, { returnVisit: visitId, outcome: result.outcome, followUps: result.followUpCaseIds });
    return result.outcome;
  }

  for (let number = 1; !isOver(); number++) {
    const attempt = await runAttempt(number);
    if (isOver()) break;
    if (!attempt.signOff?.accepted) {
      await recordFailure(attempt, 'rejected at sign-off');
      continue; // R10
    }
    if (attempt.fee) {
      await activities.recordFinanceEntry({
        idempotencyKey: `${workflowId}:fee:${number}`,
        caseId: state.caseId,
        propertyId: input.propertyId,
        amountCents: attempt.fee.cents,
        description: attempt.fee.description,
        recordedBy: attempt.fee.recordedBy,
      });
      await tracker.audit('fee-recorded', SYSTEM, { amountCents: attempt.fee.cents, attempt: number });
    }
    const outcome = await visit(attempt);
    if (outcome === 'unsatisfied') {
      await recordFailure(attempt, 'customer unsatisfied at the return visit');
      continue; // R10
    }
    state.status = 'closed';
  }

  if (isInvalid()) {
    // R1: back to the intake channel with the written reason; no return visit.
    await tracker.mail('R1 the reason back to who took the request in', [
      {
        idempotencyKey: `${workflowId}:invalid`,
        workflowId,
        caseId: state.caseId,
        propertyId: input.propertyId,
        staffIds: [input.receivedBy.staffId],
        template: 'invalidRequest',
        data: { caseId: state.caseId, room: state.room, reason: state.invalidReason, channel: input.intake.channel },
      },
    ]);
  } else {
    state.closedAt = new Date().toISOString();
    await tracker.audit('closed', SYSTEM);
  }
  await Promise.all([publicFacility, reminders]);
  await tracker.finished();
  return {
    caseId: state.caseId,
    status: state.status,
    attempts: state.attempts.length,
    failures: state.failures,
    escalated: state.escalated,
    complaintId: state.complaintId,
  };
}
