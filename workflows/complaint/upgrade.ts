/** How a complaint becomes major (C3, C4, C8, R11), and the C4 count of complainants about one issue. */
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import type { MajorReason } from '../../domain/complaint';
import { issueWindowStart } from '../../domain/complaint-deadlines';
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
  await notifyOwners(c, 'major', 'majorComplaint', c.routing.escalateTo, { reason: `${rule}: ${detail}`, relatedCaseId: c.input.source?.caseId });
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
