/**
 * P3 staff appraisal (员工绩效考核) for supervisors and managers: a month's appraisal of every staff
 * member who holds cases (the results part from the workflows' record, the parts they entered, the
 * 20/20/30/30 composite), the year's (20/30/50), as JSON or CSV, and the entries themselves.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { appraisalContext, enterMonthlyParts, enterYearEnd, loadAnnualAppraisal, loadMonthlyAppraisal } from '../../db/appraisal';
import { annualAppraisalCsv, entryRefusal, monthlyAppraisalCsv, SCORE_BOUNDS, type EntryRefusal } from '../../domain/appraisal';
import { MONTH_PATTERN } from '../../domain/reports';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import type { RouteDeps } from './repairs';

/** The service department's rules make the manager responsible for the appraisal; supervisors enter it with them. */

const month = z.string().regex(MONTH_PATTERN, 'a month as YYYY-MM').describe('the property-local month, e.g. 2026-11');
const year = z.coerce.number().int().min(2000).max(2999).describe('a year, e.g. 2026');
const staffId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a staff id').describe('the staff member appraised');
const score = () => z.number().min(SCORE_BOUNDS.min).max(SCORE_BOUNDS.max);

const partsBody = z
  .object({
    conduct: score().optional().describe('德 conduct, 0–100 (20 % of the month)'),
    diligence: score().optional().describe('勤 diligence, 0–100 (20 %)'),
    ability: score().optional().describe('能 ability, 0–100 (30 %)'),
    checks: score().optional().describe('the month’s weekly and monthly checks (周检、月检), 0–100: 20 % of the year'),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'enter at least one part', path: ['conduct'] });

const resultsRecord = z.object({
  deadlinesMet: z.number().int(),
  deadlinesMissed: z.number().int(),
  returnVisitsSatisfied: z.number().int(),
  returnVisitsUnsatisfied: z.number().int(),
  escalationsCaused: z.number().int(),
});
const line = z.object({
  staffId: z.string(),
  roles: z.array(z.string()),
  results: resultsRecord,
  resultsScore: z.number().nullable().describe('绩 results, 0–100, by resultsFormula; null when the month counted nothing'),
  resultsAt: z.string().nullable().describe('when the results were stored; null while counted live'),
  conduct: z.number().nullable(),
  diligence: z.number().nullable(),
  ability: z.number().nullable(),
  checks: z.number().nullable(),
  composite: z.number().nullable().describe('20/20/30/30 of the four parts, once all are there'),
  missing: z.array(z.string()),
  enteredBy: z.string().nullable(),
  enteredAt: z.string().nullable(),
});
const monthlySchema = z.object({
  report: z.literal('P3-appraisal'),
  propertyId: z.string(),
  month: z.string(),
  weights: z.object({ conduct: z.number(), diligence: z.number(), ability: z.number(), results: z.number() }),
  resultsFormula: z.object({ deadlinesWeight: z.number(), satisfactionWeight: z.number(), pointsPerEscalation: z.number() }),
  staff: z.array(line),
});
const annualSchema = z.object({
  report: z.literal('P3-annual'),
  propertyId: z.string(),
  year: z.number(),
  weights: z.object({ checks: z.number(), monthly: z.number(), yearEnd: z.number() }),
  staff: z.array(
    z.object({
      staffId: z.string(),
      months: z.number().int(),
      composites: z.number().int(),
      checkedMonths: z.number().int(),
      checks: z.number().nullable(),
      monthly: z.number().nullable(),
      yearEnd: z.number().nullable(),
      annual: z.number().nullable().describe('20/30/50 of checks, the months’ composites and the year-end appraisal, once all are there'),
      missing: z.array(z.string()),
    }),
  ),
});

