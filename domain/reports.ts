/**
 * The reports of docs/rules.md §7 as pure aggregations over rows of the read model: P1 the monthly
 * complaint analysis (月度投诉分析报告), P2 the daily open-request list and repair-progress report
 * (信息员日报), P3 the per-staff results that feed appraisal (员工绩效 — 工作业绩). No I/O: the
 * activities and the API load the rows, these functions count them, CSV is rendered here too.
 */
import { endOfLocalDate, localDate } from './calendar';
import { toCsv } from './csv';
import { HOUR } from './policy';

/** 'YYYY-MM' */
export type Month = string;

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** 'YYYY-MM-DD' that names a real day (not 2026-02-30). */
export function isCalendarDate(date: string): boolean {
  if (!DATE_PATTERN.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) === date;
}

export function localMonth(instant: Date, timeZone: string): Month {
  return localDate(instant, timeZone).slice(0, 7);
}

/** The month before the one `asOf` falls in, locally: what P1 analyses when it runs on the 2nd. */
export function previousMonth(asOf: Date, timeZone: string): Month {
  const [year, month] = localMonth(asOf, timeZone).split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** The instants a local month starts and ends (exclusive) in `timeZone`. */
export function monthRange(month: Month, timeZone: string): { from: Date; to: Date } {
  const [year, m] = month.split('-').map(Number);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const lastOfPrevious = iso(new Date(Date.UTC(year, m - 1, 0)));
  const lastOfMonth = iso(new Date(Date.UTC(year, m, 0)));
  return { from: endOfLocalDate(lastOfPrevious, timeZone), to: endOfLocalDate(lastOfMonth, timeZone) };
}

/** The instants a local date starts and ends (exclusive). */
export function dayRange(date: string, timeZone: string): { from: Date; to: Date } {
  const [y, m, d] = date.split('-').map(Number);
  const before = new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
  return { from: endOfLocalDate(before, timeZone), to: endOfLocalDate(date, timeZone) };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------- P1

/** A complaint as P1 reads it. Only customer complaints: employee complaints and reports are hr's and audit's (C2). */
export interface ComplaintRow {
  caseId: string;
  category: string | null;
  severity: string | null;
  areaId: string;
  channel: string;
  householdId: string | null;
  issueKey: string | null;
  status: string;
  receivedAt: Date;
  closedAt: Date | null;
}

export interface Breakdown {
  key: string;
  complaints: number;
  resolved: number;
  /** Mean and median hours from receipt to closing of the resolved ones; null when none was resolved. */
  meanResolutionHours: number | null;
  medianResolutionHours: number | null;
}

export interface ComplaintAnalysis {
  report: 'P1';
  propertyId: string;
  month: Month;
  timeZone: string;
  total: Breakdown;
  invalid: number;
  openAtMonthEnd: number;
  byCategory: Breakdown[];
  bySeverity: Breakdown[];
  byArea: Breakdown[];
  byChannel: Breakdown[];
  /** Issues (C4 issueKey) complained about more than once in the month, most complaints first. */
  repeatIssues: { issueKey: string; complaints: number; households: number; caseIds: string[] }[];
  /** Households that complained more than once in the month. */
  repeatHouseholds: { householdId: string; complaints: number; caseIds: string[] }[];
}

const INVALID = 'invalid';

function breakdown(key: string, rows: ComplaintRow[], monthEnd: Date): Breakdown {
  const hours = rows
    .filter((r) => r.status !== INVALID && r.closedAt && r.closedAt < monthEnd)
    .map((r) => (r.closedAt!.getTime() - r.receivedAt.getTime()) / HOUR);
  const mean = hours.length ? round1(hours.reduce((a, b) => a + b, 0) / hours.length) : null;
  const med = median(hours);
  return { key, complaints: rows.length, resolved: hours.length, meanResolutionHours: mean, medianResolutionHours: med === null ? null : round1(med) };
}

function groupBy(rows: ComplaintRow[], keyOf: (r: ComplaintRow) => string, monthEnd: Date): Breakdown[] {
  const groups = new Map<string, ComplaintRow[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return [...groups.entries()].map(([key, group]) => breakdown(key, group, monthEnd)).sort((a, b) => b.complaints - a.complaints || a.key.localeCompare(b.key));
}

/**
 * P1: the complaints received in `month` (property-local), by category, severity, area and
 * channel, with resolution times (receipt → closing, counted when closed within the month; invalid
 * complaints excluded) and the issues and households that came back more than once.
 */
export function analyseComplaints(input: { propertyId: string; month: Month; timeZone: string; rows: ComplaintRow[] }): ComplaintAnalysis {
  const { to: monthEnd } = monthRange(input.month, input.timeZone);
  const rows = input.rows
    .filter((r) => localMonth(r.receivedAt, input.timeZone) === input.month)
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.caseId.localeCompare(b.caseId));
  const valid = rows.filter((r) => r.status !== INVALID);
  const issues = new Map<string, ComplaintRow[]>();
  const households = new Map<string, ComplaintRow[]>();
  for (const r of valid) {
    if (r.issueKey) issues.set(r.issueKey, [...(issues.get(r.issueKey) ?? []), r]);
    if (r.householdId) households.set(r.householdId, [...(households.get(r.householdId) ?? []), r]);
  }
  return {
    report: 'P1',
    propertyId: input.propertyId,
    month: input.month,
    timeZone: input.timeZone,
    total: breakdown('all', rows, monthEnd),
    invalid: rows.length - valid.length,
    openAtMonthEnd: valid.filter((r) => !r.closedAt || r.closedAt >= monthEnd).length,
    byCategory: groupBy(rows, (r) => r.category ?? 'unclassified', monthEnd),
    bySeverity: groupBy(rows, (r) => r.severity ?? 'unclassified', monthEnd),
    byArea: groupBy(rows, (r) => r.areaId, monthEnd),
    byChannel: groupBy(rows, (r) => r.channel, monthEnd),
    repeatIssues: [...issues.entries()]
      .filter(([, group]) => group.length > 1)
      .map(([issueKey, group]) => ({
        issueKey,
        complaints: group.length,
        households: new Set(group.map((r) => r.householdId ?? r.caseId)).size,
        caseIds: group.map((r) => r.caseId),
      }))
      .sort((a, b) => b.complaints - a.complaints || a.issueKey.localeCompare(b.issueKey)),
    repeatHouseholds: [...households.entries()]
      .filter(([, group]) => group.length > 1)
      .map(([householdId, group]) => ({ householdId, complaints: group.length, caseIds: group.map((r) => r.caseId) }))
      .sort((a, b) => b.complaints - a.complaints || a.householdId.localeCompare(b.householdId)),
  };
}

export function complaintAnalysisCsv(a: ComplaintAnalysis): string {
  const header = ['dimension', 'key', 'complaints', 'resolved', 'mean_resolution_hours', 'median_resolution_hours'];
  const line = (dimension: string, b: Breakdown) => [dimension, b.key, b.complaints, b.resolved, b.meanResolutionHours, b.medianResolutionHours];
  return toCsv([
    header,
    line('total', a.total),
    ...a.byCategory.map((b) => line('category', b)),
    ...a.bySeverity.map((b) => line('severity', b)),
    ...a.byArea.map((b) => line('area', b)),
    ...a.byChannel.map((b) => line('channel', b)),
    ...a.repeatIssues.map((r) => ['repeat_issue', r.issueKey, r.complaints, null, null, null]),
    ['invalid', 'all', a.invalid, null, null, null],
    ['open_at_month_end', 'all', a.openAtMonthEnd, null, null, null],
  ]);
}

// ---------------------------------------------------------------- P3

/** A case event P3 counts: deadline-met / deadline-missed / escalated, with who held the case. */
export interface StaffEventRow {
  action: string;
  at: Date;
  ownerId: string | null;
}

/** A finished return visit of a repair, credited to the engineer who held the repair. */
export interface ReturnVisitRow {
  closedAt: Date;
  outcome: string | null;
  engineerId: string | null;
}

/** How many of the month's events of one action name one staff member as holding the case. */
export interface StaffEventCount {
  action: string;
  ownerId: string | null;
  count: number;
}

/**
 * How many of the month's return visits with one outcome are credited to one staff member: the
 * engineer of a repair, the owner of a complaint (its butler, or the supervisor of an important or
 * major one).
 */
export interface ReturnVisitCount {
  outcome: string | null;
  engineerId: string | null;
  count: number;
}

export interface StaffResult {
  staffId: string;
  deadlinesMet: number;
  deadlinesMissed: number;
  /** Met ÷ (met + missed), 0–1, null without deadlines. */
  metRate: number | null;
  returnVisitsSatisfied: number;
  returnVisitsUnsatisfied: number;
  satisfactionRate: number | null;
  escalationsCaused: number;
}

export interface StaffResults {
  report: 'P3';
  propertyId: string;
  month: Month;
  timeZone: string;
  staff: StaffResult[];
}

const rate = (good: number, bad: number) => (good + bad === 0 ? null : Math.round((good / (good + bad)) * 1000) / 1000);

/**
 * P3: per staff member and month, the *results* part of the appraisal (seed 001): deadlines met
 * and missed while they held the case (or owned it, when nobody held it), the satisfaction of the
 * return visits of their repairs and complaints, and the escalations their missed deadlines caused. Unsatisfied counts `unsatisfied` only (not
 * unreachable or exempt visits).
 */
export function staffResults(input: { propertyId: string; month: Month; timeZone: string; events: StaffEventRow[]; visits: ReturnVisitRow[] }): StaffResults {
  const inMonth = (d: Date) => localMonth(d, input.timeZone) === input.month;
  return staffResultsFromCounts({
    ...input,
    events: input.events.filter((e) => inMonth(e.at)).map((e) => ({ action: e.action, ownerId: e.ownerId, count: 1 })),
    visits: input.visits.filter((v) => inMonth(v.closedAt)).map((v) => ({ outcome: v.outcome, engineerId: v.engineerId, count: 1 })),
  });
}

/**
 * P3 from counts already limited to the month — what the database hands over (a month holds tens
 * of thousands of events; their counts per staff member and action are a handful of rows).
 */
export function staffResultsFromCounts(input: { propertyId: string; month: Month; timeZone: string; events: StaffEventCount[]; visits: ReturnVisitCount[] }): StaffResults {
  const results = new Map<string, StaffResult>();
  const of = (staffId: string) => {
    let r = results.get(staffId);
    if (!r) {
      r = { staffId, deadlinesMet: 0, deadlinesMissed: 0, metRate: null, returnVisitsSatisfied: 0, returnVisitsUnsatisfied: 0, satisfactionRate: null, escalationsCaused: 0 };
      results.set(staffId, r);
    }
    return r;
  };
  for (const e of input.events) {
    if (!e.ownerId) continue;
    if (e.action === 'deadline-met') of(e.ownerId).deadlinesMet += e.count;
    else if (e.action === 'deadline-missed') of(e.ownerId).deadlinesMissed += e.count;
    else if (e.action === 'escalated') of(e.ownerId).escalationsCaused += e.count;
  }
  for (const v of input.visits) {
    if (!v.engineerId) continue;
    if (v.outcome === 'satisfied') of(v.engineerId).returnVisitsSatisfied += v.count;
    else if (v.outcome === 'unsatisfied') of(v.engineerId).returnVisitsUnsatisfied += v.count;
  }
  const staff = [...results.values()]
    .map((r) => ({ ...r, metRate: rate(r.deadlinesMet, r.deadlinesMissed), satisfactionRate: rate(r.returnVisitsSatisfied, r.returnVisitsUnsatisfied) }))
    .sort((a, b) => a.staffId.localeCompare(b.staffId));
  return { report: 'P3', propertyId: input.propertyId, month: input.month, timeZone: input.timeZone, staff };
}

export function staffResultsCsv(r: StaffResults): string {
  return toCsv([
    ['month', 'staff_id', 'deadlines_met', 'deadlines_missed', 'met_rate', 'return_visits_satisfied', 'return_visits_unsatisfied', 'satisfaction_rate', 'escalations_caused'],
    ...r.staff.map((s) => [r.month, s.staffId, s.deadlinesMet, s.deadlinesMissed, s.metRate, s.returnVisitsSatisfied, s.returnVisitsUnsatisfied, s.satisfactionRate, s.escalationsCaused]),
  ]);
}

// ---------------------------------------------------------------- P2

/** A repair as the daily progress report reads it. */
export interface RepairRow {
  caseId: string;
  areaId: string;
  severity: string | null;
  status: string;
  slaState: string;
  escalated: boolean;
  assigneeId: string | null;
  receivedAt: Date;
  closedAt: Date | null;
}

export interface RepairProgress {
  report: 'P2-repair-progress';
  propertyId: string;
  date: string;
  timeZone: string;
  received: number;
  closed: number;
  /** Received by the end of the day and not closed by then. */
  openAtEndOfDay: number;
  openBreached: number;
  openByStatus: Record<string, number>;
  openByClassification: Record<string, number>;
  byArea: { areaId: string; received: number; closed: number; open: number }[];
  open: { caseId: string; areaId: string; classification: string | null; status: string; assigneeId: string | null; slaState: string; ageHours: number }[];
}

const count = (items: string[]) => items.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});

