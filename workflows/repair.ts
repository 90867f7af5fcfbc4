/**
 * A repair request (报修), from intake to the return visit (docs/rules.md §2). One workflow per
 * request; its ID is the case number's business key, e.g. `repair-R20261122-0007`.
 *
 * Each dispatch of an engineer is an *attempt* (./repair/attempt.ts). An attempt ends when the
 * customer signs off or rejects the work; an accepted one is followed by a return visit (R9). A
 * rejection at sign-off or an unsatisfied return visit is a failed attempt: the repair is dispatched
 * again (R10), and the second failure opens a linked major complaint (R11).
 */
import { SYSTEM_ACTOR as SYSTEM } from '../domain/people';
import { appointmentReminders, publicFacilityStart, recordFailure, recordFee, reportInvalid, returnVisitOf } from './repair/aftercare';
import { runAttempt } from './repair/attempt';
import { isInvalid, isOver, openRepair, type RepairInput, type RepairOutcome } from './repair/case';

export type { RepairInput, RepairOutcome } from './repair/case';

export async function repair(input: RepairInput): Promise<RepairOutcome> {
  const job = await openRepair(input);
  const { state, tracker } = job;
  const beside = [publicFacilityStart(job), appointmentReminders(job)];

  for (let number = 1; !isOver(job); number++) {
    const attempt = await runAttempt(job, number);
    if (isOver(job)) break;
    if (!attempt.signOff?.accepted) {
      await recordFailure(job, attempt, 'rejected at sign-off');
      continue; // R10
    }
    await recordFee(job, attempt);
    if ((await returnVisitOf(job, attempt)) === 'unsatisfied') {
      await recordFailure(job, attempt, 'customer unsatisfied at the return visit');
      continue; // R10
    }
    state.status = 'closed';
  }

  if (isInvalid(job)) {
    await reportInvalid(job);
  } else {
    state.closedAt = new Date().toISOString();
    await tracker.audit('closed', SYSTEM);
  }
  await Promise.all(beside);
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
