import { z } from 'zod';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const duration = z.number().int().positive();
/** A local time of day, HH:MM, in the property's time zone. */
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time of day, HH:MM');

/**
 * A property's service policy (服务标准): every duration and threshold the workflows obey.
 * Defaults are the company documents' numbers (docs/rules.md); a property may override any of them.
 * A workflow snapshots the policy at start, so a later change never rewrites a running case.
 * Every field ending in `Ms` is a duration in milliseconds and is scaled by {@link compressPolicy}.
 */
export const servicePolicySchema = z.object({
  timeZone: z.string().min(1).default('Asia/Shanghai'),
  /** Fraction of a deadline after which the case shows SlaState=warning. */
  warningFraction: z.number().gt(0).lt(1).default(0.75),
  repair: z
    .object({
      /** R2: the engineer accepts the work order within 30 min … */
      acceptWithinMs: duration.default(30 * MINUTE),
      /** R2: … an urgent one within 5, shorter than the 20 min promised on site (R3), so a re-dispatch can still keep that promise. */
      urgentAcceptWithinMs: duration.default(5 * MINUTE),
      /** R6: the butler agrees a new time with a customer who was not home (or records a note left and a new date) within 2 h. */
      rescheduleWithinMs: duration.default(2 * HOUR),
      /** R3: urgent repair (急修) on site within 20 min of the report. */
      urgentArriveWithinMs: duration.default(20 * MINUTE),
      /** R3: urgent repair fixed within 8 h of the report. */
      urgentRepairWithinMs: duration.default(8 * HOUR),
      /** R4: general repair (一般维修) fixed within 2 h of dispatch. */
      generalRepairWithinMs: duration.default(2 * HOUR),
      /** R5: major repair (预约维修) — the customer is reminded one day before the appointment. */
      majorReminderBeforeMs: duration.default(DAY),
      /** R7: a public-facility repair (公区) not started within 2 days goes to the supervisor. */
      publicFacilityStartWithinMs: duration.default(2 * DAY),
      /** R9: return visit within 24 h for water/electricity urgent, neighbour-affecting and dangerous repairs. */
      returnVisitUrgentWithinMs: duration.default(DAY),
      /** R9: return visit within 2 days otherwise. */
      returnVisitWithinMs: duration.default(2 * DAY),
      /** R11: this many failed attempts on the same problem open a major complaint. */
      failedAttemptsForMajorComplaint: z.number().int().min(1).default(2),
    })
    .prefault({}),
  intake: z
    .object({
      /** I2: a case recorded this long after it came in (a call logged afterwards) needs no reason … */
      lateEntryWithoutReasonMs: duration.default(15 * MINUTE),
      /** I2: … up to this long with the reason recorded (a weekend's calls logged on Monday); its clocks run from the real time. */
      lateEntryLimitMs: duration.default(3 * DAY),
    })
    .prefault({}),
  returnVisit: z
    .object({
      /** V2: unanswered calls before the customer is recorded as unreachable. */
      maxAttempts: z.number().int().min(1).default(3),
      /** V2: the next call is placed at a different time of day — at least this much later. */
      retryAfterMs: duration.default(3 * HOUR),
      /** R9: a leak repair's visit that has seen no recorded rainy day falls due anyway this long after the repair. */
      rainFallbackMs: duration.default(30 * DAY),
      /** V4: a non-conformity (an unsatisfied visit) is followed up until the customer is satisfied within 3 days; a miss goes to the manager. */
      nonConformityWithinMs: duration.default(3 * DAY),
    })
    .prefault({}),
  complaint: z
    .object({
      /** C1: the customer hears from us within 30 min of the complaint. */
      firstResponseWithinMs: duration.default(30 * MINUTE),
      /** C3: a general complaint (一般) is resolved within 2 days … */
      generalResolveWithinMs: duration.default(2 * DAY),
      /** C3: … an important one (重要) within 3 days … */
      importantResolveWithinMs: duration.default(3 * DAY),
      /** C3: … a major one (重大) within 10 days. */
      majorResolveWithinMs: duration.default(10 * DAY),
      /** C3: first reply to the customer, in working days: general 2, important 1, major 1. */
      generalFirstReplyWorkingDays: z.number().int().min(0).default(2),
      importantFirstReplyWorkingDays: z.number().int().min(0).default(1),
      majorFirstReplyWorkingDays: z.number().int().min(0).default(1),
      /** C3: a major complaint gets a written reply within 2 days of becoming major. */
      majorWrittenReplyWithinMs: duration.default(2 * DAY),
      /** C3: a major complaint's progress is reported to the group within 2 working days of its transfer. */
      majorGroupReportWorkingDays: z.number().int().min(0).default(2),
      /** C6: while handling takes longer, the customer hears of progress at least every 24 h. */
      progressReportEveryMs: duration.default(DAY),
      /** C4: this many different complainants on one issue … */
      issueComplainantsForMajor: z.number().int().min(2).default(3),
      /** C4: … within this rolling window (one month) make every open complaint of the issue major. */
      issueWindowMs: duration.default(30 * DAY),
      /** C4: a collective complaint of this many people is major at once. */
      collectiveComplainantsForMajor: z.number().int().min(2).default(3),
      /** C4: still unresolved this long after it was made through our fault, a complaint becomes major … */
      unresolvedMajorAfterMs: duration.default(7 * DAY),
      /** C4: … and any complaint still unresolved this long after it was made, whoever's fault it is. */
      unresolvedAnyMajorAfterMs: duration.default(30 * DAY),
      /** C7: the supervisor's return visit is due this long after the complaint was resolved; a miss goes to the manager. */
      returnVisitWithinMs: duration.default(7 * DAY),
      /** C8: the same problem handled this many times without resolution makes the complaint major. */
      failedHandlingsForMajor: z.number().int().min(1).default(2),
      /** C7: an exempt complaint closes when no repeat complaint arrives this long after completion. */
      exemptQuietPeriodMs: duration.default(7 * DAY),
      /** C9: unreachable by every contact for a month … */
      unreachableForMs: duration.default(30 * DAY),
      /** C9: … and no new complaint within 15 days; or handled but unconfirmed for 15 days. */
      unconfirmedForMs: duration.default(15 * DAY),
      /** C11: the closing reply goes out within 1 working day of the end of handling. */
      closingReplyWorkingDays: z.number().int().min(0).default(1),
      /**
       * Tests only: when set, a working day is this many plain milliseconds and the calendar is
       * ignored (a dev server cannot skip to next Monday). Unset in production.
       */
      workingDayMs: duration.optional(),
    })
    .prefault({}),
  /** I3: inquiries, suggestions, help requests (问询、建议、求助). */
  requests: z
    .object({
      /** I3: a request not answered at once is answered by the promised time; this one when none was named. */
      replyWithinMs: duration.default(DAY),
    })
    .prefault({}),
  /** O1: patrol findings (片区巡查) and their rectification notices. */
  patrol: z
    .object({
      /** O1 (as R7): rectification not started within 2 days goes to the supervisor. */
      startWithinMs: duration.default(2 * DAY),
      /** O1: the notice's deadline when the butler names none. */
      rectifyWithinMs: duration.default(3 * DAY),
    })
    .prefault({}),
  /** Satisfaction surveys (docs/rules.md §5). */
  survey: z
    .object({
      /** S1: each area consults at least this share of its occupied households every month. */
      minMonthlyFraction: z.number().gt(0).lte(1).default(0.1),
      /** How long a household's invitation link works (the survey window). */
      windowMs: duration.default(14 * DAY),
      /** The reminder goes out this long before the window closes. */
      reminderBeforeMs: duration.default(3 * DAY),
      /** S6: a score at or under this (of 5) opens a follow-up complaint. */
      lowScoreAtMost: z.number().int().min(0).max(5).default(2),
      /** Scale: survey workflows a monthly run starts per batch … */
      startBatchSize: z.number().int().min(1).max(1000).default(200),
      /** … and the history length after which the run continues as new. */
      runHistoryEventsBeforeContinue: z.number().int().min(100).max(40_000).default(2000),
      /** S4/S5: the half-yearly questionnaire (管理工作征询意见表). */
      campaign: z
        .object({
          /** S4: distributed within 7 working days of its release … */
          distributeWithinWorkingDays: z.number().int().min(1).default(7),
          /** … and collected within 15 working days of distribution. */
          collectWithinWorkingDays: z.number().int().min(1).default(15),
          /** The supervisor hears this many working days before the collection deadline when recovery is behind. */
          alertBeforeCollectWorkingDays: z.number().int().min(0).default(3),
          /** S5: distribution rate while the property has been occupied under `matureAfterYears` … */
          distributionRateYoung: z.number().gt(0).lte(1).default(0.2),
          /** … and from then on. */
          distributionRateMature: z.number().gt(0).lte(1).default(0.15),
          matureAfterYears: z.number().int().min(1).default(3),
          /** S5: at least 90 % of the distributed questionnaires come back. */
          recoveryTarget: z.number().gt(0).lte(1).default(0.9),
          /** Tests only: a working day is this many plain milliseconds (as complaint.workingDayMs). */
          workingDayMs: duration.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * When the property's Temporal Schedules fire, in its time zone (schedules.ts). A change
   * moves the schedules at once; the workflows never read these.
   */
  schedules: z
    .object({
      /** R12: the morning reconciliation of open requests … */
      reconciliationMorningAt: timeOfDay.default('09:00'),
      /** … and the afternoon one. */
      reconciliationAfternoonAt: timeOfDay.default('15:00'),
      /** S1: the monthly survey sampling runs on this day of the month … */
      surveyRunDayOfMonth: z.number().int().min(1).max(28).default(1),
      /** … at this time. */
      surveyRunAt: timeOfDay.default('09:00'),
      /** P1: the previous month's complaint analysis is made on this day — it is due by the 10th … */
      complaintReportDayOfMonth: z.number().int().min(1).max(10).default(2),
      /** … at this time. */
      complaintReportAt: timeOfDay.default('08:00'),
      /** P3: the previous month's appraisal results are stored on this day … */
      appraisalDayOfMonth: z.number().int().min(1).max(28).default(1),
      /** … at this time (the last evening's deadlines are in by then). */
      appraisalAt: timeOfDay.default('06:00'),
    })
    .prefault({}),
  /** P3: staff appraisal (员工绩效考核, docs/rules.md §7). */
  appraisal: z
    .object({
      /** P3: each month's appraisal is kept this many months (records kept 2 years), then deleted. */
      keepMonths: z.number().int().min(12).max(120).default(24),
    })
    .prefault({}),
});

export type ServicePolicy = z.infer<typeof servicePolicySchema>;
export type ServicePolicyInput = z.input<typeof servicePolicySchema>;

export const DEFAULT_POLICY: ServicePolicy = servicePolicySchema.parse({});

/** Parses a stored (possibly partial) policy, filling every missing field with the documented default. */
export function parsePolicy(stored: unknown): ServicePolicy {
  return servicePolicySchema.parse(stored ?? {});
}

/**
 * The same policy with every duration divided by `factor` — how tests run real rules on a dev
 * server that does not skip time (docs/architecture.md §7). Counts and fractions are unchanged.
 */
export function compressPolicy(policy: ServicePolicy, factor: number): ServicePolicy {
  const scale = (value: unknown, key: string): unknown => {
    // How late a case may be recorded is a bound on the input, not a clock a test waits for.
    if (key === 'intake') return value;
    if (typeof value === 'number' && key.endsWith('Ms')) return Math.max(1, Math.round(value / factor));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scale(v, k)]));
    }
    return value;
  };
  return scale(policy, '') as ServicePolicy;
}
