/** What staff do to a repair (R1–R12), one handler per action; the workflow accepts each only in the states domain/case-actions.ts lists. */
import { ApplicationFailure } from '@temporalio/workflow';
import { repairBy, rescheduleBy } from '../../domain/repair-deadlines';
import type { CaseActions } from '../case';
import type { REPAIR_ACTIONS } from '../messages';
import { allowedActions, currentAttempt, viewOf, type RepairCase } from './case';

const inTheFuture = (field: string, iso: string, timeZone: string) => {
  if (new Date(iso).getTime() <= Date.now()) {
    throw ApplicationFailure.create({ type: 'ImpossibleTime', message: `${field} ${iso} is not in the future`, details: [{ refusal: 'time-not-in-future', field, at: iso, timeZone }] });
  }
};

/** Only the engineer holding the work order acts on it in the field. */
const ENGINEER_ONLY = ['accept', 'arrive', 'customerNotHome', 'recordMeasures', 'complete'];

export function repairActions(repair: RepairCase): CaseActions<typeof REPAIR_ACTIONS> {
  const { state, tracker, policy } = repair;
  const now = () => new Date().toISOString();
  /** Tells the customer (household contacts) and the butler, e.g. of a new promised time. */
  const tellCustomer = (step: string, data: Record<string, string | undefined>) =>
    tracker.mail('tell the customer: newPromise', [
      {
        idempotencyKey: `${repair.workflowId}:${step}`,
        workflowId: repair.workflowId,
        caseId: state.caseId,
        propertyId: repair.input.propertyId,
        areaId: repair.input.areaId,
        householdId: repair.input.householdId,
        roles: ['butler'],
        template: 'newPromise',
        data: { caseId: state.caseId, room: state.room, ...data },
      },
    ]);

  return {
    allowed: () => allowedActions(repair),
    describe: () => `repair is ${state.status}`,
    checkAll(name, call) {
      if (ENGINEER_ONLY.includes(name) && call.actor.staffId !== state.assigneeId) {
        throw ApplicationFailure.create({
          type: 'NotAssignee',
          message: `the work order is assigned to ${state.assigneeId}, not ${call.actor.staffId}`,
          details: [{ refusal: 'not-assignee', action: name, assigneeId: state.assigneeId, staffId: call.actor.staffId }],
        });
      }
    },
    checks: {
      reschedule: ({ appointmentAt }) => inTheFuture('appointmentAt', appointmentAt, policy.timeZone),
      recordMeasures: ({ promisedAt, measures }) => {
        inTheFuture('promisedAt', promisedAt, policy.timeZone);
        if (state.classification === 'urgent' && !measures) {
          throw ApplicationFailure.create({ type: 'InvalidPayload', message: 'measures: an urgent repair records the emergency measures taken (R3)', details: [{ refusal: 'urgent-needs-measures', rule: 'R3' }] });
        }
      },
    },
    handlers: {
      accept: () => {
        currentAttempt(repair)!.acceptedAt = now();
        state.status = 'accepted';
      },
      arrive: () => {
        currentAttempt(repair)!.arrivedAt = now();
        state.status = 'on_site';
      },
      customerNotHome: (payload, call) => {
        // Not our delay: the clocks wait for the new appointment the butler agrees (R6).
        state.status = 'awaiting_reschedule';
        const paused = [repair.clocks?.arrival, repair.clocks?.fixing].filter((clock) => clock?.pending).map((clock) => clock!.name);
        repair.clocks?.arrival.clear();
        repair.clocks?.fixing?.clear();
        return {
          recorded: { ...payload, clocksPaused: paused, reason: 'customer not home (R6)' },
          // The butler is told at once: they agree the new time.
          after: () =>
            tracker.mail('R6 the butler agrees a new time', [
              {
                idempotencyKey: `${repair.workflowId}:not-home:${state.seq}`,
                workflowId: repair.workflowId,
                caseId: state.caseId,
                propertyId: repair.input.propertyId,
                areaId: repair.input.areaId,
                roles: ['butler'],
                template: 'customerNotHome',
                data: { caseId: state.caseId, room: state.room, by: call.actor.staffId, note: payload.note, dueAt: rescheduleBy(policy, new Date()).toISOString() },
              },
            ]),
        };
      },
      reschedule: ({ appointmentAt }) => {
        state.appointmentAt = appointmentAt;
        if (state.status === 'awaiting_reschedule') state.status = currentAttempt(repair)?.acceptedAt ? 'accepted' : 'dispatched';
        repair.clocks?.arrival.moveTo(new Date(appointmentAt), 'R6');
        const fixBy = repairBy(policy, { classification: state.classification, promisedFrom: new Date(), dispatchedAt: new Date(), appointmentAt });
        if (fixBy) repair.clocks?.fixing?.moveTo(fixBy.dueAt);
      },
      recordMeasures: ({ promisedAt, measures, explanation }) => {
        repair.clocks?.fixing?.moveTo(new Date(promisedAt));
        return { after: () => tellCustomer(`promise:${state.seq + 1}`, { promisedAt, measures: measures ?? explanation }) };
      },
      complete: ({ feeCents, feeDescription }, call) => {
        const attempt = currentAttempt(repair)!;
        attempt.completedAt = now();
        if (feeCents) attempt.fee = { cents: feeCents, description: feeDescription!, recordedBy: call.actor.staffId };
        state.status = 'completed';
      },
      signOff: (signOff) => {
        currentAttempt(repair)!.signOff = signOff;
        state.status = signOff.accepted ? 'signed_off' : 'rejected';
      },
      markInvalid: ({ reason }) => {
        state.invalidReason = reason;
        state.status = 'invalid';
        state.closedAt = now();
        for (const d of state.deadlines) if (d.state === 'pending') tracker.cancelDeadline(d.name);
      },
      recordUnfinishedReason: ({ reason }) => ({ patch: { unfinishedReason: reason, unfinishedReasonAt: now() } }),
    },
    view: () => viewOf(repair),
  };
}
