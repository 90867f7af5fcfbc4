/**
 * The service policy as a manager reads and changes it (GET/PATCH /properties/policy): each rule of
 * {@link ServicePolicy} with its rule ID, its unit, its bounds and its documented default, durations
 * written as ISO-8601 durations and in words. Changes are validated here — each value within its
 * bounds, and the rules that depend on each other kept in order. Pure: no I/O.
 */
import { z } from 'zod';
import { DAY, DEFAULT_POLICY, HOUR, MINUTE, parsePolicy, type ServicePolicy } from './policy';

export type RuleUnit = 'duration' | 'workingDays' | 'count' | 'fraction' | 'dayOfMonth' | 'timeOfDay';

export interface PolicyRule {
  /** How the API names the rule: the policy path, a duration's `Ms` suffix left off (`repair.acceptWithin`). */
  key: string;
  /** Where it lives in the stored policy, e.g. ['repair', 'acceptWithinMs']. */
  path: string[];
  /** The rule of docs/rules.md it carries, e.g. R2. */
  rule: string;
  unit: RuleUnit;
  description: string;
  /** Bounds of a sane value: milliseconds for a duration, else the value itself. */
  min: number;
  max: number;
}

type Entry = [path: string, rule: string, unit: RuleUnit, description: string, min: number, max: number];

/**
 * Fields of the policy that are not a manager's rules: the test-only compressed working days, the
 * survey run's batch sizes (engineering, not service), and the time zone (the property's own field,
 * PATCH /properties/current). Every other field is in {@link ENTRIES} (test/unit/policy-rules.test.ts).
 */
export const NOT_MANAGED = ['timeZone', 'complaint.workingDayMs', 'survey.campaign.workingDayMs', 'survey.startBatchSize', 'survey.runHistoryEventsBeforeContinue'] as const;