const csv = (text: string, filename: string) => ({ status: 200, text, headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` } });
const CSV_RESPONSE = { 200: { description: 'As CSV (UTF-8 with a byte order mark; cells that would start a formula begin with \')', mediaType: 'text/csv' } };

function refused(refusal: EntryRefusal): never {
  switch (refusal.reason) {
    case 'unknown-staff':
      throw new HttpProblem(404, 'Not found', refusal.detail);
    case 'self':
      throw new HttpProblem(403, 'Forbidden', refusal.detail);
    case 'not-a-case-holder':
      throw new HttpProblem(422, 'Not appraised', refusal.detail, { 'invalid-params': [{ name: 'staffId', in: 'path', reason: refusal.detail }] });
    default:
      throw new HttpProblem(422, refusal.reason === 'not-ended' ? 'Period not ended' : 'Period no longer kept', refusal.detail, {
        'invalid-params': [{ name: refusal.param, in: 'path', reason: refusal.detail }],
      });
  }
}

export function appraisalOperations({ orm }: RouteDeps): Operation[] {
  const check = async (propertyId: string, actorId: string, appraised: string, period: { month: string } | { year: number }) => {
    const context = await appraisalContext(orm, propertyId, appraised);
    const refusal = entryRefusal({ period, currentMonth: context.currentMonth, keepMonths: context.keepMonths, staffId: appraised, staff: context.staff, actorId });
    if (refusal) refused(refusal);
  };
  return [
    operation({
      method: 'get',
      path: '/appraisals/:month',
      operationId: 'getMonthlyAppraisal',
      summary: 'P3: a month’s appraisal (员工月绩效考核) of every staff member who holds cases — results from the workflows, the parts entered, the 20/20/30/30 composite',
      description: 'A month the schedule stored shows its results as stored; a month not stored yet, its results counted now.',
      tags: ['appraisal'],
      roles: ACCESS.reports.appraisal,
      params: z.object({ month }).strict(),
      responses: { 200: { description: 'The appraisal', schema: monthlySchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await loadMonthlyAppraisal(orm, staff.propertyId, params.month) }),
    }),
    operation({
      method: 'get',
      path: '/appraisals/:month/csv',
      operationId: 'getMonthlyAppraisalCsv',
      summary: 'P3: a month’s appraisal as CSV, one line per staff member',
      tags: ['appraisal'],
      roles: ACCESS.reports.appraisal,
      params: z.object({ month }).strict(),
      responses: CSV_RESPONSE,
      handler: async ({ params, staff }) => csv(monthlyAppraisalCsv(await loadMonthlyAppraisal(orm, staff.propertyId, params.month)), `appraisal-${staff.propertyId}-${params.month}.csv`),
    }),
    operation({
      method: 'put',
      path: '/appraisals/:month/:staffId',
      operationId: 'enterMonthlyAppraisal',
      summary: 'P3: enter a staff member’s conduct, diligence and ability (德、勤、能) of an ended month, and the month’s checks',
      description:
        'Parts left out keep what was entered before. The month must have ended and still be kept (two years); only staff who hold cases are appraised, and nobody enters their own. ' +
        'Each entry is in the administrative audit log.',
      tags: ['appraisal'],
      roles: ACCESS.reports.appraisal,
      params: z.object({ month, staffId }).strict(),
      body: partsBody,
      bodyExample: { conduct: 90, diligence: 85, ability: 80 },
      responses: {
        200: { description: 'The staff member’s month as it is now', schema: line },
        403: { description: 'Their own appraisal' },
        404: { description: 'No such staff member' },
        422: { description: 'A month not ended or no longer kept, or a staff member who holds no cases' },
      },
      handler: async ({ params, body, staff }) => {
        await check(staff.propertyId, staff.id, params.staffId, { month: params.month });
        return { status: 200, body: await enterMonthlyParts(orm, { propertyId: staff.propertyId, month: params.month, staffId: params.staffId, parts: body, actorId: staff.id }) };
      },
    }),
    operation({
      method: 'get',
      path: '/appraisals/annual/:year',
      operationId: 'getAnnualAppraisal',
      summary: 'P3: the year’s appraisal — checks 20 %, the months’ composites 30 %, the year-end appraisal 50 %',
      tags: ['appraisal'],
      roles: ACCESS.reports.appraisal,
      params: z.object({ year }).strict(),
      responses: { 200: { description: 'The year', schema: annualSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await loadAnnualAppraisal(orm, staff.propertyId, params.year) }),
    }),
    operation({
      method: 'get',
      path: '/appraisals/annual/:year/csv',
      operationId: 'getAnnualAppraisalCsv',
      summary: 'P3: the year’s appraisal as CSV, one line per staff member',
      tags: ['appraisal'],
      roles: ACCESS.reports.appraisal,
      params: z.object({ year }).strict(),
      responses: CSV_RESPONSE,
      handler: async ({ params, staff }) => csv(annualAppraisalCsv(await loadAnnualAppraisal(orm, staff.propertyId, params.year)), `appraisal-${staff.propertyId}-${params.year}.csv`),
    }),
    operation({
      method: 'put',
      path: '/appraisals/annual/:year/:staffId',
      operationId: 'enterYearEndAppraisal',
      summary: 'P3: enter a staff member’s year-end appraisal (年终考核), 0–100: 50 % of the year',
      tags: ['appraisal'],
      roles: ACCESS.reports.appraisal,
      params: z.object({ year, staffId }).strict(),
      body: z.object({ yearEnd: score().describe('the year-end appraisal, 0–100') }).strict(),
      bodyExample: { yearEnd: 88 },
      responses: {
        200: { description: 'The staff member’s year as it is now', schema: annualSchema.shape.staff.element },
        403: { description: 'Their own appraisal' },
        404: { description: 'No such staff member' },
        422: { description: 'A year before its December, no longer kept, or a staff member who holds no cases' },
      },
      handler: async ({ params, body, staff }) => {
        await check(staff.propertyId, staff.id, params.staffId, { year: params.year });
        await enterYearEnd(orm, { propertyId: staff.propertyId, year: params.year, staffId: params.staffId, yearEnd: body.yearEnd, actorId: staff.id });
        const annual = await loadAnnualAppraisal(orm, staff.propertyId, params.year);
        return { status: 200, body: annual.staff.find((s) => s.staffId === params.staffId)! };
      },
    }),
  ];
}