/**
 * P2: the day's repair progress (信息员日报) for a property-local date: received, closed, and what
 * is still open at the end of the day by status and class, with the breached ones and per area.
 * `status` of an open row is its status now (the read model keeps no per-day status history), or
 * `closed-later` for one closed after that day.
 */
export function repairProgress(input: { propertyId: string; date: string; timeZone: string; rows: RepairRow[] }): RepairProgress {
  const { from, to } = dayRange(input.date, input.timeZone);
  const received = input.rows.filter((r) => r.receivedAt >= from && r.receivedAt < to);
  const closed = input.rows.filter((r) => r.closedAt && r.closedAt >= from && r.closedAt < to && r.status !== INVALID);
  const open = input.rows
    .filter((r) => r.receivedAt < to && (!r.closedAt || r.closedAt >= to))
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.caseId.localeCompare(b.caseId));
  const areas = [...new Set([...received, ...closed, ...open].map((r) => r.areaId))].sort();
  const statusThen = (r: RepairRow) => (r.closedAt ? 'closed-later' : r.status);
  return {
    report: 'P2-repair-progress',
    propertyId: input.propertyId,
    date: input.date,
    timeZone: input.timeZone,
    received: received.length,
    closed: closed.length,
    openAtEndOfDay: open.length,
    openBreached: open.filter((r) => r.slaState === 'breached').length,
    openByStatus: count(open.map(statusThen)),
    openByClassification: count(open.map((r) => r.severity ?? 'unclassified')),
    byArea: areas.map((areaId) => ({
      areaId,
      received: received.filter((r) => r.areaId === areaId).length,
      closed: closed.filter((r) => r.areaId === areaId).length,
      open: open.filter((r) => r.areaId === areaId).length,
    })),
    open: open.map((r) => ({
      caseId: r.caseId,
      areaId: r.areaId,
      classification: r.severity,
      status: statusThen(r),
      assigneeId: r.assigneeId,
      slaState: r.slaState,
      ageHours: round1((to.getTime() - r.receivedAt.getTime()) / HOUR),
    })),
  };
}

export function repairProgressCsv(p: RepairProgress): string {
  return toCsv([
    ['date', 'case_id', 'area_id', 'classification', 'status', 'assignee_id', 'sla_state', 'age_hours_at_end_of_day'],
    ...p.open.map((o) => [p.date, o.caseId, o.areaId, o.classification, o.status, o.assigneeId, o.slaState, o.ageHours]),
  ]);
}