/** Every rule a manager may change. */
const ENTRIES: Entry[] = [
  ['warningFraction', 'SLA', 'fraction', 'share of a deadline after which the case shows a warning and its owner is told', 0.05, 0.95],
  ['repair.acceptWithinMs', 'R2', 'duration', 'the engineer accepts a work order within', MINUTE, DAY],
  ['repair.urgentAcceptWithinMs', 'R2', 'duration', 'the engineer accepts an urgent work order within (shorter than the time promised on site)', MINUTE, DAY],
  ['repair.rescheduleWithinMs', 'R6', 'duration', 'the butler agrees a new time with a customer who was not home within', 10 * MINUTE, 7 * DAY],
  ['repair.urgentArriveWithinMs', 'R3', 'duration', 'an urgent repair has someone on site within', MINUTE, DAY],
  ['repair.urgentRepairWithinMs', 'R3', 'duration', 'an urgent repair is fixed within', 10 * MINUTE, 7 * DAY],
  ['repair.generalRepairWithinMs', 'R4', 'duration', 'a general repair is fixed within (of dispatch)', 10 * MINUTE, 7 * DAY],
  ['repair.majorReminderBeforeMs', 'R5', 'duration', 'the customer is reminded this long before a major repair’s appointment', 10 * MINUTE, 7 * DAY],
  ['repair.publicFacilityStartWithinMs', 'R7', 'duration', 'a public-facility repair is started within', HOUR, 30 * DAY],
  ['repair.returnVisitUrgentWithinMs', 'R9', 'duration', 'return visit of an urgent water/electricity, neighbour or dangerous repair within', HOUR, 30 * DAY],
  ['repair.returnVisitWithinMs', 'R9', 'duration', 'return visit of any other repair within', HOUR, 30 * DAY],
  ['repair.failedAttemptsForMajorComplaint', 'R11', 'count', 'failed attempts on the same problem that open a major complaint', 1, 10],
  ['intake.lateEntryWithoutReasonMs', 'I2', 'duration', 'a case may be recorded this long after it came in without saying why', MINUTE, DAY],
  ['intake.lateEntryLimitMs', 'I2', 'duration', 'a case may be recorded at most this long after it came in, with the reason', HOUR, 30 * DAY],
  ['returnVisit.maxAttempts', 'V2', 'count', 'unanswered calls before the customer is recorded as unreachable', 1, 10],
  ['returnVisit.retryAfterMs', 'V2', 'duration', 'the next call is at least this much later (a different time of day)', 10 * MINUTE, 7 * DAY],
  ['returnVisit.rainFallbackMs', 'R9', 'duration', 'a leak repair’s visit with no rainy day recorded falls due anyway this long after the repair', DAY, 366 * DAY],
  ['returnVisit.nonConformityWithinMs', 'V4', 'duration', 'a customer unsatisfied at the return visit is revisited and satisfied within', HOUR, 30 * DAY],
  ['complaint.firstResponseWithinMs', 'C1', 'duration', 'the customer hears from us within', MINUTE, DAY],
  ['complaint.generalResolveWithinMs', 'C3', 'duration', 'a general complaint is resolved within', HOUR, 90 * DAY],
  ['complaint.importantResolveWithinMs', 'C3', 'duration', 'an important complaint is resolved within', HOUR, 90 * DAY],
  ['complaint.majorResolveWithinMs', 'C3', 'duration', 'a major complaint is resolved within', HOUR, 90 * DAY],
  ['complaint.generalFirstReplyWorkingDays', 'C3', 'workingDays', 'first reply to a general complaint within (working days)', 0, 30],
  ['complaint.importantFirstReplyWorkingDays', 'C3', 'workingDays', 'first reply to an important complaint within (working days)', 0, 30],
  ['complaint.majorFirstReplyWorkingDays', 'C3', 'workingDays', 'first reply to a major complaint within (working days)', 0, 30],
  ['complaint.majorWrittenReplyWithinMs', 'C3', 'duration', 'a major complaint gets a written reply within (of becoming major)', HOUR, 30 * DAY],
  ['complaint.majorGroupReportWorkingDays', 'C3', 'workingDays', 'a major complaint’s progress goes to the group within (working days of its transfer)', 0, 30],
  ['complaint.progressReportEveryMs', 'C6', 'duration', 'while handling lasts, the customer hears of progress at least every', HOUR, 7 * DAY],
  ['complaint.issueComplainantsForMajor', 'C4', 'count', 'different complainants on one issue that make it major …', 2, 100],
  ['complaint.issueWindowMs', 'C4', 'duration', '… within this window', DAY, 366 * DAY],
  ['complaint.collectiveComplainantsForMajor', 'C4', 'count', 'people in a collective complaint that make it major at once', 2, 100],
  ['complaint.unresolvedMajorAfterMs', 'C4', 'duration', 'a complaint still unresolved this long after it was made through our fault becomes major …', DAY, 366 * DAY],
  ['complaint.unresolvedAnyMajorAfterMs', 'C4', 'duration', '… and any complaint still unresolved this long after it was made, whoever’s fault', DAY, 366 * DAY],
  ['complaint.failedHandlingsForMajor', 'C8', 'count', 'handlings of the same problem without resolution that make it major', 1, 10],
  ['complaint.returnVisitWithinMs', 'C7', 'duration', 'the supervisor’s return visit within (of the complaint being resolved); a miss goes to the manager', HOUR, 30 * DAY],
  ['complaint.exemptQuietPeriodMs', 'C7', 'duration', 'an exempt complaint closes when no repeat complaint arrives within', DAY, 90 * DAY],
  ['complaint.unreachableForMs', 'C9', 'duration', 'closed without agreement when unreachable by every contact for', DAY, 366 * DAY],
  ['complaint.unconfirmedForMs', 'C9', 'duration', '… and no new complaint within, or handled but unconfirmed for', DAY, 366 * DAY],
  ['complaint.closingReplyWorkingDays', 'C11', 'workingDays', 'the closing reply within (working days of the end of handling)', 0, 30],
  ['requests.replyWithinMs', 'I3', 'duration', 'a request not answered at once is answered within (when no time was promised)', 10 * MINUTE, 30 * DAY],
  ['patrol.startWithinMs', 'O1', 'duration', 'rectification of a patrol finding starts within', HOUR, 30 * DAY],
  ['patrol.rectifyWithinMs', 'O1', 'duration', 'a rectification notice is due within (when the butler names no date)', HOUR, 90 * DAY],
  ['survey.minMonthlyFraction', 'S1', 'fraction', 'share of an area’s occupied households consulted every month', 0.01, 1],
  ['survey.windowMs', 'S1', 'duration', 'a survey invitation stays open for', DAY, 90 * DAY],
  ['survey.reminderBeforeMs', 'S1', 'duration', 'the reminder goes out this long before the invitation closes', HOUR, 30 * DAY],
  ['survey.lowScoreAtMost', 'S6', 'count', 'a survey score at or under this (of 5) opens a follow-up complaint', 0, 5],
  ['survey.campaign.distributeWithinWorkingDays', 'S4', 'workingDays', 'the half-yearly questionnaire is distributed within (working days of its release)', 1, 60],
  ['survey.campaign.collectWithinWorkingDays', 'S4', 'workingDays', '… and collected within (working days of distribution)', 1, 60],
  ['survey.campaign.alertBeforeCollectWorkingDays', 'S4', 'workingDays', 'the supervisor hears this many working days before collection closes when recovery is behind', 0, 30],
  ['survey.campaign.distributionRateYoung', 'S5', 'fraction', 'questionnaires distributed while the property is young', 0.01, 1],
  ['survey.campaign.distributionRateMature', 'S5', 'fraction', '… and once it is mature', 0.01, 1],
  ['survey.campaign.matureAfterYears', 'S5', 'count', 'years of occupancy after which the property is mature', 1, 50],
  ['survey.campaign.recoveryTarget', 'S5', 'fraction', 'share of distributed questionnaires that must come back', 0.01, 1],
  ['schedules.reconciliationMorningAt', 'R12', 'timeOfDay', 'the morning reconciliation of open requests, local time', 0, 0],
  ['schedules.reconciliationAfternoonAt', 'R12', 'timeOfDay', 'the afternoon reconciliation, local time', 0, 0],
  ['schedules.surveyRunDayOfMonth', 'S1', 'dayOfMonth', 'the monthly survey sampling runs on this day of the month', 1, 28],
  ['schedules.surveyRunAt', 'S1', 'timeOfDay', '… at this local time', 0, 0],
  ['schedules.complaintReportDayOfMonth', 'P1', 'dayOfMonth', 'the previous month’s complaint analysis is made on this day (due by the 10th)', 1, 10],
  ['schedules.complaintReportAt', 'P1', 'timeOfDay', '… at this local time', 0, 0],
  ['schedules.appraisalDayOfMonth', 'P3', 'dayOfMonth', 'the previous month’s appraisal results are stored on this day', 1, 28],
  ['schedules.appraisalAt', 'P3', 'timeOfDay', '… at this local time', 0, 0],
  ['appraisal.keepMonths', 'P3', 'count', 'months each monthly appraisal is kept (2 years) before it is deleted', 12, 120],
];

