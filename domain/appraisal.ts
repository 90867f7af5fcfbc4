/**
 * P3 staff appraisal (员工绩效考核, docs/rules.md §7): the service department's rules score each staff
 * member on conduct, diligence, ability and results (德、勤、能、绩), 20/20/30/30 of a month's 100;
 * the year's score is the weekly and monthly checks 20 %, the monthly appraisals 30 % and the
 * year-end appraisal 50 %; every record is kept 2 years. Supervisors enter conduct, diligence,
 * ability and the checks; the results part comes from the workflows' own record. Pure: no I/O.
 */
import { toCsv } from './csv';
import type { Role } from './people';

/** Roles that hold cases, so have a results part: engineers, butlers, supervisors. */
export const CASE_HOLDING_ROLES = ['engineer', 'butler', 'supervisor'] as const satisfies readonly Role[];

/** Every part is scored 0–100 (a part of 20 points entered as 18 is 90 here). */
export const SCORE_BOUNDS = { min: 0, max: 100 } as const;

/** P3: a month's composite, conduct 20 %, diligence 20 %, ability 30 %, results 30 % (seed 001). */
export const MONTHLY_WEIGHTS = { conduct: 0.2, diligence: 0.2, ability: 0.3, results: 0.3 } as const;

/** P3: the year, checks 20 %, the months' appraisals 30 %, the year-end appraisal 50 % (seed 001). */
export const ANNUAL_WEIGHTS = { checks: 0.2, monthly: 0.3, yearEnd: 0.5 } as const;

/**
 * P3: the results part (绩) from the month's record. The documents name what feeds it (deadlines
 * met, return-visit satisfaction, escalations) but no formula; this one is the project's, written
 * in docs/rules.md so staff can check their own score:
 *
 *   results = 100 × (0.6 × deadlines met ÷ deadlines due + 0.4 × satisfied ÷ visits answered) − 5 × escalations
 *
 * kept within 0–100 and rounded to 0.1. A rate with nothing to count (no deadline fell due, no
 * visit answered) leaves the formula and the other rate takes its weight; with neither the month
 * has no results score. A miss already lowers the rate: one that went to a supervisor or the manager
 * costs 5 points more.
 */
export const RESULTS_FORMULA = { deadlinesWeight: 0.6, satisfactionWeight: 0.4, pointsPerEscalation: 5 } as const;

