/**
 * Policy preview: what would have differed, over a past period, had a proposed policy been in force
 * — deadlines met that would have been missed, missed ones that would have been met, escalations
 * added or avoided — per rule and per staff member. Computed from the recorded audit log
 * (`case_event`: deadline-met / deadline-missed / escalated and the staff actions), never by
 * replaying workflows. Pure: no I/O.
 *
 * Each recorded deadline outcome is looked at on its own. Its due time is first explained by the
 * policy the case ran on: a start the log records (an event's time, or a time named in one, such as
 * an appointment) plus the rule's duration, or its working days on the property's calendar, must give
 * the recorded due time. Only then is the proposed due time computed, from the same start. A due
 * time a person set (a promised time, an appointment, an agreed handling deadline) or that the log
 * cannot explain is left as it was and counted as not previewed, with the reason. What a different
 * outcome would itself have set in motion (a re-dispatch, an upgrade to major) is not replayed.
 */
import { addWorkingDays, endOfLocalDate, localDate, type CalendarSnapshot } from './calendar';
import type { ServicePolicy } from './policy';

export interface RecordedEvent {
  seq: number;
  action: string;
  actorId: string;
  actorRole: string;
  at: string;
  payload: Record<string, unknown>;
}

export interface RecordedCase {
  caseId: string;
  kind: string;
  receivedAt: string;
  /** Every audit event of the case, in seq order. */
  events: RecordedEvent[];
  /** The policy version the case ran on. */
  policy: ServicePolicy;
}

type PolicyPath = readonly [section: 'repair' | 'complaint' | 'requests' | 'patrol', field: string];

/** A kind of deadline the policy decides: which rule durations may have set it, and what meets it. */
interface Governed {
  kind: string;
  deadline: string;
  rule: string;
  unit: 'duration' | 'workingDays';
  paths: PolicyPath[];
  /** Actions that do what the deadline waits for, for a missed deadline done late … */
  doneBy: string[];
  /** … when their payload says so (an unanswered call is not a return visit). */
  doneWhen?: (payload: Record<string, unknown>) => boolean;
  /** Only the staff member who held the case when it was missed can still meet it (a work order's engineer). */
  byOwner?: boolean;
}

/**
 * The deadlines the workflows keep (workflows/: `tracker.deadline`, the complaint's `keep`, `MovableDeadline`)
 * that come from the policy. Appointments (R5/R6), agreed handling deadlines (C6 handling) and
 * customer-requested times (O2) are not here: no policy sets them.
 */
const GOVERNED: Governed[] = [
  { kind: 'repair', deadline: 'accept', rule: 'R2', unit: 'duration', paths: [['repair', 'acceptWithinMs']], doneBy: ['accept'], byOwner: true },
  { kind: 'repair', deadline: 'arrive', rule: 'R3', unit: 'duration', paths: [['repair', 'urgentArriveWithinMs']], doneBy: ['arrive'], byOwner: true },
  { kind: 'repair', deadline: 'repair', rule: 'R3', unit: 'duration', paths: [['repair', 'urgentRepairWithinMs']], doneBy: ['complete'], byOwner: true },
  { kind: 'repair', deadline: 'repair', rule: 'R4', unit: 'duration', paths: [['repair', 'generalRepairWithinMs']], doneBy: ['complete'], byOwner: true },
  { kind: 'repair', deadline: 'start', rule: 'R7', unit: 'duration', paths: [['repair', 'publicFacilityStartWithinMs']], doneBy: ['arrive'] },
  { kind: 'return_visit', deadline: 'visit', rule: 'R9', unit: 'duration', paths: [['repair', 'returnVisitUrgentWithinMs'], ['repair', 'returnVisitWithinMs']], doneBy: ['closed'] },
  { kind: 'complaint', deadline: 'respond', rule: 'C1', unit: 'duration', paths: [['complaint', 'firstResponseWithinMs']], doneBy: ['respond'] },
  {
    kind: 'complaint',
    deadline: 'firstReply',
    rule: 'C3',
    unit: 'workingDays',
    paths: [['complaint', 'generalFirstReplyWorkingDays'], ['complaint', 'importantFirstReplyWorkingDays'], ['complaint', 'majorFirstReplyWorkingDays']],
    doneBy: ['firstReply'],
  },
  {
    kind: 'complaint',
    deadline: 'resolve',
    rule: 'C3',
    unit: 'duration',
    paths: [['complaint', 'generalResolveWithinMs'], ['complaint', 'importantResolveWithinMs'], ['complaint', 'majorResolveWithinMs']],
    doneBy: ['recordHandling', 'exempt', 'closeWithoutAgreement'],
  },
  { kind: 'complaint', deadline: 'writtenReply', rule: 'C3', unit: 'duration', paths: [['complaint', 'majorWrittenReplyWithinMs']], doneBy: ['writtenReply'] },
  { kind: 'complaint', deadline: 'reportToGroup', rule: 'C3', unit: 'workingDays', paths: [['complaint', 'majorGroupReportWorkingDays']], doneBy: ['reportToGroup'] },
  {
    kind: 'complaint',
    deadline: 'returnVisit',
    rule: 'C7',
    unit: 'duration',
    paths: [['complaint', 'returnVisitWithinMs']],
    doneBy: ['recordReturnVisit', 'exempt'],
    doneWhen: (payload) => payload.answered !== false,
  },
  { kind: 'complaint', deadline: 'progress', rule: 'C6', unit: 'duration', paths: [['complaint', 'progressReportEveryMs']], doneBy: ['reportProgress', 'recordHandling'] },
  { kind: 'complaint', deadline: 'closingReply', rule: 'C11', unit: 'workingDays', paths: [['complaint', 'closingReplyWorkingDays']], doneBy: ['closingReply'] },
  { kind: 'request', deadline: 'reply', rule: 'I3', unit: 'duration', paths: [['requests', 'replyWithinMs']], doneBy: ['answer'] },
  { kind: 'patrol_finding', deadline: 'start', rule: 'O1', unit: 'duration', paths: [['patrol', 'startWithinMs']], doneBy: ['startRectification'] },
  { kind: 'patrol_finding', deadline: 'rectify', rule: 'O1', unit: 'duration', paths: [['patrol', 'rectifyWithinMs']], doneBy: ['completeRectification'] },
];

