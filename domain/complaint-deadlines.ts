/**
 * When each promise of a complaint falls due (docs/rules.md §3), as pure functions of the policy
 * snapshot and the property's calendar. Replies are counted in working days (C3, C11).
 */
import { addWorkingDays, type CalendarSnapshot } from './calendar';
import type { ClosureGround, ComplaintSeverity } from './complaint';
import type { ServicePolicy } from './policy';

const after = (from: Date | string, ms: number) => new Date(new Date(from).getTime() + ms);

/**
 * `days` working days after `from` on the property's calendar; with the test-only
 * `complaint.workingDayMs` set, plain multiples of it instead (documented on the policy).
 */
export function workingDaysAfter(policy: ServicePolicy, calendar: CalendarSnapshot, from: Date, days: number): Date {
  const compressed = policy.complaint.workingDayMs;
  return compressed ? after(from, days * compressed) : addWorkingDays(from, days, calendar);
}

/** C1: the customer hears from us within 30 min. */
export function firstResponseBy(policy: ServicePolicy, receivedAt: Date | string): Date {
  return after(receivedAt, policy.complaint.firstResponseWithinMs);
}

/** C3: resolved within 2 days (general), 3 days (important) or 10 days (major) of `from`. */
export function resolveBy(policy: ServicePolicy, severity: ComplaintSeverity, from: Date | string): Date {
  const c = policy.complaint;
  const within = { general: c.generalResolveWithinMs, important: c.importantResolveWithinMs, major: c.majorResolveWithinMs }[severity];
  return after(from, within);
}

/** C3: the first reply within 2 working days (general) or 1 working day (important, major). */
export function firstReplyBy(policy: ServicePolicy, calendar: CalendarSnapshot, severity: ComplaintSeverity, from: Date): Date {
  const c = policy.complaint;
  const days = { general: c.generalFirstReplyWorkingDays, important: c.importantFirstReplyWorkingDays, major: c.majorFirstReplyWorkingDays }[severity];
  return workingDaysAfter(policy, calendar, from, days);
}

/** C3: a major complaint gets a written reply within 2 days of becoming major. */
export function writtenReplyBy(policy: ServicePolicy, majorSince: Date | string): Date {
  return after(majorSince, policy.complaint.majorWrittenReplyWithinMs);
}

/** C3: a major complaint's progress goes to the group within 2 working days of its transfer. */
export function groupReportBy(policy: ServicePolicy, calendar: CalendarSnapshot, transferredAt: Date): Date {
  return workingDaysAfter(policy, calendar, transferredAt, policy.complaint.majorGroupReportWorkingDays);
}

/** C6: while handling lasts, the next progress report is due 24 h after the last one (or the start). */
export function nextProgressReportBy(policy: ServicePolicy, lastReportOrStart: Date | string): Date {
  return after(lastReportOrStart, policy.complaint.progressReportEveryMs);
}

/**
 * C4: when a complaint still unresolved becomes major — one week after it was made (through our
 * fault), or `within` after it (one month, whoever's fault: `unresolvedAnyMajorAfterMs`).
 */
export function majorIfUnresolvedAt(policy: ServicePolicy, receivedAt: Date | string, within = policy.complaint.unresolvedMajorAfterMs): Date {
  return after(receivedAt, within);
}

/** C7: the supervisor's return visit is due within one week of the complaint being resolved. */
export function returnVisitBy(policy: ServicePolicy, resolvedAt: Date | string): Date {
  return after(resolvedAt, policy.complaint.returnVisitWithinMs);
}

/** C4: the start of the rolling window in which distinct complainants of an issue are counted. */
export function issueWindowStart(policy: ServicePolicy, now: Date): Date {
  return after(now, -policy.complaint.issueWindowMs);
}

/** C4: whether a complaint received at `receivedAt` still counts toward its issue at `now` (the activity asks Postgres the same: `received_at >= issueWindowStart`). */
export function inIssueWindow(policy: ServicePolicy, receivedAt: Date | string, now: Date): boolean {
  return new Date(receivedAt).getTime() >= issueWindowStart(policy, now).getTime();
}

/** C7: an exempt complaint closes one week after completion when no repeat complaint came. */
export function exemptionClosesAt(policy: ServicePolicy, completedAt: Date | string): Date {
  return after(completedAt, policy.complaint.exemptQuietPeriodMs);
}

/**
 * C9: the earliest moment a complaint may be closed without the customer's agreement on `ground`:
 * at once when handling complies with law or is beyond our authority; a month unreachable plus 15
 * days without a new complaint after the last contact attempt's start (`since`); 15 days unconfirmed
 * after handling (`since` = when it was handled).
 */
export function closureAllowedFrom(policy: ServicePolicy, ground: ClosureGround, since: Date | string): Date {
  const c = policy.complaint;
  switch (ground) {
    case 'lawful':
    case 'beyond-authority':
      return new Date(since);
    case 'unreachable':
      return after(since, c.unreachableForMs + c.unconfirmedForMs);
    case 'unconfirmed':
      return after(since, c.unconfirmedForMs);
  }
}

/** C11: once handling is finished, the closing reply to the customer within 1 working day. */
export function closingReplyBy(policy: ServicePolicy, calendar: CalendarSnapshot, handledAt: Date): Date {
  return workingDaysAfter(policy, calendar, handledAt, policy.complaint.closingReplyWorkingDays);
}
