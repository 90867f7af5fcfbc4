/**
 * A complaint pre-warning (投诉预警, C10): a site reports a likely group complaint before it
 * happens, with its cause, the actions taken and the wording agreed for answering residents. It is
 * recorded (a case row of kind `complaint_warning`, closed at once) and the supervisor and manager
 * hear of it once. Complaints that follow can be linked to it through the same issue key (C4).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { Actor } from '../domain/people';
import { activities } from './case/proxies';

export interface ComplaintWarningInput {
  caseId: string;
  propertyId: string;
  areaId: string;
  room?: string;
  cause: string;
  actions: string;
  wording: string;
  issueKey?: string;
  reportedAt: string;
  reportedBy: Actor;
}

export async function complaintWarning(input: ComplaintWarningInput): Promise<{ caseId: string }> {
  const workflowId = workflowInfo().workflowId;
  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'complaint_warning',
      propertyId: input.propertyId,
      areaId: input.areaId,
      room: input.room,
      channel: 'staff',
      status: 'recorded',
      description: input.cause,
      receivedAt: input.reportedAt,
      receivedBy: input.reportedBy.staffId,
    },
    {
      idempotencyKey: `${workflowId}:0`,
      action: 'warning-recorded',
      actor: input.reportedBy,
      at: input.reportedAt,
      payload: { rule: 'C10', cause: input.cause, actions: input.actions, wording: input.wording, issueKey: input.issueKey },
    },
  );
  await activities.appendCaseEvent({
    caseId: input.caseId,
    seq: 1,
    idempotencyKey: `${workflowId}:1`,
    action: 'closed',
    actor: input.reportedBy,
    at: input.reportedAt,
    payload: { rule: 'C10' },
    patch: { status: 'recorded', closedAt: input.reportedAt, issueKey: input.issueKey ?? null },
  });
  await activities.notify({
    idempotencyKey: `${workflowId}:warning`,
    workflowId,
    caseId: input.caseId,
    propertyId: input.propertyId,
    // C10: the group's 8080 centre (and its complaint contact) hears of a pre-warning too.
    roles: ['supervisor', 'manager', 'callcenter'],
    template: 'complaintWarning',
    data: { caseId: input.caseId, room: input.room, reason: input.cause, measures: input.actions, note: input.wording },
  });
  return { caseId: input.caseId };
}
