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
  returnVisitBy,
  writtenReplyBy,
} from '../../domain/complaint-deadlines';
import { SYSTEM_ACTOR } from '../../domain/people';
import type { Role } from '../../domain/people';
import { archive, handledOrBeyond, isFinished, isMajor, isOver, severityOf, type ComplaintCase } from './case';
import { upgrade } from './upgrade';

/** Missed deadlines go to the supervisor, of a major complaint also the manager; hr/audit keep their kinds. */
const escalationRoles = (c: ComplaintCase): Role[] => (c.kind !== 'customer' ? c.routing.escalateTo : isMajor(c) ? ['supervisor', 'manager'] : ['supervisor']);

const escalate = (c: ComplaintCase, deadline: string, rule: string, reason: string, dueAt: string, roles = escalationRoles(c)) =>
  c.tracker.escalate({ deadline, rule, roles, reason, dueAt, step: `${deadline}:${dueAt}` });

interface Promise_ {
  name: string;
  rule: string;
  /** When it is due now, or undefined while it is not owed. */
  due: () => string | undefined;
  met: () => boolean;
  reason: string;
  /** Who hears of a miss; the supervisor (and manager or hr/audit) by default. */
  roles?: () => Role[];
  /** When the promise stops being watched; by default once the complaint is archived, closed or invalid. */
  over?: () => boolean;
}

/**
 * Keeps one promise: while `due()` names a time and `met()` is false, watches it; a new due time
 * supersedes the old one; each missed time escalates once.
 */
async function keep(c: ComplaintCase, p: Promise_): Promise<void> {
  const over = p.over ?? (() => isFinished(c));
  for (;;) {
    await condition(() => over() || (p.due() !== undefined && !p.met()));
    if (over()) return;
    const dueAt = p.due()!;
    const outcome = await c.tracker.watch({ name: p.name, rule: p.rule, dueAt: new Date(dueAt), summary: `${p.rule} ${p.name} due` }, p.met, () => p.due() !== dueAt || over());
    if (outcome === 'missed') {
      await escalate(c, p.name, p.rule, p.reason, dueAt, p.roles?.());
      await condition(() => over() || p.met() || p.due() !== dueAt);
    } else if (outcome === 'met') {
      await condition(() => over() || !p.met() || p.due() !== dueAt);
    }
  }
}

/**
 * C4: still unresolved a week after it was made through our fault (until staff record otherwise, it
 * is taken to be), or a month after it was made whoever's fault, a complaint becomes major.
 */
async function majorIfUnresolved(c: ComplaintCase, reason: 'unresolved-a-week' | 'unresolved-a-month'): Promise<void> {
  const week = reason === 'unresolved-a-week';
  const after = week ? c.policy.complaint.unresolvedMajorAfterMs : c.policy.complaint.unresolvedAnyMajorAfterMs;
  const at = majorIfUnresolvedAt(c.policy, c.state.receivedAt, after).getTime() - Date.now();
  const settled = () => handledOrBeyond(c) || isFinished(c) || isMajor(c) || (week && c.state.ourFault === false);
  if (at > 0 && (await condition(settled, at, { summary: `C4 major if unresolved ${week ? 'a week' : 'a month'}` }))) return;
  if (!settled()) await upgrade(c, reason, 'C4', `still unresolved ${Math.round(after / 86_400_000)} days after it was made`);
}

