/**
 * The clocks that run beside a complaint's path (docs/rules.md §3): the 30-minute response (C1), the
 * first reply in working days, the resolution, a major complaint's written reply and report to the
 * group (C3), the agreed handling deadline and progress every 24 h (C6), the closing reply (C11), and
 * the week after which an unresolved complaint of our fault becomes major (C4).
 */
import { condition } from '@temporalio/workflow';
import {
  closingReplyBy,
  exemptionClosesAt,
  firstReplyBy,
  firstResponseBy,
  groupReportBy,
  majorIfUnresolvedAt,
  nextProgressReportBy,
  resolveBy,
  writtenReplyBy,
} from '../../domain/complaint-deadlines';
import { SYSTEM_ACTOR } from '../../domain/people';
import type { Role } from '../../domain/people';
import { archive, handledOrBeyond, isFinished, isMajor, isOver, severityOf, type ComplaintCase } from './case';
import { upgrade } from './upgrade';

/** Missed deadlines go to the supervisor, of a major complaint also the manager; hr/audit keep their kinds. */
const escalationRoles = (c: ComplaintCase): Role[] => (c.kind !== 'customer' ? c.routing.escalateTo : isMajor(c) ? ['supervisor', 'manager'] : ['supervisor']);

const escalate = (c: ComplaintCase, deadline: string, rule: string, reason: string, dueAt: string) =>
  c.tracker.escalate({ deadline, rule, roles: escalationRoles(c), reason, dueAt, step: `${deadline}:${dueAt}` });

/**
 * Keeps one promise: while `due()` names a time and `met()` is false, watches it; a new due time
 * supersedes the old one; each missed time escalates once.
 */
async function keep(c: ComplaintCase, name: string, rule: string, due: () => string | undefined, met: () => boolean, reason: string): Promise<void> {
  for (;;) {
    await condition(() => isFinished(c) || (due() !== undefined && !met()));
    if (isFinished(c)) return;
    const dueAt = due()!;
    const outcome = await c.tracker.watch({ name, rule, dueAt: new Date(dueAt), summary: `${rule} ${name} due` }, met, () => due() !== dueAt || isFinished(c));
    if (outcome === 'missed') {
      await escalate(c, name, rule, reason, dueAt);
      await condition(() => isFinished(c) || met() || due() !== dueAt);
    } else if (outcome === 'met') {
      await condition(() => isFinished(c) || !met() || due() !== dueAt);
    }
  }
}

/** C11: the reply after closing, within 1 working day. */
async function closingReply(c: ComplaintCase): Promise<void> {
  await condition(() => c.state.status === 'archived' || isOver(c));
  if (isOver(c)) return;
  const dueAt = closingReplyBy(c.policy, c.calendar, new Date(c.state.archivedAt!));
  const met = await c.tracker.deadline({ name: 'closingReply', rule: 'C11', dueAt, summary: 'C11 closing reply due' }, () => isOver(c));
  if (!met) await escalate(c, 'closingReply', 'C11', 'no reply to the customer within 1 working day of closing', dueAt.toISOString());
}

/** C4: still unresolved a week after it was made → major (only a complaint whose cause lies with us; until staff record otherwise, it is taken to). */
async function majorIfUnresolved(c: ComplaintCase): Promise<void> {
  const at = majorIfUnresolvedAt(c.policy, c.state.receivedAt).getTime() - Date.now();
  const settled = () => handledOrBeyond(c) || isFinished(c) || isMajor(c) || c.state.ourFault === false;
  if (at > 0 && (await condition(settled, at, { summary: 'C4 major if unresolved a week' }))) return;
  if (!settled()) await upgrade(c, 'unresolved-a-week', 'C4', `still unresolved ${Math.round(c.policy.complaint.unresolvedMajorAfterMs / 86_400_000)} days after it was made`);
}

/** Starts every clock of the complaint; they end when it is finished. */
export function startClocks(c: ComplaintCase): Promise<void>[] {
  const { state, policy, calendar } = c;
  /** The time C3's clocks count from: intake, or the moment the complaint became major. */
  const from = () => (isMajor(c) && state.majorSince ? state.majorSince : state.receivedAt);
  const severity = () => severityOf(c);
  return [
    // C1: the customer hears from us within 30 min.
    keep(c, 'respond', 'C1', () => firstResponseBy(policy, state.receivedAt).toISOString(), () => state.respondedAt !== undefined || isFinished(c), 'no first response to the customer within 30 min'),
    // C3: the first reply, in working days on the property's calendar.
    keep(c, 'firstReply', 'C3', () => (severity() ? firstReplyBy(policy, calendar, severity()!, new Date(state.receivedAt)).toISOString() : undefined), () => state.firstRepliedAt !== undefined, 'no first reply to the customer in time'),
    // C3: resolved within 2/3/10 days; a major complaint's clock starts again when it becomes major (new deadlines).
    keep(c, 'resolve', 'C3', () => (severity() ? resolveBy(policy, severity()!, from()).toISOString() : undefined), () => handledOrBeyond(c), 'complaint not resolved in time'),
    keep(c, 'writtenReply', 'C3', () => (isMajor(c) && state.majorSince ? writtenReplyBy(policy, state.majorSince).toISOString() : undefined), () => state.writtenRepliedAt !== undefined, 'no written reply to a major complaint within 2 days'),
    keep(
      c,
      'reportToGroup',
      'C3',
      () => (isMajor(c) && state.majorSince ? groupReportBy(policy, calendar, new Date(state.majorSince)).toISOString() : undefined),
      () => state.groupReportedAt !== undefined,
      'major complaint not reported to the group within 2 working days',
    ),
    // C6: the agreed handling deadline, and progress reports at least every 24 h while handling lasts.
    keep(c, 'handling', 'C6', () => (state.status === 'handling' ? state.handling?.dueAt : undefined), () => handledOrBeyond(c), 'the handling deadline agreed with the customer passed'),
    keep(
      c,
      'progress',
      'C6',
      () => (state.status === 'handling' && state.progressFrom ? nextProgressReportBy(policy, state.progressFrom).toISOString() : undefined),
      () => state.status !== 'handling',
      'no progress report to the customer within 24 h',
    ),
    closingReply(c),
    majorIfUnresolved(c),
  ];
}

/** C7: an exempt complaint closes after a quiet week without a repeat complaint. */
export async function quietWeeks(c: ComplaintCase): Promise<void> {
  const { state } = c;
  for (;;) {
    await condition(() => isFinished(c) || state.status === 'quiet_period');
    if (isFinished(c)) return;
    const since = state.quietSince!;
    const quietFor = exemptionClosesAt(c.policy, since).getTime() - Date.now();
    const interrupted = await condition(() => state.quietSince !== since || isFinished(c), Math.max(1, quietFor), { summary: 'C7 quiet week' });
    if (interrupted) continue;
    await c.tracker.audit('quiet-week-passed', SYSTEM_ACTOR, { rule: 'C7', exemption: state.exemption });
    archive(c, !c.contactable);
    await c.tracker.audit(state.status === 'closed' ? 'closed' : 'archived', SYSTEM_ACTOR, { rule: 'C7' });
  }
}
