import { ACCESS } from '../../domain/access';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Orm } from '../../db/orm';
import type { Config } from '../../config';
import { REPAIR_CLASSES, REPAIR_STATUSES, repairIntakeSchema } from '../../domain/repair';
import { REPAIR_ACTIONS, repairMessages } from '../../workflows/messages';
import { operation, type Operation } from '../contract';
import { casePage, cursorParam, listedAreas } from '../paging';
import { HttpProblem } from '../problem';
import { openIntakeCase } from '../start-case';
import { seesOnlyOwnOrders } from '../../domain/people';
import { visibleAreaIds } from '../scope';
import { caseRoutes } from './case-actions';
import { workflowIds } from '../../domain/workflow-ids';

export interface RouteDeps {
  orm: Orm;
  temporal: Client;
  config: Config;
}


const repairCaseId = z.string().regex(/^R\d{8}-\d{4,}$/, 'must be a repair case number like R20261122-0007');


const createdSchema = z.object({ caseId: z.string(), workflowId: z.string(), status: z.string(), links: z.object({ self: z.string() }) });

const listQuery = z
  .object({
    status: z.enum(REPAIR_STATUSES).optional(),
    classification: z.enum(REPAIR_CLASSES).optional(),
    areaId: z.string().max(32).optional(),
    assigneeId: z.string().max(32).optional(),
    overdue: z.enum(['true', 'false']).optional().describe('only cases past their next deadline (true) or not (false)'),
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
});

export function repairOperations({ orm, temporal, config }: RouteDeps): Operation[] {
  return [
    operation({
      method: 'post',
      path: '/repairs',
      operationId: 'createRepair',
      summary: 'Record a repair request (报修) and start its case',
      description: 'I2 fields and the R1 classification. The case number is allocated here; the workflow then dispatches it (R2).',
      tags: ['repairs'],
      roles: ACCESS.repairs.create,
      body: repairIntakeSchema(),
      bodyExample: {
        room: '1-1-301',
        contactName: '王先生',
        contactPhone: '13800138000',
        channel: 'phone',
        description: '厨房水管爆裂，地面积水',
        classification: 'urgent',
        tags: ['water', 'dangerous'],
      },
      idempotent: true,
      opensCase: true,
      responses: {
        201: { description: 'The case is open', schema: createdSchema },
        422: { description: 'Unknown room or area, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        if (body.appointmentAt && new Date(body.appointmentAt).getTime() <= Date.now()) {
          throw new HttpProblem(422, 'Impossible appointment', 'the appointment time is in the past', {
            'invalid-params': [{ name: 'appointmentAt', in: 'body', reason: 'must be in the future' }],
          });
        }
        return openIntakeCase(
          { orm, temporal, config },
          {
            staff,
            idempotencyKeyHeader: req.get('idempotency-key'),
            body,
            roles: ACCESS.repairs.create,
            prefix: 'R',
            workflowType: 'repair',
            basePath: '/repairs',
            workflowId: workflowIds.repair,
            caseType: 'repair',
            status: 'received',
            severity: body.classification,
            summary: (caseId, where) => `报修 ${caseId} · ${where.room ? `room ${where.room}` : `public area ${where.areaId}`} · ${body.classification}`,
          },
        );
      },
    }),

    operation({
      method: 'get',
      path: '/repairs',
      operationId: 'listRepairs',
      summary: 'Repairs from the read model, newest first, with filters and cursor pagination',
      tags: ['repairs'],
      roles: ACCESS.repairs.read,
      query: listQuery,
      responses: {
        200: { description: 'One page', schema: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }) },
      },
      handler: async ({ query, staff }) => {
        const areaIds = listedAreas(query.areaId, await visibleAreaIds(orm, staff));
        // An engineer lists their own work orders, whatever assignee they ask for.
        const assigneeId = seesOnlyOwnOrders(staff.roles) ? staff.id : query.assigneeId;
        const filter = { kind: 'repair', propertyId: staff.propertyId, status: query.status, severity: query.classification, assigneeId, areaIds, overdue: query.overdue };
        return { status: 200, body: await casePage(orm, filter, query, listItem) };
      },
    }),
    ...caseRoutes({
      orm,
      temporal,
      kind: 'repair',
      basePath: '/repairs',
      name: 'repair',
      tag: 'repairs',
      caseId: repairCaseId,
      table: REPAIR_ACTIONS,
      messages: repairMessages,
      readRoles: ACCESS.repairs.read,
      areaScoped: true,
      assigneeScoped: true,
    }),
  ];
}
