/**
 * The working-day calendar without SQL and without a release: a manager loads a year's national
 * arrangement (JSON, or the iCalendar file chinese-days publishes) and sets the property's own days;
 * every staff member can read the calendar their cases count on, day by day with its source.
 * Cases already running keep the calendar they started with; a case started afterwards uses the new one.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { calendarChanges, calendarSources, changeOverride, saveNationalYear } from '../../db/calendar-store';
import { assumedYearsNote } from '../../domain/calendar';
import { effectiveYear, isCalendarDate, nationalYearProblems, type NationalYear } from '../../domain/calendar-data';
import { parseArrangementIcs } from '../../domain/calendar-ics';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import type { RouteDeps } from './repairs';


const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100).describe('a calendar year, e.g. 2027') }).strict();
const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
  .refine(isCalendarDate, 'not a real date');
const nameSchema = z.string().trim().min(1).max(64);
const namedDates = z.array(z.object({ date: z.string().max(10).describe('YYYY-MM-DD'), name: nameSchema.optional() }).strict()).max(366);

const arrangementSchema = z
  .object({
    holidays: namedDates.describe('days off (休), weekends inside a holiday included'),
    workdays: namedDates.describe('adjusted working days (调休, 班): Saturdays or Sundays worked'),
  })
  .strict();

const daySchema = z.object({
  date: z.string(),
  weekday: z.number().describe('1 = Monday … 7 = Sunday'),
  working: z.boolean(),
  kind: z.enum(['holiday', 'workday', 'weekday', 'weekend']),
  source: z.enum(['package', 'national', 'override', 'assumed']),
  name: z.string().optional(),
});

const calendarSchema = z.object({
  propertyId: z.string(),
  year: z.number(),
  timeZone: z.string(),
  source: z.enum(['package', 'national', 'assumed']).describe('where the national arrangement of the year comes from'),
  note: z.string().optional().describe('present when the year is assumed Monday–Friday'),
  workingDays: z.number(),
  days: z.array(daySchema),
  changes: z.array(z.object({ by: z.string(), at: z.string(), action: z.string(), subject: z.string(), detail: z.record(z.string(), z.unknown()) })),
});

const overrideParams = z.object({ date: dateSchema.describe('the property-local date, YYYY-MM-DD') }).strict();
const overrideBody = z.object({ kind: z.enum(['holiday', 'workday']).describe('a day off, or a day worked'), name: nameSchema.optional() }).strict();

/** An arrangement whose dates are wrong for its year: 422 naming each, nothing stored. */
function checkArrangement(year: number, body: z.infer<typeof arrangementSchema>): NationalYear {
  const problems = nationalYearProblems(year, body);
  if (problems.length > 0) {
    throw new HttpProblem(422, 'Invalid calendar', `the arrangement for ${year} has ${problems.length} problem(s); nothing was stored`, {
      'invalid-params': problems.map((p) => ({ name: p.field, in: 'body', reason: p.reason })),
    });
  }
  const byDate = (a: { date: string }, b: { date: string }) => a.date.localeCompare(b.date);
  return { year, holidays: [...body.holidays].sort(byDate), workdays: [...body.workdays].sort(byDate) };
}

function readIcs(text: string): unknown {
  const parsed = parseArrangementIcs(text);
  if ('problems' in parsed) {
    throw new HttpProblem(400, 'Invalid calendar file', 'the body is not an iCalendar file of holidays and adjusted working days; nothing was stored', {
      'invalid-params': parsed.problems.map((p) => ({ name: p.field, in: 'body', reason: p.reason })),
    });
  }
  return parsed;
}

