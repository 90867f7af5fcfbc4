/**
 * What runs beside and after a repair's attempts: the public-facility start (R7), the appointment
 * reminder (R5), the fee to finance (R8), the return visit (R9), the linked major complaint after a
 * second failure (R11) and the reason back to the intake when it was invalid (R1).
 */
import { condition, executeChild, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { SYSTEM_ACTOR as SYSTEM } from '../../domain/people';
import { publicFacilityStartBy, reminderAt } from '../../domain/repair-deadlines';
import { activities } from '../case';
import type { complaint } from '../complaint';
import type { returnVisit } from '../return-visit';
import { escalateToSupervisor } from './attempt';
import { isOver, type Attempt, type RepairCase } from './case';
import { returnVisitCaseId } from '../../domain/return-visit';
import { workflowIds } from '../../domain/workflow-ids';

/** R7: a public-facility repair is started (someone on site) within 2 days of the report. */
export async function publicFacilityStart(repair: RepairCase): Promise<void> {
  if (!repair.input.intake.publicArea) return;
  const dueAt = publicFacilityStartBy(repair.policy, repair.input.receivedAt);
  const started = () => repair.state.attempts.some((a) => a.arrivedAt !== undefined) || isOver(repair);
  const met = await repair.tracker.deadline({ name: 'start', rule: 'R7', dueAt, summary: 'R7 public facility start due' }, started);
  if (!met) await escalateToSupervisor(repair, 'start', 'R7', 'public-facility repair not started within 2 days', dueAt.toISOString(), 'start');
}

/** R5: the customer is reminded one day before each appointment. */
export async function appointmentReminders(repair: RepairCase): Promise<void> {
  const { state, tracker, workflowId, input } = repair;
  const reminded = new Set<string>();
  for (;;) {
    const at = state.appointmentAt;
    const changed = () => isOver(repair) || state.appointmentAt !== at;
    if (at && !reminded.has(at)) {
      const remindIn = reminderAt(repair.policy, at).getTime() - Date.now();
      if (remindIn > 0 && (await condition(changed, remindIn, { summary: 'R5 appointment reminder' }))) {
        if (isOver(repair)) return;
        continue;
      }
      if (new Date(at).getTime() > Date.now()) {
        reminded.add(at);
        await tracker.mail('tell the customer: appointmentReminder', [
          {
            idempotencyKey: `${workflowId}:remind:${at}`,
            workflowId,
            caseId: state.caseId,
            propertyId: input.propertyId,
            areaId: input.areaId,
            householdId: input.householdId,
            roles: ['butler'],
            template: 'appointmentReminder',
            data: { caseId: state.caseId, room: state.room, appointmentAt: at },
          },
        ]);
        await tracker.audit('customer-reminded', SYSTEM, { appointmentAt: at });
      }
    }
    await condition(changed);
    if (isOver(repair)) return;
  }
}

/** R8: a paid service's fee goes to finance (交财务部入帐). */
export async function recordFee(repair: RepairCase, attempt: Attempt): Promise<void> {
  if (!attempt.fee) return;
  await activities.recordFinanceEntry({
    idempotencyKey: `${repair.workflowId}:fee:${attempt.number}`,
    caseId: repair.state.caseId,
    propertyId: repair.input.propertyId,
    amountCents: attempt.fee.cents,
    description: attempt.fee.description,
    recordedBy: attempt.fee.recordedBy,
  });
  await repair.tracker.audit('fee-recorded', SYSTEM, { amountCents: attempt.fee.cents, attempt: attempt.number });
}

/** R11: the second failure on the same problem opens a linked major complaint, once. */
export async function recordFailure(repair: RepairCase, attempt: Attempt, reason: string): Promise<void> {
  const { state, input, tracker } = repair;
  state.failures += 1;
  await tracker.audit('attempt-failed', SYSTEM, { attempt: attempt.number, reason, failures: state.failures });
  if (state.failures < repair.policy.repair.failedAttemptsForMajorComplaint || state.complaintId) return;
  const complaintId = await activities.allocateCaseNumber({ prefix: 'C', propertyId: input.propertyId });
  const reasonText = `R11: the same problem failed ${state.failures} times (${reason})`;
  await startChild<typeof complaint>('complaint', {
    workflowId: workflowIds.complaint(complaintId),
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

/** R9: the return visit, as a child workflow with its own clock and attempts (V1–V4); answers its outcome. */
export async function returnVisitOf(repair: RepairCase, attempt: Attempt): Promise<string> {
  const { state, input, tracker } = repair;
  const visitId = returnVisitCaseId(state.caseId, attempt.number);
  state.status = 'awaiting_return_visit';
  await tracker.audit('return-visit-started', SYSTEM, { returnVisit: visitId });
  const result = await executeChild<typeof returnVisit>('returnVisit', {
    workflowId: workflowIds.returnVisit(visitId),
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

/** R1: an invalid request goes back to whoever took it in, with the written reason; no return visit. */
export async function reportInvalid(repair: RepairCase): Promise<void> {
  const { state, input, workflowId } = repair;
  await repair.tracker.mail('R1 the reason back to who took the request in', [
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
}
