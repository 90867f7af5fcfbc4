/**
 * R9/V4: the monthly return-visit report (回访统计) — of a month's valid repairs and resolved
 * complaints, how many were visited, satisfied, unreachable, exempted (with the reasons) and
 * overdue, per area and per engineer. Pure: the activity hands over the rows (activities/reports.ts),
 * these functions count them and render the CSV.
 *
 * A subject is a repair received in the month and not invalid (R1: an invalid repair gets no visit),
 * or a customer complaint whose handling was first recorded done in the month (C7). Its visit is its
 * latest: a repair visited, found unsatisfied and repaired again (R10) counts by its last visit.
 */
import { returnVisitBy } from './complaint-deadlines';
import { toCsv } from './csv';
import type { ServicePolicy } from './policy';
import type { Month } from './reports';
import type { ReturnVisitResult } from './return-visit';

export type VisitSubjectKind = 'repair' | 'complaint';

/** One return visit as the report reads it: a repair's `RV-…` case, or a complaint's own visit (C7). */
export interface VisitFacts {
  caseId: string;
  outcome: ReturnVisitResult | null;
  /** Why a supervisor waived it (C7/R9); only with outcome `exempt`. */
  exemptReason: string | null;
  /** When it was due; null while a leak visit waits for rain (R9) or a complaint is still being handled. */
  dueAt: Date | null;
  /** When its outcome was recorded; null while open. */
  doneAt: Date | null;
  /** Its R9/C7 deadline was recorded missed (the workflow records it at the due time, open or not). */
  missed: boolean;
}

export interface VisitSubject {
  kind: VisitSubjectKind;
  caseId: string;
  areaId: string;
  /** A repair's engineer (its assignee when the work was done); null for a complaint. */
  engineerId: string | null;
  /** Its visits, oldest first; none while the repair is not done yet. */
  visits: VisitFacts[];
}

/** How one subject stands at the time of the report. */
export type SubjectState = 'satisfied' | 'unsatisfied' | 'unreachable' | 'exempt' | 'open' | 'not-yet';

export interface VisitCounts {
  subjects: number;
  /** Reached: the customer answered (satisfied + unsatisfied). */
  visited: number;
  satisfied: number;
  unsatisfied: number;
  /** V2: no answer after the last attempt. */
  unreachable: number;
  exempted: number;
  /** A visit due or waiting for rain, without an outcome yet. */
  open: number;
  /** No visit yet: the repair is not done, the complaint is not resolved again. */
  notYet: number;
  /** A visit still open past its due, or done after it. */
  overdue: number;
  /** Shares of the subjects, 0–1 to 3 places; null without subjects. */
  visitedShare: number | null;
  satisfiedShare: number | null;
  unreachableShare: number | null;
  exemptedShare: number | null;
}

export interface VisitLine {
  kind: VisitSubjectKind;
  subjectCaseId: string;
  visitCaseId: string;
  areaId: string;
  engineerId: string | null;
}

export interface ReturnVisitReport {
  report: 'V4';
  propertyId: string;
  month: Month;
  timeZone: string;
  /** The report counts open and overdue visits as they stand at this instant. */
  asOf: string;
  repairs: { total: VisitCounts; byArea: (VisitCounts & { areaId: string })[]; byEngineer: (VisitCounts & { engineerId: string | null })[] };
  complaints: { total: VisitCounts; byArea: (VisitCounts & { areaId: string })[] };
  exemptions: (VisitLine & { reason: string })[];
  overdue: (VisitLine & { dueAt: string; doneAt: string | null })[];
}

/** An audit event of a complaint, as its visits are read from it. */
export interface ComplaintEventRow {
  action: string;
  at: Date;
  payload: Record<string, unknown>;
}

