import { ACCESS } from '../../domain/access';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { Case, Property } from '../../db/entities';
import { localDate } from '../../domain/calendar';
import { rainfallMoment, RETURN_VISIT_STATUSES, returnVisitCaseIdPattern } from '../../domain/return-visit';
import { casePage, cursorParam, listedAreas } from '../paging';
import { visibleAreaIds } from '../scope';
import { rainfallUpdate, RETURN_VISIT_ACTIONS, returnVisitMessages } from '../../workflows/messages';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import { caseRoutes } from './case-actions';
import type { RouteDeps } from './repairs';


const listQuery = z
  .object({
    status: z.enum(RETURN_VISIT_STATUSES).optional(),
    areaId: z.string().max(32).optional(),
    dueBefore: z.iso.datetime({ offset: true }).optional().describe('only visits whose deadline falls before this instant'),
    overdue: z.enum(['true', 'false']).optional().describe('only visits past their deadline (true) or not (false)'),
    open: z.enum(['true', 'false']).optional().describe('only visits not yet done (true) or done (false)'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: cursorParam,
  })
  .strict();

const listItem = z.object({
  caseId: z.string(),
  status: z.string(),
  classification: z.string().nullable(),
  areaId: z.string(),
  room: z.string().nullable(),
  assigneeId: z.string().nullable(),
  dueAt: z.string().nullable(),
  slaState: z.string(),
  escalated: z.boolean(),
  receivedAt: z.string(),
  closedAt: z.string().nullable(),
});

const rainfallBody = z
  .object({ date: z.iso.date().optional().describe("the rainy day, property-local 'YYYY-MM-DD'; default today") })
  .strict();

/** Return visits (回访): their view and staff actions, and the rainy day that starts leak repairs' visits (R9). */
export function returnVisitOperations({ orm, temporal }: RouteDeps): Operation[] {
  return [
    operation({
      method: 'post',
      path: '/properties/rainfall',
      operationId: 'recordRainfall',
      summary: 'R9: it rained — the return visits of leak repairs waiting for rain fall due (下雨后回访)',
      description:
        "Tells every return visit of the caller's property that awaits rain. The answer names the visits that fell due (`moved`) and those the rain did not move, with why: " +
        'a day before a repair was done does not count for it.',
      tags: ['return visits'],
      roles: ACCESS.returnVisits.reportRainfall,
      body: rainfallBody,
      bodyExample: {},
      responses: {
        200: {
          description: 'The return visits the rain moved, and those it did not',
          schema: z.object({ date: z.string(), moved: z.array(z.string()), unmoved: z.array(z.object({ caseId: z.string(), reason: z.string() })) }),
        },
        422: { description: 'A date in the future' },
      },
      handler: async ({ body, staff }) => {
        const em = orm.em.fork();
        const property = await em.findOneOrFail(Property, { id: staff.propertyId });
        const now = new Date();
        const today = localDate(now, property.timeZone);
        const date = body.date ?? today;
        if (date > today) {
          throw new HttpProblem(422, 'Rain in the future', `${date} has not come yet (today is ${today})`, {
            'invalid-params': [{ name: 'date', in: 'body', reason: 'must not be after today' }],
          });
        }
        const at = rainfallMoment(date, now, property.timeZone).toISOString();
        const waiting = await em.find(Case, { kind: 'return_visit', propertyId: staff.propertyId, status: 'awaiting_rain' }, { orderBy: { id: 'asc' } });
        const answers = await Promise.all(
          waiting.map((row) =>
            temporal.workflow
              .getHandle(row.workflowId)
              .executeUpdate(rainfallUpdate, { args: [{ at }] })
              .then(
                (answer) => ({ caseId: row.id, ...answer }),
                (error: unknown) => {
                  // Closed since the read model was written: nothing left to tell.
                  if (error instanceof WorkflowNotFoundError) return { caseId: row.id, moved: false, reason: 'no longer waiting' };
                  throw error;
                },
              ),
          ),
        );
        return {
          status: 200,
          body: {
            date,
            moved: answers.filter((a) => a.moved).map((a) => a.caseId),
            unmoved: answers.filter((a) => !a.moved).map((a) => ({ caseId: a.caseId, reason: a.reason ?? 'not moved' })),
          },
        };
      },
    }),
    operation({
      method: 'get',
      path: '/return-visits',
      operationId: 'listReturnVisits',
      summary: 'R9/V1–V4: return visits from the read model — by status, due date and area — newest first, with cursor pagination',
      description: 'A butler sees the visits of their own areas. `dueBefore` lists the visits due before a moment (the calls to make today); `overdue=true` the ones past due.',
      tags: ['return visits'],
      roles: ACCESS.returnVisits.read,
      query: listQuery,
      responses: { 200: { description: 'One page', schema: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }) } },
      handler: async ({ query, staff }) => {
        const areaIds = listedAreas(query.areaId, await visibleAreaIds(orm, staff));
        const filter = {
          kind: 'return_visit',
          propertyId: staff.propertyId,
          status: query.status,
          areaIds,
          overdue: query.overdue,
          open: query.open,
          dueBefore: query.dueBefore ? new Date(query.dueBefore) : undefined,
        };
        return { status: 200, body: await casePage(orm, filter, query, listItem) };
      },
    }),
    ...caseRoutes({
      orm,
      temporal,
      kind: 'return_visit',
      basePath: '/return-visits',
      name: 'returnVisit',
      tag: 'return visits',
      caseId: z.string().regex(returnVisitCaseIdPattern, 'must be a return visit number like RV-R20261122-0007-1'),
      table: RETURN_VISIT_ACTIONS,
      messages: returnVisitMessages,
      readRoles: ACCESS.returnVisits.read,
      areaScoped: true,
    }),
  ];
}