export function calendarOperations({ orm }: RouteDeps): Operation[] {
  const effective = async (propertyId: string, year: number) => {
    const em = orm.em.fork();
    const sources = (await calendarSources(em, propertyId, () => ({ fromYear: year, toYear: year })))!;
    const { source, days } = effectiveYear(year, sources);
    return {
      propertyId,
      year,
      timeZone: sources.timeZone,
      source: source as 'package' | 'national' | 'assumed',
      ...(source === 'assumed' ? { note: assumedYearsNote([year]) } : {}),
      workingDays: days.filter((d) => d.working).length,
      days,
      changes: await calendarChanges(em, propertyId, year),
    };
  };

  return [
    operation({
      method: 'get',
      path: '/calendar/:year',
      operationId: 'getCalendar',
      summary: "C3/C11/S4: the working-day calendar of the caller's property for a year, each day with its source",
      description:
        'Every day of the year: working or not, and what decided it — `override` (the property’s own day), `national` (an arrangement a manager loaded), ' +
        '`package` (the one the software ships), or `assumed` (no national arrangement for that year: plain Monday–Friday). ' +
        'With the audited changes that concern the year.',
      tags: ['calendar'],
      roles: ACCESS.calendar.read,
      params: yearParams,
      responses: { 200: { description: 'The effective calendar', schema: calendarSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await effective(staff.propertyId, params.year) }),
    }),

    operation({
      method: 'put',
      path: '/calendar/national/:year',
      operationId: 'loadNationalCalendar',
      summary: "Load a year's national holiday arrangement (国务院节假日安排), as JSON or as an iCalendar file",
      description:
        'Replaces what the software ships for that year, for every property. Every date must be a real date of that year; no date may be both a ' +
        'holiday and an adjusted working day; adjusted working days fall on weekends. The iCalendar form is the one chinese-days publishes ' +
        '(all-day events whose summary ends in (休)/(Holiday) or (班)/(Workday)). Cases already running keep the calendar they started with; ' +
        'cases started afterwards count on this one. Audited.',
      tags: ['calendar'],
      roles: ACCESS.calendar.manage,
      params: yearParams,
      body: arrangementSchema,
      textBody: { mediaType: 'text/calendar', description: 'an iCalendar file (.ics) of the year’s holidays and adjusted working days', read: readIcs },
      bodyExample: { holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [{ date: '2027-01-09', name: '元旦' }] },
      responses: {
        200: { description: 'Stored; the calendar of the caller’s property for that year', schema: calendarSchema },
        422: { description: 'A date that is not of that year, listed twice, or both a holiday and a working day; nothing stored' },
      },
      handler: async ({ params, body, staff, req }) => {
        const arrangement = checkArrangement(params.year, body);
        await saveNationalYear(orm.em.fork(), arrangement, { staffId: staff.id, format: req.is('text/calendar') ? 'ics' : 'json' });
        return { status: 200, body: await effective(staff.propertyId, params.year) };
      },
    }),

    operation({
      method: 'put',
      path: '/properties/calendar-overrides/:date',
      operationId: 'setCalendarOverride',
      summary: "Set one of the property's own days: a day off or a day worked, whatever the national calendar says",
      description: 'Wins over the national arrangement for this property only. Cases already running keep the calendar they started with. Audited.',
      tags: ['calendar'],
      roles: ACCESS.calendar.manage,
      params: overrideParams,
      body: overrideBody,
      bodyExample: { kind: 'holiday', name: '园区停业日' },
      responses: { 200: { description: 'Set; the property’s calendar for that year', schema: calendarSchema } },
      handler: async ({ params, body, staff }) => {
        await changeOverride(orm.em.fork(), staff.propertyId, params.date, body, staff.id);
        return { status: 200, body: await effective(staff.propertyId, Number(params.date.slice(0, 4))) };
      },
    }),

    operation({
      method: 'delete',
      path: '/properties/calendar-overrides/:date',
      operationId: 'deleteCalendarOverride',
      summary: "Remove one of the property's own days: the national calendar decides that date again",
      tags: ['calendar'],
      roles: ACCESS.calendar.manage,
      params: overrideParams,
      responses: { 204: { description: 'Removed' }, 404: { description: 'The property has no override on that date' } },
      handler: async ({ params, staff }) => {
        const { previous } = await changeOverride(orm.em.fork(), staff.propertyId, params.date, undefined, staff.id);
        if (!previous) throw new HttpProblem(404, 'Not found', `the property has no calendar override on ${params.date}`);
        return { status: 204 };
      },
    }),
  ];
}
