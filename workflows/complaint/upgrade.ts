/** How a complaint becomes major (C3, C4, C8, R11), and the C4 count of complainants about one issue. */
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { DEPARTMENTS, type Department, type MajorReason } from '../../domain/complaint';
import { groupReportBy, issueWindowStart } from '../../domain/complaint-deadlines';
import { SYSTEM_ACTOR, type Actor } from '../../domain/people';
import { activities } from '../case';
import { complaintUpgradeSignal } from '../messages';
import { isFinished, notifyOwners, type ComplaintCase } from './case';

/**
 * C4/C8/R11: the complaint becomes major — new owners (supervisor and manager, or hr/audit for
 * their kinds), new deadlines from now, one audit event with the reason, one mail per owner.
 */
export async function upgrade(c: ComplaintCase, reason: MajorReason, rule: string, detail: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  const { state } = c;
  // `majorSince` rather than the severity: a complaint received as major is still announced once.
  if (state.majorSince || isFinished(c)) return;
  const at = new Date().toISOString();
  state.severity = 'major';
  state.majorSince = at;
  state.majorReasons = [...state.majorReasons, { reason, rule, at }];
  state.owners = [...c.routing.escalateTo];
  state.escalated = true;
  await c.tracker.audit('upgraded-to-major', actor, { reason, rule, detail, owners: state.owners });
  await notifyOwners(c, 'major', 'majorComplaint', c.routing.escalateTo, { majorReason: reason, rule, relatedCaseId: c.input.source?.caseId });
  await transferToGroup(c, reason, rule, `${rule}: ${detail}`);
}

/**
 * C3: a major customer complaint is transferred to the group — the 8080 centre (`callcenter`) and the
 * group's complaint contact — with its facts; its progress report to them is due within 2 working
 * days of the transfer (the `reportToGroup` clock). Employee complaints and reports are not: their
 * content stays with hr and audit, and the group hears only their result when closed.
 */
export async function transferToGroup(c: ComplaintCase, majorReason: MajorReason, rule: string, reason: string): Promise<void> {
  const { state } = c;
  if (state.confidential || state.transferredAt) return;
  state.transferredAt = state.majorSince ?? new Date().toISOString();
  await c.tracker.audit('transferred-to-group', SYSTEM_ACTOR, { rule: 'C3', to: ['callcenter'], reason });
  await c.tracker.mail('C3 the major complaint to the group', [
    {
      idempotencyKey: `${c.workflowId}:group-transfer`,
      workflowId: c.workflowId,
      caseId: state.caseId,
      propertyId: c.input.propertyId,
      areaId: c.input.areaId,
      roles: ['callcenter'],
      template: 'groupTransfer',
      data: {
        caseId: state.caseId,
        room: state.room,
        kind: state.category,
        majorReason,
        rule,
        description: c.input.description,
        dueAt: groupReportBy(c.policy, c.calendar, new Date(state.transferredAt)).toISOString(),
      },
    },
  ]);
}

/** C4: counts the distinct complainants of the issue; at the threshold every open complaint of it becomes major. */
export async function checkIssue(c: ComplaintCase, issueKey: string): Promise<void> {
  const { policy, workflowId } = c;
  // The count is read back from Postgres: this complaint's own issue key must be there first, or the
  // third complainant counts two (its classification's audit write was still queued).
  await c.tracker.written();
  const { complainants, openWorkflowIds } = await activities.issueComplainants({
    propertyId: c.input.propertyId,
    issueKey,
    since: issueWindowStart(policy, new Date()).toISOString(),
  });
  if (complainants < policy.complaint.issueComplainantsForMajor) return;
  const detail = `${complainants} different complainants about issue ${issueKey} within ${Math.round(policy.complaint.issueWindowMs / 86_400_000)} days`;
  await upgrade(c, 'same-issue', 'C4', detail);
  for (const other of openWorkflowIds.filter((id) => id !== workflowId)) {
    try {
      await getExternalWorkflowHandle(other).signal(complaintUpgradeSignal, { reason: 'same-issue', rule: 'C4', detail });
    } catch (error) {
      // Closed meanwhile: a closed complaint has nothing left to upgrade.
      log.info('complaint of the same issue no longer running', { workflowId: other, error: (error as Error).message });
    }
  }
}

/** C3: a general or important complaint is told to the head of its department (the supervisors when it has none), once per department. */
export async function routeToDepartment(c: ComplaintCase, department: Department, severity: string): Promise<void> {
  await c.tracker.mail(`C3 to the head of ${department}`, [
    {
      idempotencyKey: `${c.workflowId}:routed:${department}`,
      workflowId: c.workflowId,
      caseId: c.state.caseId,
      propertyId: c.input.propertyId,
      areaId: c.input.areaId,
      departments: [department],
      template: 'complaintRouted',
      data: { caseId: c.state.caseId, room: c.state.room, severity, kind: c.state.category, note: DEPARTMENTS[department] },
    },
  ]);
}

/** C3: an employee complaint or a report tells the 8080 centre its result when closed — not its content, which stays with hr or audit. */
export async function tellGroupTheResult(c: ComplaintCase): Promise<void> {
  if (!c.state.confidential) return;
  await c.tracker.mail('C3 the result to the 8080 centre', [
    {
      idempotencyKey: `${c.workflowId}:result-to-group`,
      caseId: c.state.caseId,
      propertyId: c.input.propertyId,
      roles: ['callcenter'],
      template: 'confidentialResult',
      data: { caseId: c.state.caseId, kind: c.kind, note: c.state.closure?.ground ?? c.state.status },
    },
  ]);
}
