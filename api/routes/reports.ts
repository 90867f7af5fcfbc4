/**
 * The reports of docs/rules.md §7 for supervisors and managers (and a butler's own open-request list):
 * read from Postgres only, as JSON or CSV. Employee complaints and reports are in none of them.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { StoredReport } from '../../db/entities';
import { openRequestLists } from '../../db/reconciliation';
import { loadComplaintAnalysis, loadRepairProgress, loadStaffResults } from '../../db/reports';
import { loadReturnVisitReport } from '../../db/return-visit-report';
import { returnVisitReportCsv } from '../../domain/return-visit-report';
import { complaintAnalysisCsv, DATE_PATTERN, isCalendarDate, MONTH_PATTERN, repairProgressCsv, staffResultsCsv } from '../../domain/reports';
import { withBom } from '../../domain/csv';
import { seesOnlyOwnAreas } from '../../domain/people';
import { operation, type Operation } from '../contract';
import type { RouteDeps } from './repairs';

/** P2 is the information desk's daily report (信息员日报) as well. */

const monthParams = z.object({ month: z.string().regex(MONTH_PATTERN, 'a month as YYYY-MM').describe('the property-local month, e.g. 2026-10') }).strict();
const dateParams = z
  .object({ date: z.string().regex(DATE_PATTERN, 'a date as YYYY-MM-DD').refine(isCalendarDate, 'no such date').describe('the property-local day') })
  .strict();

const breakdown = z.object({
  key: z.string(),
  complaints: z.number().int(),
  resolved: z.number().int(),
  meanResolutionHours: z.number().nullable(),
  medianResolutionHours: z.number().nullable(),
});
const complaintAnalysisSchema = z.object({
  report: z.literal('P1'),
  propertyId: z.string(),
  month: z.string(),
  timeZone: z.string(),
  total: breakdown,
  invalid: z.number().int(),
  openAtMonthEnd: z.number().int(),
  byCategory: z.array(breakdown),
  bySeverity: z.array(breakdown),
  byArea: z.array(breakdown),
  byChannel: z.array(breakdown),
  repeatIssues: z.array(z.object({ issueKey: z.string(), complaints: z.number().int(), households: z.number().int(), caseIds: z.array(z.string()) })),
  repeatHouseholds: z.array(z.object({ householdId: z.string(), complaints: z.number().int(), caseIds: z.array(z.string()) })),
  /** When the stored copy (the one mailed) was generated; absent for a month computed live. */
  generatedAt: z.string().optional(),
});
const staffResultsSchema = z.object({
  report: z.literal('P3'),
  propertyId: z.string(),
  month: z.string(),
  timeZone: z.string(),
  staff: z.array(
    z.object({
      staffId: z.string(),
      deadlinesMet: z.number().int(),
      deadlinesMissed: z.number().int(),
      metRate: z.number().nullable(),
      returnVisitsSatisfied: z.number().int(),
      returnVisitsUnsatisfied: z.number().int(),
      satisfactionRate: z.number().nullable(),
      escalationsCaused: z.number().int(),
    }),
  ),
});
const visitCounts = {
  subjects: z.number().int().describe('valid repairs received in the month (R1) / complaints whose handling was recorded done in it (C7)'),
  visited: z.number().int().describe('reached: the customer answered (satisfied + unsatisfied), by the latest visit'),
  satisfied: z.number().int(),
  unsatisfied: z.number().int(),
  unreachable: z.number().int().describe('V2: no answer after the last attempt'),
  exempted: z.number().int().describe('waived by a supervisor with a reason (or an anonymous complaint, C7)'),
  open: z.number().int().describe('a visit due (or waiting for rain) without an outcome yet'),
  notYet: z.number().int().describe('no visit opened yet: the repair is not done'),
  overdue: z.number().int().describe('with a visit still open past its due, or done after it'),
  visitedShare: z.number().nullable(),
  satisfiedShare: z.number().nullable(),
  unreachableShare: z.number().nullable(),
  exemptedShare: z.number().nullable(),
};
const visitLine = { kind: z.enum(['repair', 'complaint']), subjectCaseId: z.string(), visitCaseId: z.string(), areaId: z.string(), engineerId: z.string().nullable() };
const returnVisitReportSchema = z.object({
  report: z.literal('V4'),
  propertyId: z.string(),
  month: z.string(),
  timeZone: z.string(),
  asOf: z.string().describe('open and overdue visits as they stand at this instant'),
  repairs: z.object({
    total: z.object(visitCounts),
    byArea: z.array(z.object({ areaId: z.string(), ...visitCounts })),
    byEngineer: z.array(z.object({ engineerId: z.string().nullable(), ...visitCounts })),
  }),
  complaints: z.object({ total: z.object(visitCounts), byArea: z.array(z.object({ areaId: z.string(), ...visitCounts })) }),
  exemptions: z.array(z.object({ ...visitLine, reason: z.string() })),
  overdue: z.array(z.object({ ...visitLine, dueAt: z.string(), doneAt: z.string().nullable() })),
});
const repairProgressSchema = z.object({
  report: z.literal('P2-repair-progress'),
  propertyId: z.string(),
  date: z.string(),
  timeZone: z.string(),
  received: z.number().int(),
  closed: z.number().int(),
  openAtEndOfDay: z.number().int(),
  openBreached: z.number().int(),
  openByStatus: z.record(z.string(), z.number().int()),
  openByClassification: z.record(z.string(), z.number().int()),
  byArea: z.array(z.object({ areaId: z.string(), received: z.number().int(), closed: z.number().int(), open: z.number().int() })),
  open: z.array(
    z.object({
      caseId: z.string(),
      areaId: z.string(),
      classification: z.string().nullable(),
      status: z.string(),
      assigneeId: z.string().nullable(),
      slaState: z.string(),
      ageHours: z.number(),
    }),
  ),
});
const openLine = z.object({
  caseId: z.string(),
  room: z.string().optional(),
  areaId: z.string(),
  status: z.string(),
  receivedAt: z.string(),
  assigneeId: z.string().optional(),
  reason: z.string().optional(),
  reasonAt: z.string().optional(),
  reasonToday: z.boolean(),
});
const openListsSchema = z.object({
  propertyId: z.string(),
  date: z.string(),
  timeZone: z.string(),
  butlers: z.array(z.object({ butlerId: z.string(), areaIds: z.array(z.string()), requests: z.array(openLine) })),
  unowned: z.array(openLine),
});