/** How far a recorded due time may sit from the start + duration that explains it (a start taken a moment before or after its event). */
export const MATCH_TOLERANCE_MS = 2_000;

export type NotPreviewedReason = 'set-by-staff' | 'not-a-policy-rule' | 'not-explained';

export const NOT_PREVIEWED_REASONS: Record<NotPreviewedReason, string> = {
  'set-by-staff': 'the due time was set by a person (a promised time, an appointment, a date named at intake): no policy rule moves it',
  'not-a-policy-rule': 'the deadline is not set by the policy (an appointment, an agreed handling deadline, a customer-requested time)',
  'not-explained': 'the log does not show how the policy the case ran on gave this due time (it may have been set by hand, or the calendar changed since)',
};

export type Outcome = 'met' | 'missed';

/** One recorded deadline whose outcome would differ. */
export interface DeadlineDifference {
  caseId: string;
  kind: string;
  deadline: string;
  rule: string;
  policyKey: string;
  ownerId: string | null;
  dueAt: string;
  proposedDueAt: string;
  /** When the work was done (recorded met, or done late after a miss); null when the log does not say. */
  doneAt: string | null;
  recorded: Outcome;
  proposed: Outcome;
  escalation: 'added' | 'avoided' | null;
}

export interface PreviewTally {
  deadlines: number;
  recordedMet: number;
  recordedMissed: number;
  proposedMet: number;
  proposedMissed: number;
  metBecomesMissed: number;
  missedBecomesMet: number;
  escalationsAdded: number;
  escalationsAvoided: number;
}

export interface PolicyPreview {
  from: string;
  to: string;
  /** Every deadline outcome of the period, previewed or not. */
  outcomes: number;
  total: PreviewTally;
  byRule: (PreviewTally & { rule: string; deadline: string; policyKey: string })[];
  byStaff: (PreviewTally & { staffId: string })[];
  notPreviewed: { reason: NotPreviewedReason; explanation: string; count: number }[];
  differences: DeadlineDifference[];
}

const emptyTally = (): PreviewTally => ({
  deadlines: 0,
  recordedMet: 0,
  recordedMissed: 0,
  proposedMet: 0,
  proposedMissed: 0,
  metBecomesMissed: 0,
  missedBecomesMet: 0,
  escalationsAdded: 0,
  escalationsAvoided: 0,
});

const time = (iso: string) => new Date(iso).getTime();
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Every instant named in a payload (an appointment, a promised time), at any depth. */
function instantsIn(value: unknown, into: number[] = []): number[] {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) into.push(time(value));
  else if (Array.isArray(value)) for (const v of value) instantsIn(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) instantsIn(v, into);
  return into;
}

const valueAt = (policy: ServicePolicy, [section, field]: PolicyPath) => (policy[section] as Record<string, number>)[field];

