/**
 * A complaint (投诉), from intake to the closing reply (docs/rules.md §3). One workflow per
 * complaint; its ID is `complaint-` + the case number. Opened by the API (every channel of I1), or by
 * a repair that failed twice (R11).
 *
 * received → classified → handling → awaiting_approval → awaiting_return_visit → awaiting_archive
 * → archived → closed, with the detours of C7 (exempt: a quiet week), C8 (unsatisfied: improve or
 * explain) and C9 (closed without agreement). Clocks run beside that path (./complaint/clocks.ts).
 *
 * The return visit is recorded as actions on the complaint rather than as a `returnVisit` child:
 * that child is repair-shaped (R9 due times from repair tags, new needs become repairs), while C7
 * makes it the supervisor's, and C8 counts failed handlings on the complaint itself.
 */
import { condition } from '@temporalio/workflow';
import { majorAtIntake } from '../domain/complaint';
import type { Role } from '../domain/people';
import { awaitOpening } from './case';
import { isOver, notifyOwners, openComplaint, severityOf, type ComplaintInput } from './complaint/case';
import { quietWeeks, startClocks } from './complaint/clocks';
import { tellGroupTheResult, upgrade } from './complaint/upgrade';

export type { ComplaintInput, ComplaintSeverity, ComplaintView } from './complaint/case';

export async function complaint(input: ComplaintInput): Promise<{ caseId: string; status: string; severity: string }> {
  // The API's answer waits for the case row (R11's complaints are started by a repair: nobody waits).
  const c = await openComplaint(input, awaitOpening(input.caseId));
  const severity = severityOf(c);

  // R11: a repair that failed twice opens a major complaint; a survey's follow-up (S6) is an ordinary one.
  if (input.source && input.source.relation !== 'survey') {
    await upgrade(c, 'repair-failed-twice', 'R11', input.source.reason);
  } else {
    // C3: every customer complaint record goes to the supervisor as well as to whoever owns it first.
    const firstOwners: Role[] = c.kind !== 'customer' ? c.routing.escalateTo : severity === 'general' || !severity ? ['butler', 'supervisor'] : ['supervisor'];
    await notifyOwners(c, 'received', 'complaintReceived', firstOwners, { severity, kind: c.kind, description: input.description });
    const atIntake = majorAtIntake(c.policy.complaint, input);
    if (atIntake) await upgrade(c, atIntake, 'C4', atIntake === 'collective' ? `a collective complaint of ${input.complainants} people` : 'risk of a lawsuit or media exposure');
    else if (input.severity === 'major') await upgrade(c, 'classified', 'C3', 'received as a major complaint');
  }

  const clocks = startClocks(c);
  await quietWeeks(c);
  await condition(() => isOver(c));
  await tellGroupTheResult(c);
  await Promise.all(clocks);
  await c.tracker.finished();
  return { caseId: c.state.caseId, status: c.state.status, severity: c.state.severity };
}