/** Starts every clock of the complaint; they end when it is finished. */
export function startClocks(c: ComplaintCase): Promise<void>[] {
  const { state, policy, calendar } = c;
  /** The time C3's clocks count from: intake, or the moment the complaint became major. */
  const from = () => (isMajor(c) && state.majorSince ? state.majorSince : state.receivedAt);
  const severity = () => severityOf(c);
  /** C1, C3 and C11 are promises to a complainant we can reach: an anonymous complaint owes none of them. */
  const toCustomer = (due: () => string | undefined) => () => (c.contactable ? due() : undefined);
  return [
    // C1: the customer hears from us within 30 min.
    keep(c, {
      name: 'respond',
      rule: 'C1',
      due: toCustomer(() => firstResponseBy(policy, state.receivedAt).toISOString()),
      met: () => state.respondedAt !== undefined || isFinished(c),
      reason: 'no first response to the customer within 30 min',
    }),
    // C3: the first reply, in working days on the property's calendar.
    keep(c, {
      name: 'firstReply',
      rule: 'C3',
      due: toCustomer(() => (severity() ? firstReplyBy(policy, calendar, severity()!, new Date(state.receivedAt)).toISOString() : undefined)),
      met: () => state.firstRepliedAt !== undefined,
      reason: 'no first reply to the customer in time',
    }),
    // C3: resolved within 2/3/10 days; a major complaint's clock starts again when it becomes major (new deadlines).
    keep(c, { name: 'resolve', rule: 'C3', due: () => (severity() ? resolveBy(policy, severity()!, from()).toISOString() : undefined), met: () => handledOrBeyond(c), reason: 'complaint not resolved in time' }),
    keep(c, {
      name: 'writtenReply',
      rule: 'C3',
      due: () => (isMajor(c) && state.majorSince ? writtenReplyBy(policy, state.majorSince).toISOString() : undefined),
      met: () => state.writtenRepliedAt !== undefined,
      reason: 'no written reply to a major complaint within 2 days',
    }),
    keep(c, {
      name: 'reportToGroup',
      rule: 'C3',
      due: () => (isMajor(c) && state.majorSince ? groupReportBy(policy, calendar, new Date(state.majorSince)).toISOString() : undefined),
      met: () => state.groupReportedAt !== undefined,
      reason: 'major complaint not reported to the group within 2 working days',
    }),
    // C6: the agreed handling deadline, and progress reports at least every 24 h while handling lasts.
    keep(c, { name: 'handling', rule: 'C6', due: () => (state.status === 'handling' ? state.handling?.dueAt : undefined), met: () => handledOrBeyond(c), reason: 'the handling deadline agreed with the customer passed' }),
    keep(c, {
      name: 'progress',
      rule: 'C6',
      due: () => (state.status === 'handling' && state.progressFrom ? nextProgressReportBy(policy, state.progressFrom).toISOString() : undefined),
      met: () => state.status !== 'handling',
      reason: 'no progress report to the customer within 24 h',
    }),
    // C7: the supervisor's return visit within a week of the complaint being resolved; a miss goes to the manager.
    keep(c, {
      name: 'returnVisit',
      rule: 'C7',
      due: () => (state.status === 'awaiting_return_visit' && state.resolvedAt ? returnVisitBy(policy, state.resolvedAt).toISOString() : undefined),
      met: () => state.status !== 'awaiting_return_visit',
      reason: 'the return visit of the resolved complaint was not made within a week',
      roles: () => (c.kind === 'customer' ? ['manager'] : c.routing.escalateTo),
    }),
    // C11: the closing reply within 1 working day of the end of handling, archived or not.
    keep(c, {
      name: 'closingReply',
      rule: 'C11',
      // Handling ends when it is recorded done, or when the complaint is archived without it (C8 explained, C9 closed without agreement).
      due: toCustomer(() => {
        const handledAt = state.resolvedAt ?? (state.status === 'archived' ? state.archivedAt : undefined);
        return handledAt && !state.closingRepliedAt ? closingReplyBy(policy, calendar, new Date(handledAt)).toISOString() : undefined;
      }),
      met: () => state.closingRepliedAt !== undefined,
      reason: 'no closing reply to the customer within 1 working day of the end of handling',
      over: () => isOver(c),
    }),
    majorIfUnresolved(c, 'unresolved-a-week'),
    majorIfUnresolved(c, 'unresolved-a-month'),
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