/** The due time `path` gives from `start` under `policy`. */
function dueFrom(governed: Governed, policy: ServicePolicy, path: PolicyPath, start: number, calendar: CalendarSnapshot): number {
  const value = valueAt(policy, path);
  if (governed.unit === 'duration') return start + value;
  // The test-only compressed working day (policy.complaint.workingDayMs) counts as the workflows count it.
  const compressed = policy.complaint.workingDayMs;
  return compressed ? start + value * compressed : addWorkingDays(new Date(start), value, calendar).getTime();
}

/** The policy rule key the API names a path by (domain/policy-rules.ts). */
const keyOf = (governed: Governed, path: PolicyPath) => `${path[0]}.${governed.unit === 'duration' ? path[1].replace(/Ms$/, '') : path[1]}`;

interface Explained {
  governed: Governed;
  path: PolicyPath;
  start: number;
}

/**
 * Which rule and start gave the recorded due time: the candidate the policy the case ran on
 * reproduces most closely, within the tolerance.
 */
function explain(candidates: Governed[], c: RecordedCase, before: RecordedEvent[], dueAt: number, calendar: CalendarSnapshot): Explained | undefined {
  const starts = new Set<number>([time(c.receivedAt)]);
  for (const e of before) {
    starts.add(time(e.at));
    for (const t of instantsIn(e.payload)) starts.add(t);
  }
  let best: (Explained & { off: number }) | undefined;
  for (const governed of candidates) {
    for (const path of governed.paths) {
      for (const start of starts) {
        if (start > dueAt) continue;
        const off = Math.abs(dueFrom(governed, c.policy, path, start, calendar) - dueAt);
        if (off <= MATCH_TOLERANCE_MS && (!best || off < best.off)) best = { governed, path, start, off };
      }
    }
  }
  return best;
}

function add(tally: PreviewTally, recorded: Outcome, proposed: Outcome, escalation: DeadlineDifference['escalation']): void {
  tally.deadlines++;
  tally[recorded === 'met' ? 'recordedMet' : 'recordedMissed']++;
  tally[proposed === 'met' ? 'proposedMet' : 'proposedMissed']++;
  if (recorded === 'met' && proposed === 'missed') tally.metBecomesMissed++;
  if (recorded === 'missed' && proposed === 'met') tally.missedBecomesMet++;
  if (escalation === 'added') tally.escalationsAdded++;
  if (escalation === 'avoided') tally.escalationsAvoided++;
}

/**
 * The preview of `proposed` over the deadline outcomes recorded in [from, to). `calendar` is the
 * property's working-day calendar over the period (for the rules counted in working days).
 */