/** What the results part is computed from: one staff member's month (P3 report, domain/reports.ts). */
export interface ResultsRecord {
  deadlinesMet: number;
  deadlinesMissed: number;
  returnVisitsSatisfied: number;
  returnVisitsUnsatisfied: number;
  escalationsCaused: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const clamp = (n: number) => Math.min(SCORE_BOUNDS.max, Math.max(SCORE_BOUNDS.min, n));

/** P3: the results part (绩), 0–100, by {@link RESULTS_FORMULA}; null when the month counted nothing. */
export function resultsScore(r: ResultsRecord): number | null {
  const due = r.deadlinesMet + r.deadlinesMissed;
  const answered = r.returnVisitsSatisfied + r.returnVisitsUnsatisfied;
  const rates = [
    ...(due ? [{ weight: RESULTS_FORMULA.deadlinesWeight, rate: r.deadlinesMet / due }] : []),
    ...(answered ? [{ weight: RESULTS_FORMULA.satisfactionWeight, rate: r.returnVisitsSatisfied / answered }] : []),
  ];
  if (rates.length === 0) return null;
  const weights = rates.reduce((sum, x) => sum + x.weight, 0);
  const base = (100 * rates.reduce((sum, x) => sum + x.weight * x.rate, 0)) / weights;
  return round1(clamp(base - RESULTS_FORMULA.pointsPerEscalation * r.escalationsCaused));
}

/** The parts of a month a supervisor enters (each 0–100); null while not entered. */
export interface EnteredParts {
  conduct: number | null;
  diligence: number | null;
  ability: number | null;
}

export type MonthlyPart = keyof typeof MONTHLY_WEIGHTS;

/** P3: the month's composite — 20/20/30/30 of the four parts — once every part is there. */
export function monthlyComposite(parts: EnteredParts & { results: number | null }): { composite: number | null; missing: MonthlyPart[] } {
  const names = Object.keys(MONTHLY_WEIGHTS) as MonthlyPart[];
  const missing = names.filter((name) => parts[name] === null);
  if (missing.length) return { composite: null, missing };
  return { composite: round1(names.reduce((sum, name) => sum + MONTHLY_WEIGHTS[name] * parts[name]!, 0)), missing: [] };
}

export type AnnualPart = keyof typeof ANNUAL_WEIGHTS;

const mean = (values: number[]) => (values.length ? round1(values.reduce((a, b) => a + b, 0) / values.length) : null);

/**
 * P3: the year's score — the mean of the months' check scores 20 %, the mean of the months'
 * composites 30 %, the year-end appraisal 50 % — once each of the three is there. A month without a
 * composite (a part not entered) is left out of the monthly mean rather than counted as 0.
 */
export function annualScore(input: { checks: number[]; composites: number[]; yearEnd: number | null }): {
  checks: number | null;
  monthly: number | null;
  yearEnd: number | null;
  annual: number | null;
  missing: AnnualPart[];
} {
  const parts = { checks: mean(input.checks), monthly: mean(input.composites), yearEnd: input.yearEnd };
  const names = Object.keys(ANNUAL_WEIGHTS) as AnnualPart[];
  const missing = names.filter((name) => parts[name] === null);
  const annual = missing.length ? null : round1(names.reduce((sum, name) => sum + ANNUAL_WEIGHTS[name] * parts[name]!, 0));
  return { ...parts, annual, missing };
}

/** 'YYYY-MM' `count` months before `month` (negative: after). */
export function monthsBefore(month: string, count: number): string {
  const [year, m] = month.split('-').map(Number);
  const index = year * 12 + (m - 1) - count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * P3: the first month still kept in `currentMonth` — the `keepMonths` months before it (24: two
 * years) are kept, anything older is deleted. A year's record goes with its December.
 */
export function keptFrom(currentMonth: string, keepMonths: number): string {
  return monthsBefore(currentMonth, keepMonths);
}

export const isMonthKept = (month: string, currentMonth: string, keepMonths: number) => month >= keptFrom(currentMonth, keepMonths);
export const isYearKept = (year: number, currentMonth: string, keepMonths: number) => isMonthKept(`${year}-12`, currentMonth, keepMonths);

// ---- the appraisal of a month and of a year, as supervisors read them ----

/** One staff member's month as stored (db/entities/appraisal.ts), dates as ISO strings. */
export interface StoredMonth {
  staffId: string;
  month: string;
  results: ResultsRecord;
  resultsScore: number | null;
  resultsAt: string;
  conduct: number | null;
  diligence: number | null;
  ability: number | null;
  checks: number | null;
  enteredBy: string | null;
  enteredAt: string | null;
}

export interface AppraisalLine extends EnteredParts {
  staffId: string;
  roles: Role[];
  results: ResultsRecord;
  resultsScore: number | null;
  /** When the results were stored; null while they are counted live (the month not appraised yet). */
  resultsAt: string | null;
  checks: number | null;
  composite: number | null;
  /** The parts still to come before the month has a composite. */
  missing: MonthlyPart[];
  enteredBy: string | null;
  enteredAt: string | null;
}

export interface MonthlyAppraisal {
  report: 'P3-appraisal';
  propertyId: string;
  month: string;
  weights: typeof MONTHLY_WEIGHTS;
  resultsFormula: typeof RESULTS_FORMULA;
  staff: AppraisalLine[];
}

/** A month without a single counted deadline or visit. */
export const NO_RESULTS: Readonly<ResultsRecord> = { deadlinesMet: 0, deadlinesMissed: 0, returnVisitsSatisfied: 0, returnVisitsUnsatisfied: 0, escalationsCaused: 0 };

/** Just the counts the results part is computed from. */
export function resultsRecordOf(r: ResultsRecord): ResultsRecord {
  return { deadlinesMet: r.deadlinesMet, deadlinesMissed: r.deadlinesMissed, returnVisitsSatisfied: r.returnVisitsSatisfied, returnVisitsUnsatisfied: r.returnVisitsUnsatisfied, escalationsCaused: r.escalationsCaused };
}

/**
 * P3: a month's appraisal of every staff member who holds cases (`holders`), was credited with
 * results, or was appraised: a stored month shows the results as they were stored and the parts
 * entered; otherwise the results are the live ones (`live`, the P3 report) and nothing is entered.
 */
export function monthlyAppraisal(input: {
  propertyId: string;
  month: string;
  holders: { staffId: string; roles: Role[] }[];
  live: (ResultsRecord & { staffId: string })[];
  stored: StoredMonth[];
}): MonthlyAppraisal {
  const roles = new Map(input.holders.map((h) => [h.staffId, h.roles]));
  const live = new Map(input.live.map((r) => [r.staffId, r]));
  const stored = new Map(input.stored.map((s) => [s.staffId, s]));
  const ids = [...new Set([...roles.keys(), ...live.keys(), ...stored.keys()])].sort();
  return {
    report: 'P3-appraisal',
    propertyId: input.propertyId,
    month: input.month,
    weights: MONTHLY_WEIGHTS,
    resultsFormula: RESULTS_FORMULA,
    staff: ids.map((staffId) => {
      const kept = stored.get(staffId);
      const results = kept ? kept.results : resultsRecordOf(live.get(staffId) ?? NO_RESULTS);
      const score = kept ? kept.resultsScore : resultsScore(results);
      const parts = { conduct: kept?.conduct ?? null, diligence: kept?.diligence ?? null, ability: kept?.ability ?? null };
      const { composite, missing } = monthlyComposite({ ...parts, results: score });
      return {
        staffId,
        roles: roles.get(staffId) ?? [],
        results,
        resultsScore: score,
        resultsAt: kept?.resultsAt ?? null,
        ...parts,
        checks: kept?.checks ?? null,
        composite,
        missing,
        enteredBy: kept?.enteredBy ?? null,
        enteredAt: kept?.enteredAt ?? null,
      };
    }),
  };
}

export interface AnnualLine {
  staffId: string;
  /** Months of the year with a stored appraisal, with a composite, and with a checks score. */
  months: number;
  composites: number;
  checkedMonths: number;
  checks: number | null;
  monthly: number | null;
  yearEnd: number | null;
  annual: number | null;
  missing: AnnualPart[];
}

export interface AnnualAppraisal {
  report: 'P3-annual';
  propertyId: string;
  year: number;
  weights: typeof ANNUAL_WEIGHTS;
  staff: AnnualLine[];
}

/** P3: the year of every staff member with a stored month or a year-end appraisal in it. */
export function annualAppraisal(input: { propertyId: string; year: number; months: (StoredMonth & { composite: number | null })[]; yearEnds: { staffId: string; yearEnd: number }[] }): AnnualAppraisal {
  const ids = [...new Set([...input.months.map((m) => m.staffId), ...input.yearEnds.map((y) => y.staffId)])].sort();
  return {
    report: 'P3-annual',
    propertyId: input.propertyId,
    year: input.year,
    weights: ANNUAL_WEIGHTS,
    staff: ids.map((staffId) => {
      const months = input.months.filter((m) => m.staffId === staffId && m.month.startsWith(`${input.year}-`));
      const composites = months.flatMap((m) => (m.composite === null ? [] : [m.composite]));
      const checks = months.flatMap((m) => (m.checks === null ? [] : [m.checks]));
      const yearEnd = input.yearEnds.find((y) => y.staffId === staffId)?.yearEnd ?? null;
      return { staffId, months: months.length, composites: composites.length, checkedMonths: checks.length, ...annualScore({ checks, composites, yearEnd }) };
    }),
  };
}

export function monthlyAppraisalCsv(a: MonthlyAppraisal): string {
  return toCsv([
    ['month', 'staff_id', 'roles', 'deadlines_met', 'deadlines_missed', 'return_visits_satisfied', 'return_visits_unsatisfied', 'escalations_caused', 'results', 'conduct', 'diligence', 'ability', 'composite', 'checks', 'results_stored_at', 'entered_by'],
    ...a.staff.map((s) => [
      a.month, s.staffId, s.roles.join(' '), s.results.deadlinesMet, s.results.deadlinesMissed, s.results.returnVisitsSatisfied, s.results.returnVisitsUnsatisfied, s.results.escalationsCaused,
      s.resultsScore, s.conduct, s.diligence, s.ability, s.composite, s.checks, s.resultsAt, s.enteredBy,
    ]),
  ]);
}

export function annualAppraisalCsv(a: AnnualAppraisal): string {
  return toCsv([
    ['year', 'staff_id', 'months', 'checks', 'monthly', 'year_end', 'annual'],
    ...a.staff.map((s) => [a.year, s.staffId, s.months, s.checks, s.monthly, s.yearEnd, s.annual]),
  ]);
}

/** Why an entry cannot be taken (the API answers each with its own status). */
export type EntryRefusal =
  | { reason: 'unknown-staff' | 'not-a-case-holder' | 'self'; detail: string }
  | { reason: 'not-ended' | 'not-kept'; detail: string; param: 'month' | 'year' };

/**
 * P3: who may be appraised for which period. A month is appraised once it has ended and while it
 * is kept; a year's year-end appraisal from its December on; only staff who hold cases; nobody
 * enters their own.
 */
export function entryRefusal(input: {
  period: { month: string } | { year: number };
  currentMonth: string;
  keepMonths: number;
  staffId: string;
  staff: { roles: readonly Role[] } | null;
  actorId: string;
}): EntryRefusal | null {
  if (!input.staff) return { reason: 'unknown-staff', detail: `no staff member ${input.staffId}` };
  if (!input.staff.roles.some((r) => (CASE_HOLDING_ROLES as readonly Role[]).includes(r))) {
    return { reason: 'not-a-case-holder', detail: `${input.staffId} holds no cases: the appraisal is for ${CASE_HOLDING_ROLES.join(', ')}` };
  }
  if (input.staffId === input.actorId) return { reason: 'self', detail: 'nobody enters their own appraisal' };
  const first = keptFrom(input.currentMonth, input.keepMonths);
  if ('month' in input.period) {
    const { month } = input.period;
    if (month >= input.currentMonth) return { reason: 'not-ended', param: 'month', detail: `${month} has not ended (this month is ${input.currentMonth})` };
    if (month < first) return { reason: 'not-kept', param: 'month', detail: `${month} is older than the ${input.keepMonths} months kept (from ${first})` };
    return null;
  }
  const { year } = input.period;
  if (`${year}-12` > input.currentMonth) return { reason: 'not-ended', param: 'year', detail: `the year-end appraisal of ${year} is made from December ${year}` };
  if (!isYearKept(year, input.currentMonth, input.keepMonths)) return { reason: 'not-kept', param: 'year', detail: `${year} is older than the ${input.keepMonths} months kept (from ${first})` };
  return null;
}