export const POLICY_RULES: readonly PolicyRule[] = ENTRIES.map(([path, rule, unit, description, min, max]) => ({
  key: unit === 'duration' ? path.replace(/Ms$/, '') : path,
  path: path.split('.'),
  rule,
  unit,
  description,
  min,
  max,
}));

const RULE_BY_KEY = new Map(POLICY_RULES.map((r) => [r.key, r]));

export function policyRule(key: string): PolicyRule | undefined {
  return RULE_BY_KEY.get(key);
}

function read(policy: unknown, path: string[]): unknown {
  let at: unknown = policy;
  for (const part of path) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

/** A rule's value in a policy (full or stored-partial); undefined when a partial policy leaves it out. */
export function ruleValue(policy: unknown, rule: PolicyRule): unknown {
  return read(policy, rule.path);
}

// ---- durations ----

/**
 * ISO-8601 durations without years and months, whose length depends on the calendar: a policy's
 * durations are exact lengths of time (a day is 24 h here), so only weeks, days, hours, minutes and
 * seconds are accepted. Written by hand because it is this restriction that is ours; the rest is a
 * regular expression.
 */
const ISO_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

export function parseIsoDuration(text: string): { ms: number } | { problem: string } {
  const value = text.trim().toUpperCase();
  const match = ISO_DURATION.exec(value);
  if (!match) {
    if (/^P[^T]*\d+[YM]/.test(value)) return { problem: 'years and months are not exact lengths of time: write days (P30D) instead' };
    return { problem: 'an ISO-8601 duration such as PT30M, PT8H, P2D or P1DT12H' };
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 7 * DAY +
    Number(days ?? 0) * DAY +
    Number(hours ?? 0) * HOUR +
    Number(minutes ?? 0) * MINUTE +
    Math.round(Number((seconds ?? '0').replace(',', '.')) * 1000);
  return { ms };
}

function parts(ms: number): { days: number; hours: number; minutes: number; seconds: number } {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const seconds = (ms % MINUTE) / 1000;
  return { days, hours, minutes, seconds };
}

/** e.g. 30 min → PT30M, 36 h → P1DT12H, 2 days → P2D. */
export function isoDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const { days, hours, minutes, seconds } = parts(ms);
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${Number(seconds.toFixed(3))}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** e.g. "1 day 12 hours", "30 minutes". */
export function durationInWords(ms: number): string {
  const { days, hours, minutes, seconds } = parts(ms);
  const unit = (n: number, name: string) => (n ? [`${Number(n.toFixed(3))} ${name}${n === 1 ? '' : 's'}`] : []);
  const words = [...unit(days, 'day'), ...unit(hours, 'hour'), ...unit(minutes, 'minute'), ...unit(seconds, 'second')];
  return words.length ? words.join(' ') : '0 seconds';
}

/** e.g. "1天12小时", "30分钟". */
export function durationInChinese(ms: number): string {
  const { days, hours, minutes, seconds } = parts(ms);
  const text = `${days ? `${days}天` : ''}${hours ? `${hours}小时` : ''}${minutes ? `${minutes}分钟` : ''}${seconds ? `${Number(seconds.toFixed(3))}秒` : ''}`;
  return text || '0秒';
}

export interface DurationView {
  ms: number;
  iso: string;
  words: string;
  wordsZh: string;
}

export function durationView(ms: number): DurationView {
  return { ms, iso: isoDuration(ms), words: durationInWords(ms), wordsZh: durationInChinese(ms) };
}

// ---- the policy as the API shows it ----

export type RuleValueView = DurationView | number | string;

export interface RuleView {
  key: string;
  rule: string;
  unit: RuleUnit;
  description: string;
  default: RuleValueView;
  /** The property's own value, or null when it keeps the default. */
  property: RuleValueView | null;
  effective: RuleValueView;
}

const show = (rule: PolicyRule, value: unknown): RuleValueView => (rule.unit === 'duration' ? durationView(value as number) : (value as number | string));

/** Every rule with its default, the property's value and the one in force. */
export function describePolicy(stored: Record<string, unknown> | null | undefined): RuleView[] {
  const effective = parsePolicy(stored ?? {});
  return POLICY_RULES.map((rule) => {
    const own = ruleValue(stored, rule);
    return {
      key: rule.key,
      rule: rule.rule,
      unit: rule.unit,
      description: rule.description,
      default: show(rule, ruleValue(DEFAULT_POLICY, rule)),
      property: own === undefined ? null : show(rule, own),
      effective: show(rule, ruleValue(effective, rule)),
    };
  });
}

// ---- changing it ----

/** What a PATCH sends for one rule: a duration as ISO-8601, a number, a time of day; null to return to the default. */
export const ruleChangeValue = z.union([z.string().max(40), z.number(), z.null()]);
export const policyChangesSchema = z
  .record(z.string().max(80), ruleChangeValue)
  .refine((v) => Object.keys(v).length > 0, 'change at least one rule')
  .refine((v) => Object.keys(v).length <= POLICY_RULES.length, 'too many rules');
export type PolicyChanges = z.infer<typeof policyChangesSchema>;

export interface PolicyProblem {
  key: string;
  reason: string;
}

export interface RuleChange {
  key: string;
  /** Stored values (milliseconds for a duration); null = the default. */
  old: unknown;
  new: unknown;
}

export interface AppliedChanges {
  /** The stored (partial) policy after the changes. */
  stored: Record<string, unknown>;
  effective: ServicePolicy;
  changes: RuleChange[];
  /** Allowed, but worth a second look (a value far from the documented default). */
  warnings: PolicyProblem[];
}

function boundText(rule: PolicyRule, value: number): string {
  return rule.unit === 'duration' ? `${isoDuration(value)} (${durationInWords(value)})` : String(value);
}

/** A requested value as it is stored, or why it cannot be. */
function storedValue(rule: PolicyRule, value: string | number): { value: number | string } | { problem: string } {
  switch (rule.unit) {
    case 'duration': {
      if (typeof value !== 'string') return { problem: 'a duration is written as ISO-8601, e.g. "PT30M" or "P2D"' };
      const parsed = parseIsoDuration(value);
      if ('problem' in parsed) return parsed;
      return withinBounds(rule, parsed.ms);
    }
    case 'timeOfDay':
      if (typeof value !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) return { problem: 'a local time of day, HH:MM (e.g. "09:00")' };
      return { value };
    case 'fraction':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { problem: 'a number between 0 and 1' };
      return withinBounds(rule, value);
    default:
      if (typeof value !== 'number' || !Number.isInteger(value)) return { problem: `a whole number of ${rule.unit === 'workingDays' ? 'working days' : rule.unit === 'dayOfMonth' ? 'the month’s day' : 'times'}` };
      return withinBounds(rule, value);
  }
}

function withinBounds(rule: PolicyRule, value: number): { value: number } | { problem: string } {
  if (value < rule.min) return { problem: `at least ${boundText(rule, rule.min)}` };
  if (value > rule.max) return { problem: `at most ${boundText(rule, rule.max)}` };
  return { value };
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target;
  for (const part of path.slice(0, -1)) {
    const next = at[part];
    at = at[part] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
  }
  const last = path[path.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = value;
}

function prune(value: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      prune(v as Record<string, unknown>);
      if (Object.keys(v).length === 0) delete value[k];
    }
  }
  return value;
}

/** Rules that only make sense in a certain order: each pair must hold in the policy as changed. */
const ORDERED: { before: string; after: string; reason: string; strict: boolean }[] = [
  { before: 'intake.lateEntryWithoutReason', after: 'intake.lateEntryLimit', reason: 'I2: a reason is asked before the limit of late entry', strict: true },
  { before: 'repair.urgentArriveWithin', after: 'repair.urgentRepairWithin', reason: 'R3: someone is on site before the urgent repair is due', strict: false },
  { before: 'repair.urgentAcceptWithin', after: 'repair.urgentArriveWithin', reason: 'R2: an urgent order is accepted before the customer’s time on site runs out, so a re-dispatch can still keep it', strict: true },
  { before: 'repair.returnVisitUrgentWithin', after: 'repair.returnVisitWithin', reason: 'R9: the urgent return visit comes no later than the ordinary one', strict: false },
  { before: 'complaint.firstResponseWithin', after: 'complaint.generalResolveWithin', reason: 'C1: the first response comes before the complaint is due to be resolved', strict: true },
  { before: 'complaint.unresolvedMajorAfter', after: 'complaint.unresolvedAnyMajorAfter', reason: 'C4: the complaint unresolved through our fault becomes major no later than any unresolved complaint', strict: false },
  { before: 'survey.reminderBefore', after: 'survey.window', reason: 'the reminder goes out while the invitation is still open', strict: true },
  { before: 'survey.campaign.alertBeforeCollectWorkingDays', after: 'survey.campaign.collectWithinWorkingDays', reason: 'S4: the alert comes before collection closes', strict: true },
  { before: 'schedules.reconciliationMorningAt', after: 'schedules.reconciliationAfternoonAt', reason: 'R12: the morning reconciliation comes before the afternoon one', strict: true },
];

/**
 * The stored policy with `requested` applied, validated: every key a known rule, every value in its
 * unit and bounds, the ordered rules in order. Problems name the rule; nothing is applied when there
 * is one.
 */
export function applyPolicyChanges(stored: Record<string, unknown> | null | undefined, requested: PolicyChanges): AppliedChanges | { problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const next = structuredClone(stored ?? {});
  const changes: RuleChange[] = [];
  for (const [key, value] of Object.entries(requested)) {
    const rule = policyRule(key);
    if (!rule) {
      problems.push({ key, reason: `no such rule; GET /api/v1/properties/policy lists them${RULE_BY_KEY.has(key.replace(/Ms$/, '')) ? ` (did you mean ${key.replace(/Ms$/, '')}?)` : ''}` });
      continue;
    }
    const old = ruleValue(stored, rule) ?? null;
    if (value === null) {
      setPath(next, rule.path, undefined);
      if (old !== null) changes.push({ key, old, new: null });
      continue;
    }
    const parsed = storedValue(rule, value);
    if ('problem' in parsed) {
      problems.push({ key, reason: parsed.problem });
      continue;
    }
    setPath(next, rule.path, parsed.value);
    if (old !== parsed.value) changes.push({ key, old, new: parsed.value });
  }
  if (problems.length) return { problems };
  prune(next);
  let effective: ServicePolicy;
  try {
    effective = parsePolicy(next);
  } catch (error) {
    const issues = error instanceof z.ZodError ? error.issues : [];
    return { problems: issues.map((i) => ({ key: i.path.join('.'), reason: i.message })) };
  }
  for (const order of ORDERED) {
    const [a, b] = [order.before, order.after].map((k) => ruleValue(effective, policyRule(k)!) as number | string);
    if (order.strict ? !(a < b) : !(a <= b)) {
      const touched = [order.before, order.after].filter((k) => k in requested);
      problems.push({ key: touched[0] ?? order.before, reason: `${order.reason} (${order.before} ${describe(order.before, a)}, ${order.after} ${describe(order.after, b)})` });
    }
  }
  if (problems.length) return { problems };
  const warnings: PolicyProblem[] = [];
  for (const change of changes) {
    const rule = policyRule(change.key)!;
    if (rule.unit !== 'duration' || change.new === null) continue;
    const fallback = ruleValue(DEFAULT_POLICY, rule) as number;
    const ratio = (change.new as number) / fallback;
    if (ratio > 5 || ratio < 0.2) {
      warnings.push({ key: change.key, reason: `${durationInWords(change.new as number)} is far from the documented default of ${durationInWords(fallback)}` });
    }
  }
  return { stored: next, effective, changes, warnings };
}

function describe(key: string, value: number | string): string {
  const rule = policyRule(key)!;
  return rule.unit === 'duration' ? isoDuration(value as number) : String(value);
}