export function previewPolicy(input: { cases: RecordedCase[]; proposed: ServicePolicy; from: Date; to: Date; calendar: CalendarSnapshot }): PolicyPreview {
  const { proposed, calendar } = input;
  const total = emptyTally();
  const byRule = new Map<string, PreviewTally & { rule: string; deadline: string; policyKey: string }>();
  const byStaff = new Map<string, PreviewTally & { staffId: string }>();
  const skipped = new Map<NotPreviewedReason, number>();
  const differences: DeadlineDifference[] = [];
  let outcomes = 0;

  for (const c of input.cases) {
    for (const [index, event] of c.events.entries()) {
      if (event.action !== 'deadline-met' && event.action !== 'deadline-missed') continue;
      const at = time(event.at);
      if (at < input.from.getTime() || at >= input.to.getTime()) continue;
      outcomes++;
      const deadline = String(event.payload.deadline);
      const rule = String(event.payload.rule);
      const dueAt = time(String(event.payload.dueAt));
      const ownerId = (event.payload.ownerId as string | null | undefined) ?? null;
      const before = c.events.slice(0, index);
      const skip = (reason: NotPreviewedReason) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);

      const candidates = GOVERNED.filter((g) => g.kind === c.kind && g.deadline === deadline && g.rule === rule);
      if (candidates.length === 0) {
        skip('not-a-policy-rule');
        continue;
      }
      const setByStaff = before.some((e) => e.actorRole !== 'system' && instantsIn(e.payload).includes(dueAt));
      if (setByStaff) {
        skip('set-by-staff');
        continue;
      }
      const explained = explain(candidates, c, before, dueAt, calendar);
      if (!explained) {
        skip('not-explained');
        continue;
      }
      const { governed, path, start } = explained;
      // The recorded due time moved by the difference the proposal makes from the same start.
      const proposedDueAt = dueAt + (dueFrom(governed, proposed, path, start, calendar) - dueFrom(governed, c.policy, path, start, calendar));
      const recorded: Outcome = event.action === 'deadline-met' ? 'met' : 'missed';
      const later = c.events.slice(index + 1);
      // The next outcome of the same deadline (a new due time) closes this one's window.
      const nextOutcome = later.findIndex((e) => (e.action === 'deadline-met' || e.action === 'deadline-missed' || e.action === 'deadline-set') && e.payload.deadline === deadline);
      const window = nextOutcome === -1 ? later : later.slice(0, nextOutcome);
      let doneAt: number | undefined;
      if (recorded === 'met') doneAt = at;
      else {
        const done = later.find(
          (e) => governed.doneBy.includes(e.action) && (governed.doneWhen?.(e.payload) ?? true) && (!governed.byOwner || !ownerId || e.actorId === ownerId),
        );
        doneAt = done ? time(done.at) : undefined;
      }
      const proposedOutcome: Outcome = doneAt !== undefined && doneAt <= proposedDueAt ? 'met' : 'missed';
      const escalatedThen = window.some((e) => e.action === 'escalated' && e.payload.deadline === deadline);
      const escalation: DeadlineDifference['escalation'] =
        recorded === 'met' && proposedOutcome === 'missed' ? 'added' : recorded === 'missed' && proposedOutcome === 'met' && escalatedThen ? 'avoided' : null;

      const policyKey = keyOf(governed, path);
      const ruleKey = `${rule} ${deadline} ${policyKey}`;
      const ruleTally = byRule.get(ruleKey) ?? { rule, deadline, policyKey, ...emptyTally() };
      byRule.set(ruleKey, ruleTally);
      const staffId = ownerId ?? 'unassigned';
      const staffTally = byStaff.get(staffId) ?? { staffId, ...emptyTally() };
      byStaff.set(staffId, staffTally);
      for (const tally of [total, ruleTally, staffTally]) add(tally, recorded, proposedOutcome, escalation);
      if (recorded !== proposedOutcome) {
        differences.push({
          caseId: c.caseId,
          kind: c.kind,
          deadline,
          rule,
          policyKey,
          ownerId,
          dueAt: new Date(dueAt).toISOString(),
          proposedDueAt: new Date(proposedDueAt).toISOString(),
          doneAt: doneAt === undefined ? null : new Date(doneAt).toISOString(),
          recorded,
          proposed: proposedOutcome,
          escalation,
        });
      }
    }
  }

  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    outcomes,
    total,
    byRule: [...byRule.values()].sort((a, b) => a.rule.localeCompare(b.rule) || a.deadline.localeCompare(b.deadline) || a.policyKey.localeCompare(b.policyKey)),
    byStaff: [...byStaff.values()].sort((a, b) => a.staffId.localeCompare(b.staffId)),
    notPreviewed: [...skipped.entries()].map(([reason, count]) => ({ reason, explanation: NOT_PREVIEWED_REASONS[reason], count })).sort((a, b) => a.reason.localeCompare(b.reason)),
    differences: differences.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.caseId.localeCompare(b.caseId)),
  };
}

const DAY_MS = 86_400_000;
const shiftDate = (date: string, days: number) => new Date(new Date(`${date}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);

/** The longest period one preview covers. */
export const MAX_PREVIEW_DAYS = 92;

/**
 * The instants a preview covers: the property-local month `YYYY-MM`, or the local dates `from`
 * through `to` (both included); by default the previous month.
 */
export function previewPeriod(
  request: { month?: string; from?: string; to?: string },
  timeZone: string,
  now: Date,
): { from: Date; to: Date; label: string } | { problem: string } {
  let first: string;
  let last: string;
  if (request.month) {
    first = `${request.month}-01`;
    last = shiftDate(`${shiftDate(first, 31).slice(0, 7)}-01`, -1);
  } else if (request.from || request.to) {
    if (!request.from || !request.to) return { problem: 'name both from and to (local dates), or a month' };
    [first, last] = [request.from, request.to];
  } else {
    const thisMonth = `${localDate(now, timeZone).slice(0, 7)}-01`;
    first = `${shiftDate(thisMonth, -1).slice(0, 7)}-01`;
    last = shiftDate(thisMonth, -1);
  }
  if (last < first) return { problem: 'the period ends before it starts' };
  if ((new Date(last).getTime() - new Date(first).getTime()) / DAY_MS + 1 > MAX_PREVIEW_DAYS) return { problem: `at most ${MAX_PREVIEW_DAYS} days at a time` };
  return { from: endOfLocalDate(shiftDate(first, -1), timeZone), to: endOfLocalDate(last, timeZone), label: request.from ? `${first}..${last}` : first.slice(0, 7) };
}