/**
 * C7: a complaint's return visits out of its audit log. Each time its handling is recorded done
 * (C6; again after an unsatisfied visit, C8) a visit falls due within a week (`returnVisitWithinMs`);
 * it ends answered (satisfied or not), unreachable after the last unanswered call (V2,
 * `maxAttempts`), or exempt — by a supervisor's `exempt` with its ground, or an anonymous complaint's
 * quiet week (C7). `status` is the complaint's now: one in its quiet period has nobody to visit.
 */
export function complaintVisits(input: { caseId: string; status: string; events: ComplaintEventRow[]; policy: Pick<ServicePolicy, 'complaint' | 'returnVisit'> }): VisitFacts[] {
  const visits: VisitFacts[] = [];
  let unanswered = 0;
  let resolvedAt: Date | null = null;
  const current = () => visits.at(-1);
  const decide = (outcome: ReturnVisitResult, at: Date, exemptReason: string | null = null) => {
    const visit = current();
    if (!visit || visit.outcome) return;
    Object.assign(visit, { outcome, doneAt: at, exemptReason });
  };
  for (const e of input.events) {
    switch (e.action) {
      case 'recordHandling':
        unanswered = 0;
        resolvedAt = e.at;
        // The visit is recorded on the complaint itself: its case number names it.
        visits.push({ caseId: input.caseId, outcome: null, exemptReason: null, dueAt: returnVisitBy(input.policy as ServicePolicy, e.at), doneAt: null, missed: false });
        break;
      case 'recordReturnVisit':
        // The audit keeps the payload as staff sent it: `answered` left out means answered.
        if (e.payload.answered === false) {
          unanswered += 1;
          if (unanswered >= input.policy.returnVisit.maxAttempts) decide('unreachable', e.at);
        } else decide(e.payload.satisfied === true ? 'satisfied' : 'unsatisfied', e.at);
        break;
      case 'exempt':
        decide('exempt', e.at, [e.payload.ground, e.payload.reason].filter(Boolean).join(': '));
        break;
      case 'quiet-week-passed':
        decide('exempt', e.at, String(e.payload.exemption ?? 'anonymous'));
        break;
      case 'deadline-missed':
        if (e.payload.deadline === 'returnVisit' && current()) current()!.missed = true;
        break;
    }
  }
  // An anonymous complaint goes to its quiet week as its handling is recorded: nobody to visit (C7).
  const last = current();
  if (last && !last.outcome && input.status === 'quiet_period') Object.assign(last, { outcome: 'exempt', doneAt: resolvedAt, exemptReason: 'anonymous' });
  return visits;
}

const share = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 1000) / 1000);

/** R9/V4: a visit is overdue when it is still open past its due, or was done after it. */
export function isOverdue(visit: VisitFacts, asOf: Date): boolean {
  if (visit.missed) return true;
  if (!visit.dueAt) return false;
  return visit.doneAt ? visit.doneAt > visit.dueAt : asOf > visit.dueAt;
}

/** How a subject stands: by its latest visit (an outcome, or open), or `not-yet` without one. */
export function subjectState(subject: VisitSubject): SubjectState {
  const latest = subject.visits.at(-1);
  if (!latest) return 'not-yet';
  return latest.outcome ?? 'open';
}

function counts(subjects: VisitSubject[], asOf: Date): VisitCounts {
  const states = subjects.map(subjectState);
  const n = (state: SubjectState) => states.filter((s) => s === state).length;
  const satisfied = n('satisfied');
  const unsatisfied = n('unsatisfied');
  const visited = satisfied + unsatisfied;
  const total = subjects.length;
  return {
    subjects: total,
    visited,
    satisfied,
    unsatisfied,
    unreachable: n('unreachable'),
    exempted: n('exempt'),
    open: n('open'),
    notYet: n('not-yet'),
    overdue: subjects.filter((s) => s.visits.some((v) => isOverdue(v, asOf))).length,
    visitedShare: share(visited, total),
    satisfiedShare: share(satisfied, total),
    unreachableShare: share(n('unreachable'), total),
    exemptedShare: share(n('exempt'), total),
  };
}

