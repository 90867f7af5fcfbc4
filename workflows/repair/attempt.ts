/**
 * One attempt at a repair: the work order to an engineer (R2), re-dispatched when nobody accepts in
 * time, and the customer's promises — on site by the appointment (R5/R6) or within 20 min (R3),
 * repaired within 8 h (R3) or 2 h (R4) — each escalated to the supervisor when missed.
 */
import { condition } from '@temporalio/workflow';
import type { NotifyInput } from '../../activities/notify';
import { SYSTEM_ACTOR as SYSTEM } from '../../domain/people';
import { acceptBy, arriveBy, repairBy, rescheduleBy } from '../../domain/repair-deadlines';
import { activities } from '../case';
import { isOver, type Attempt, type RepairCase } from './case';

export const escalateToSupervisor = (repair: RepairCase, deadline: string, rule: string, reason: string, dueAt: string, step: string, params?: Record<string, string | number>) =>
  repair.tracker.escalate({ deadline, rule, roles: ['supervisor'], reason, dueAt, step, params });

async function dispatch(repair: RepairCase, attempt: Attempt): Promise<void> {
  const { input, state } = repair;
  // The open cases per engineer are read back from Postgres: this case's own assignment goes there first.
  if (!repair.firstEngineer) await repair.tracker.written();
  const engineerId = repair.firstEngineer ?? (await activities.chooseEngineer({ propertyId: input.propertyId, areaId: input.areaId, exclude: attempt.engineers }));
  repair.firstEngineer = undefined;
  attempt.engineers.push(engineerId);
  state.assigneeId = engineerId;
  if (!isOver(repair)) state.status = 'dispatched';
  await repair.tracker.audit('dispatched', SYSTEM, { engineerId, attempt: attempt.number });
}

/** The work order to the engineer and, R2, a copy to the area's butler who follows the repair. */
async function sendWorkOrder(repair: RepairCase, attempt: Attempt, acceptBy: Date): Promise<void> {
  const { input, state, workflowId } = repair;
  const step = `${attempt.number}.${attempt.engineers.length}`;
  const orders: NotifyInput[] = [
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
  await repair.tracker.mail(`work order ${step} to ${state.assigneeId!} and the butler`, orders);
}

/** R2: accepted in time, else the supervisor hears of it and the order goes to another engineer. */
async function acceptance(repair: RepairCase, attempt: Attempt, finished: () => boolean): Promise<void> {
  const { policy, state, tracker } = repair;
  for (;;) {
    const acceptDue = acceptBy(policy, new Date(), state.classification);
    const [met] = await Promise.all([
      tracker.deadline({ name: 'accept', rule: 'R2', dueAt: acceptDue, summary: `R2 acceptance due (attempt ${attempt.number})` }, () => attempt.acceptedAt !== undefined || finished()),
      sendWorkOrder(repair, attempt, acceptDue),
    ]);
    if (met || finished()) return;
    const minutes = (state.classification === 'urgent' ? policy.repair.urgentAcceptWithinMs : policy.repair.acceptWithinMs) / 60000;
    await escalateToSupervisor(
      repair,
      'accept',
      'R2',
      `work order not accepted by ${state.assigneeId} within ${minutes} min; re-dispatched`,
      acceptDue.toISOString(),
      `accept:${attempt.number}.${attempt.engineers.length}`,
      { staffId: state.assigneeId ?? '—', minutes },
    );
    await dispatch(repair, attempt);
  }
}

/**
 * R6: nobody was home. The butler has 2 h to agree a new time with the customer, or to record the
 * note left and a new date; missed, the supervisor hears of it. Meanwhile the repair's clocks wait
 * (the handler cleared them) and run again from the new appointment.
 */
async function reschedule(repair: RepairCase, finished: () => boolean): Promise<void> {
  const { state, tracker, policy } = repair;
  const waiting = () => state.status === 'awaiting_reschedule';
  for (let times = 1; ; times++) {
    await condition(() => finished() || waiting());
    if (finished()) return;
    const dueAt = rescheduleBy(policy, new Date());
    const met = await tracker.deadline({ name: 'reschedule', rule: 'R6', dueAt, summary: 'R6 new appointment due' }, () => !waiting() || finished());
    if (!met) await escalateToSupervisor(repair, 'reschedule', 'R6', 'the customer was not home and no new time was agreed in time', dueAt.toISOString(), `reschedule:${attempt(repair)}.${times}`);
    await condition(() => !waiting() || finished());
  }
}

const attempt = (repair: RepairCase) => repair.state.attempts.length;

/** Runs one attempt until the customer signs off or rejects the work, or the repair is over. */
export async function runAttempt(repair: RepairCase, number: number): Promise<Attempt> {
  const { policy, state, tracker } = repair;
  const attempt: Attempt = { number, dispatchedAt: new Date().toISOString(), engineers: [] };
  state.attempts.push(attempt);
  const finished = () => attempt.signOff !== undefined || isOver(repair);
  await dispatch(repair, attempt);

  const accepting = acceptance(repair, attempt, finished);

  // Arrival: at the agreed appointment (R5, R6), else within 20 min of the report for an urgent
  // repair (R3); repaired within 8 h of the report (R3) or 2 h of dispatch (R4). The customer's clock
  // runs from the report, whoever is dispatched; an attempt after a failed one (R10) promises anew.
  // Actions move these promises (R3/R4 new time, R6).
  const promise = {
    classification: state.classification,
    promisedFrom: new Date(number === 1 ? repair.input.receivedAt : attempt.dispatchedAt),
    dispatchedAt: new Date(attempt.dispatchedAt),
    appointmentAt: number === 1 ? state.appointmentAt : undefined,
  };
  const firstArrival = arriveBy(policy, promise);
  const firstRepair = repairBy(policy, promise);
  const arrival = tracker.movable({ name: 'arrive', rule: firstArrival?.rule ?? 'R3', summary: `${firstArrival?.rule ?? 'R3'} on site due (attempt ${number})` });
  if (firstArrival) arrival.moveTo(firstArrival.dueAt);
  const fixing = firstRepair ? tracker.movable({ name: 'repair', rule: firstRepair.rule, summary: `${firstRepair.rule} repair due (attempt ${number})` }) : undefined;
  if (fixing && firstRepair) fixing.moveTo(firstRepair.dueAt);
  repair.clocks = { arrival, fixing };

  const arriving = arrival.run(
    () => attempt.arrivedAt !== undefined || finished(),
    (dueAt, revision) => escalateToSupervisor(repair, 'arrive', arrival.rule, 'not on site at the promised time', dueAt, `arrive:${number}.${revision}`),
  );
  const repairing = fixing?.run(
    () => attempt.completedAt !== undefined || finished(),
    (dueAt, revision) =>
      escalateToSupervisor(
        repair,
        'repair',
        firstRepair!.rule,
        revision > 1 ? 'the new promised time passed too' : 'not repaired in time; record emergency measures or an explanation and a new promised time',
        dueAt,
        `repair:${number}.${revision}`,
        { revision },
      ),
  );

  const rescheduling = reschedule(repair, finished);

  await condition(finished);
  await Promise.all([accepting, arriving, repairing, rescheduling]);
  repair.clocks = undefined;
  return attempt;
}