const csv = (text: string, filename: string) => ({ status: 200, text, headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` } });
const CSV_RESPONSE = { 200: { description: 'The report as CSV (RFC 4180, UTF-8 with a byte order mark so a spreadsheet reads the Chinese; cells that would start a formula begin with \')', mediaType: 'text/csv' } };

export function reportOperations({ orm }: RouteDeps): Operation[] {
  /** The stored P1 (what the managers were mailed) when there is one, else computed now. */
  const complaintReport = async (propertyId: string, month: string) => {
    const stored = await orm.em.fork().findOne(StoredReport, { kind: 'P1', propertyId, period: month });
    // A copy stored before the CSV carried its byte order mark gets one as it is served.
    if (stored) return { analysis: { ...(stored.data as unknown as z.infer<typeof complaintAnalysisSchema>), generatedAt: stored.generatedAt.toISOString() }, csv: withBom(stored.csv) };
    const analysis = await loadComplaintAnalysis(orm, propertyId, month);
    return { analysis, csv: complaintAnalysisCsv(analysis) };
  };
  return [
    operation({
      method: 'get',
      path: '/reports/complaints/:month',
      operationId: 'getComplaintReport',
      summary: 'P1: the monthly complaint analysis (月度投诉分析报告) by category, severity, area and channel, with resolution times and repeat issues',
      description: 'The copy mailed to the managers when the month has been reported (generatedAt), otherwise computed now. Customer complaints only.',
      tags: ['reports'],
      roles: ACCESS.reports.monthly,
      params: monthParams,
      responses: { 200: { description: 'The analysis', schema: complaintAnalysisSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: (await complaintReport(staff.propertyId, params.month)).analysis }),
    }),
    operation({
      method: 'get',
      path: '/reports/complaints/:month/csv',
      operationId: 'getComplaintReportCsv',
      summary: 'P1 as CSV: one line per category, severity, area, channel and repeat issue',
      tags: ['reports'],
      roles: ACCESS.reports.monthly,
      params: monthParams,
      responses: CSV_RESPONSE,
      handler: async ({ params, staff }) => csv((await complaintReport(staff.propertyId, params.month)).csv, `complaints-${staff.propertyId}-${params.month}.csv`),
    }),
    operation({
      method: 'get',
      path: '/reports/staff/:month',
      operationId: 'getStaffResults',
      summary: 'P3: per staff member and month — deadlines met and missed, return-visit satisfaction, escalations caused (工作业绩)',
      tags: ['reports'],
      roles: ACCESS.reports.monthly,
      params: monthParams,
      responses: { 200: { description: 'The results', schema: staffResultsSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await loadStaffResults(orm, staff.propertyId, params.month) }),
    }),
    operation({
      method: 'get',
      path: '/reports/staff/:month/csv',
      operationId: 'getStaffResultsCsv',
      summary: 'P3 as CSV: one line per staff member',
      tags: ['reports'],
      roles: ACCESS.reports.monthly,
      params: monthParams,
      responses: CSV_RESPONSE,
      handler: async ({ params, staff }) => csv(staffResultsCsv(await loadStaffResults(orm, staff.propertyId, params.month)), `staff-${staff.propertyId}-${params.month}.csv`),
    }),
    operation({
      method: 'get',
      path: '/reports/return-visits/:month',
      operationId: 'getReturnVisitReport',
      summary: 'R9/V4: the month’s return visits (回访统计) — of its valid repairs and resolved complaints, visited, satisfied, unreachable, exempted with reasons, overdue — per area and engineer',
      description:
        'Repairs received in the month and not invalid, each by its latest return visit; customer complaints whose handling was first recorded done in the month, by their C7 visit. ' +
        'Shares are of the month’s repairs (complaints); open and overdue are counted as they stand now.',
      tags: ['reports'],
      roles: ACCESS.reports.monthly,
      params: monthParams,
      responses: { 200: { description: 'The report', schema: returnVisitReportSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await loadReturnVisitReport(orm, staff.propertyId, params.month) }),
    }),
    operation({
      method: 'get',
      path: '/reports/return-visits/:month/csv',
      operationId: 'getReturnVisitReportCsv',
      summary: 'R9/V4 as CSV: one line per area and engineer of repairs and per area of complaints, then one per exemption with its reason',
      tags: ['reports'],
      roles: ACCESS.reports.monthly,
      params: monthParams,
      responses: CSV_RESPONSE,
      handler: async ({ params, staff }) => csv(returnVisitReportCsv(await loadReturnVisitReport(orm, staff.propertyId, params.month)), `return-visits-${staff.propertyId}-${params.month}.csv`),
    }),
    operation({
      method: 'get',
      path: '/reports/repair-progress/:date',
      operationId: 'getRepairProgress',
      summary: 'P2: the daily repair-progress report (维修进度日报): received, closed, open at the end of the day',
      tags: ['reports'],
      roles: ACCESS.reports.progress,
      params: dateParams,
      responses: { 200: { description: 'The day’s progress', schema: repairProgressSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await loadRepairProgress(orm, staff.propertyId, params.date) }),
    }),
    operation({
      method: 'get',
      path: '/reports/repair-progress/:date/csv',
      operationId: 'getRepairProgressCsv',
      summary: 'P2 as CSV: the repairs open at the end of the day',
      tags: ['reports'],
      roles: ACCESS.reports.progress,
      params: dateParams,
      responses: CSV_RESPONSE,
      handler: async ({ params, staff }) => csv(repairProgressCsv(await loadRepairProgress(orm, staff.propertyId, params.date)), `repair-progress-${staff.propertyId}-${params.date}.csv`),
    }),
    operation({
      method: 'get',
      path: '/reports/open-requests',
      operationId: 'getOpenRequests',
      summary: 'P2/R12: the open-request list per butler as it stands now, with the reasons recorded today — a butler gets their own list',
      tags: ['reports'],
      roles: ACCESS.reports.openLists,
      responses: { 200: { description: 'Every butler’s list (a butler: their own)', schema: openListsSchema } },
      handler: async ({ staff }) => {
        // The same lists the R12 reconciliation mails, built by the same read of Postgres.
        const lists = await openRequestLists(orm, { propertyId: staff.propertyId, asOf: new Date().toISOString() });
        const ownOnly = seesOnlyOwnAreas(staff.roles);
        return { status: 200, body: ownOnly ? { ...lists, butlers: lists.butlers.filter((b) => b.butlerId === staff.id), unowned: [] } : lists };
      },
    }),
  ];
}