function grouped<K extends string | null>(subjects: VisitSubject[], keyOf: (s: VisitSubject) => K, asOf: Date): { key: K; counts: VisitCounts }[] {
  const groups = new Map<K, VisitSubject[]>();
  for (const s of subjects) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([key, group]) => ({ key, counts: counts(group, asOf) }));
}

/** R9/V4: the month's return visits per area and engineer (repairs) and per area (complaints). */
export function returnVisitReport(input: { propertyId: string; month: Month; timeZone: string; asOf: Date; subjects: VisitSubject[] }): ReturnVisitReport {
  const ordered = [...input.subjects].sort((a, b) => a.caseId.localeCompare(b.caseId));
  const repairs = ordered.filter((s) => s.kind === 'repair');
  const complaints = ordered.filter((s) => s.kind === 'complaint');
  const line = (s: VisitSubject, v: VisitFacts): VisitLine => ({ kind: s.kind, subjectCaseId: s.caseId, visitCaseId: v.caseId, areaId: s.areaId, engineerId: s.engineerId });
  return {
    report: 'V4',
    propertyId: input.propertyId,
    month: input.month,
    timeZone: input.timeZone,
    asOf: input.asOf.toISOString(),
    repairs: {
      total: counts(repairs, input.asOf),
      byArea: grouped(repairs, (s) => s.areaId, input.asOf).map(({ key, counts: c }) => ({ areaId: key, ...c })),
      byEngineer: grouped(repairs, (s) => s.engineerId, input.asOf).map(({ key, counts: c }) => ({ engineerId: key, ...c })),
    },
    complaints: {
      total: counts(complaints, input.asOf),
      byArea: grouped(complaints, (s) => s.areaId, input.asOf).map(({ key, counts: c }) => ({ areaId: key, ...c })),
    },
    // Every waived visit with its reason, the latest or not: a waiver is never silent (R9).
    exemptions: ordered.flatMap((s) => s.visits.filter((v) => v.outcome === 'exempt').map((v) => ({ ...line(s, v), reason: v.exemptReason ?? '' }))),
    overdue: ordered.flatMap((s) =>
      s.visits.filter((v) => isOverdue(v, input.asOf)).map((v) => ({ ...line(s, v), dueAt: v.dueAt?.toISOString() ?? '', doneAt: v.doneAt?.toISOString() ?? null })),
    ),
  };
}

/** One line per group (total, area, engineer) of repairs and complaints, then one per exemption. */
export function returnVisitReportCsv(r: ReturnVisitReport): string {
  const header = ['month', 'kind', 'dimension', 'key', 'subjects', 'visited', 'satisfied', 'unsatisfied', 'unreachable', 'exempted', 'open', 'not_yet', 'overdue', 'visited_share', 'satisfied_share', 'unreachable_share', 'exempted_share', 'reason'];
  const line = (kind: string, dimension: string, key: string | null, c: VisitCounts) => [
    r.month, kind, dimension, key ?? 'unassigned', c.subjects, c.visited, c.satisfied, c.unsatisfied, c.unreachable, c.exempted, c.open, c.notYet, c.overdue,
    c.visitedShare, c.satisfiedShare, c.unreachableShare, c.exemptedShare, null,
  ];
  return toCsv([
    header,
    line('repair', 'total', 'all', r.repairs.total),
    ...r.repairs.byArea.map((c) => line('repair', 'area', c.areaId, c)),
    ...r.repairs.byEngineer.map((c) => line('repair', 'engineer', c.engineerId, c)),
    line('complaint', 'total', 'all', r.complaints.total),
    ...r.complaints.byArea.map((c) => line('complaint', 'area', c.areaId, c)),
    ...r.exemptions.map((e) => [r.month, e.kind, 'exemption', e.visitCaseId, null, null, null, null, null, null, null, null, null, null, null, null, null, e.reason]),
  ]);
}
