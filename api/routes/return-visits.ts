import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { Case, Property } from '../../db/entities';
import { localDate } from '../../domain/calendar';
import { rainfallMoment, returnVisitCaseIdPattern } from '../../domain/return-visit';
import { rainfallSignal, RETURN_VISIT_ACTIONS, returnVisitMessages } from '../../workflows/messages';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import { caseRoutes } from './case-actions';
import type { RouteDeps } from './repairs';

const READ_ROLES = ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'] as const;
const RAINFALL_ROLES = ['butler', 'supervisor', 'frontdesk'] as const;

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
      description: "Signals every return visit of the caller's property that awaits rain. A day before a repair was done does not count for it.",
      tags: ['return visits'],
      roles: RAINFALL_ROLES,
      body: rainfallBody,
      bodyExample: {},
      responses: {
        200: { description: 'The return visits told of the rain', schema: z.object({ date: z.string(), signalled: z.array(z.string()) }) },
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
        const signalled = await Promise.all(
          waiting.map((row) =>
            temporal.workflow
              .getHandle(row.workflowId)
              .signal(rainfallSignal, { at })
              .then(
                () => row.id,
                (error: unknown) => {
                  // Closed since the read model was written: nothing left to tell.
                  if (error instanceof WorkflowNotFoundError) return undefined;
                  throw error;
                },
              ),
          ),
        );
        return { status: 200, body: { date, signalled: signalled.filter((id): id is string => id !== undefined) } };
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
      readRoles: READ_ROLES,
      areaScoped: true,
    }),
  ];
}
