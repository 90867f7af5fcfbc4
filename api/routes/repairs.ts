import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Area, Case, Household, Property, type ICase } from '../../db/entities';
import { allocateCaseNumber } from '../../db/case-numbers';
import type { Orm } from '../../db/orm';
import type { Config } from '../../config';
import { REPAIR_CLASSES, REPAIR_STATUSES, repairIntakeSchema } from '../../domain/repair';
import { REPAIR_ACTIONS, REPAIR_ACTION_NAMES, caseViewQuery, repairMessages, type CaseView, type RepairActionName } from '../../workflows/messages';
import { AreaId, CaseStatus, CaseType, Severity } from '../../workflows/search-attributes';
import type { repair } from '../../workflows/repair';
import { actorFor } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf, withIdempotency } from '../idempotency';
import { HttpProblem } from '../problem';

export interface RouteDeps {
  orm: Orm;
  temporal: Client;
  config: Config;
}

const INTAKE_ROLES = ['frontdesk', 'butler', 'callcenter', 'supervisor', 'manager'] as const;
const READ_ROLES = ['frontdesk', 'butler', 'engineer', 'supervisor', 'manager', 'callcenter'] as const;

const caseIdParam = z.object({ caseId: z.string().regex(/^R\d{8}-\d{4,}$/, 'must be a repair case number like R20261122-0007') });

export const repairWorkflowId = (caseId: string) => `repair-${caseId}`;

const deadlineSchema = z.object({
  name: z.string(),
  rule: z.string(),
  dueAt: z.string(),
  state: z.enum(['pending', 'met', 'missed', 'cancelled']),
  warned: z.boolean(),
});

const caseViewSchema = z.object({
  caseId: z.string(),
  workflowId: z.string(),
  kind: z.literal('repair'),
  status: z.string(),
  severity: z.string(),
  areaId: z.string(),
  room: z.string().optional(),
  assigneeId: z.string().optional(),
  slaState: z.enum(['ok', 'warning', 'breached']),
  escalated: z.boolean(),
  deadlines: z.array(deadlineSchema),
  allowedActions: z.array(z.string()),
  recent: z.array(z.object({ seq: z.number(), action: z.string(), actorId: z.string(), actorRole: z.string(), at: z.string() })),
  receivedAt: z.string(),
  closedAt: z.string().optional(),
  source: z.enum(['workflow', 'read-model']),
});

const createdSchema = z.object({ caseId: z.string(), workflowId: z.string(), status: z.string(), links: z.object({ self: z.string() }) });

const listQuery = z
  .object({
    status: z.enum(REPAIR_STATUSES).optional(),
    classification: z.enum(REPAIR_CLASSES).optional(),
    areaId: z.string().max(32).optional(),
    assigneeId: z.string().max(32).optional(),
    overdue: z.enum(['true', 'false']).optional().describe('only cases past their next deadline (true) or not (false)'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(200).optional().describe('opaque; from the previous page'),
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

/** Where a repair happens: the household's room, or an area's public facility (R7). */
async function locate(em: EntityManager, propertyId: string, room: string | undefined, areaId: string | undefined) {
  if (room) {
    const household = await em.findOne(Household, { propertyId, room }, { populate: ['building'] });
    if (!household) {
      throw new HttpProblem(422, 'Unknown room', `there is no room ${room} in this property`, {
        'invalid-params': [{ name: 'room', in: 'body', reason: 'no such room in this property' }],
      });
    }
    return { householdId: household.id, room, areaId: household.building.area.id };
  }
  const area = await em.findOne(Area, { id: areaId!, property: propertyId });
  if (!area) {
    throw new HttpProblem(422, 'Unknown area', `there is no area ${areaId} in this property`, {
      'invalid-params': [{ name: 'areaId', in: 'body', reason: 'no such area in this property' }],
    });
  }
  return { householdId: undefined, room: undefined, areaId: area.id };
}

function fromReadModel(c: ICase): z.infer<typeof caseViewSchema> {
  return {
    caseId: c.id,
    workflowId: c.workflowId,
    kind: 'repair',
    status: c.status,
    severity: c.severity ?? '',
    areaId: c.areaId,
    room: c.room ?? undefined,
    assigneeId: c.assigneeId ?? undefined,
    slaState: c.slaState as 'ok',
    escalated: c.escalated,
    deadlines: [],
    allowedActions: [],
    recent: [],
    receivedAt: c.receivedAt.toISOString(),
    closedAt: c.closedAt?.toISOString(),
    source: 'read-model',
  };
}

/** Maps a rejected update to the HTTP answer staff need: why the case would not take the action. */
function updateProblem(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const status = { ActionNotAllowed: 409, Forbidden: 403, NotAssignee: 403, InvalidPayload: 400 }[error.cause.type ?? ''] ?? 409;
    throw new HttpProblem(status, status === 409 ? 'Action not allowed' : status === 403 ? 'Forbidden' : 'Invalid request', error.cause.message);
  }
  if (error instanceof WorkflowNotFoundError) throw new HttpProblem(409, 'Case closed', 'the case is no longer open for actions');
  throw error;
}

export function repairOperations({ orm, temporal, config }: RouteDeps): Operation[] {
  const actionOps = REPAIR_ACTION_NAMES.map((name: RepairActionName) =>
    operation({
      method: 'post',
      path: `/repairs/:caseId/${name}`,
      operationId: `repair${name[0].toUpperCase()}${name.slice(1)}`,
      summary: REPAIR_ACTIONS[name].summary,
      tags: ['repairs'],
      roles: REPAIR_ACTIONS[name].roles,
      params: caseIdParam,
      body: REPAIR_ACTIONS[name].payload as z.ZodType<Record<string, unknown>>,
      responses: {
        200: { description: 'Accepted; the case as it is now', schema: caseViewSchema },
        404: { description: 'No such case' },
        409: { description: 'The case does not allow this action now; the detail says why' },
      },
      handler: async ({ params, body, staff }) => {
        const actor = actorFor(staff, REPAIR_ACTIONS[name].roles);
        const row = await orm.em.fork().findOne(Case, { id: params.caseId, kind: 'repair', propertyId: staff.propertyId });
        if (!row) throw new HttpProblem(404, 'Not found', `no repair ${params.caseId}`);
        if (row.closedAt) throw new HttpProblem(409, 'Case closed', `repair ${params.caseId} is ${row.status}; it takes no more actions`);
        const handle = temporal.workflow.getHandle(row.workflowId);
        const view = (await handle
          .executeUpdate(repairMessages.updates[name] as never, { args: [{ actor, payload: body }] as never })
          .catch(updateProblem)) as CaseView;
        return { status: 200, body: { ...view, source: 'workflow' } };
      },
    }),
  );

  return [
    operation({
      method: 'post',
      path: '/repairs',
      operationId: 'createRepair',
      summary: 'Record a repair request (报修) and start its case',
      description: 'I2 fields and the R1 classification. The case number is allocated here; the workflow then dispatches it (R2).',
      tags: ['repairs'],
      roles: INTAKE_ROLES,
      body: repairIntakeSchema,
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
      responses: {
        201: { description: 'The case is open', schema: createdSchema },
        422: { description: 'Unknown room or area, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const property = await em.findOneOrFail(Property, { id: staff.propertyId });
        const where = await locate(em, staff.propertyId, body.room, body.areaId);
        if (body.appointmentAt && new Date(body.appointmentAt).getTime() <= Date.now()) {
          throw new HttpProblem(422, 'Impossible appointment', 'the appointment time is in the past', {
            'invalid-params': [{ name: 'appointmentAt', in: 'body', reason: 'must be in the future' }],
          });
        }
        const receivedAt = new Date();
        return withIdempotency(
          em,
          { staffId: staff.id, key: idempotencyKeyOf(req.get('idempotency-key')), body },
          (tx) => allocateCaseNumber(tx, 'R', receivedAt, property.timeZone),
          async (caseId) => {
            const workflowId = repairWorkflowId(caseId);
            await temporal.workflow.start<typeof repair>('repair', {
              taskQueue: config.TEMPORAL_TASK_QUEUE,
              workflowId,
              // A retried create finds the case it already opened instead of failing or opening a second.
              workflowIdConflictPolicy: 'USE_EXISTING',
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              args: [
                {
                  caseId,
                  propertyId: staff.propertyId,
                  areaId: where.areaId,
                  householdId: where.householdId,
                  room: where.room,
                  intake: body,
                  receivedAt: receivedAt.toISOString(),
                  receivedBy: actorFor(staff, INTAKE_ROLES),
                },
              ],
              typedSearchAttributes: [
                { key: CaseType, value: 'repair' },
                { key: CaseStatus, value: 'received' },
                { key: Severity, value: body.classification },
                { key: AreaId, value: where.areaId },
              ],
              staticSummary: `报修 ${caseId} · ${where.room ? `room ${where.room}` : `public area ${where.areaId}`} · ${body.classification}`,
            });
            return {
              status: 201,
              body: { caseId, workflowId, status: 'received', links: { self: `/api/v1/repairs/${caseId}` } },
              headers: { Location: `/api/v1/repairs/${caseId}` },
            };
          },
        );
      },
    }),

    operation({
      method: 'get',
      path: '/repairs/:caseId',
      operationId: 'getRepair',
      summary: 'A repair case as it is now: status, deadlines, allowed actions, recent audit entries',
      tags: ['repairs'],
      roles: READ_ROLES,
      params: caseIdParam,
      responses: { 200: { description: 'The case', schema: caseViewSchema }, 404: { description: 'No such case' } },
      handler: async ({ params, staff }) => {
        const workflowId = repairWorkflowId(params.caseId);
        const row = await orm.em.fork().findOne(Case, { id: params.caseId, kind: 'repair' });
        if (row && row.propertyId !== staff.propertyId) throw new HttpProblem(404, 'Not found', `no repair ${params.caseId}`);
        try {
          const view = await temporal.workflow.getHandle(workflowId).query(caseViewQuery);
          return { status: 200, body: { ...view, source: 'workflow' } };
        } catch (error) {
          // Closed cases outlive Temporal's retention: Postgres keeps them.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          if (!row) throw new HttpProblem(404, 'Not found', `no repair ${params.caseId}`);
          return { status: 200, body: fromReadModel(row) };
        }
      },
    }),

    operation({
      method: 'get',
      path: '/repairs',
      operationId: 'listRepairs',
      summary: 'Repairs from the read model, newest first, with filters and cursor pagination',
      tags: ['repairs'],
      roles: READ_ROLES,
      query: listQuery,
      responses: {
        200: { description: 'One page', schema: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }) },
      },
      handler: async ({ query, staff }) => {
        const em = orm.em.fork();
        const where: Record<string, unknown> = { kind: 'repair', propertyId: staff.propertyId };
        if (query.status) where.status = query.status;
        if (query.classification) where.severity = query.classification;
        if (query.areaId) where.areaId = query.areaId;
        if (query.assigneeId) where.assigneeId = query.assigneeId;
        if (query.overdue === 'true') Object.assign(where, { dueAt: { $lt: new Date() }, closedAt: null });
        if (query.overdue === 'false') where.$or = [{ dueAt: null }, { dueAt: { $gte: new Date() } }];
        if (query.cursor) {
          const [at, id] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('|');
          const cursorAt = new Date(at);
          if (!id || Number.isNaN(cursorAt.getTime())) {
            throw new HttpProblem(400, 'Invalid request', 'the cursor is not one this API gave out', {
              'invalid-params': [{ name: 'cursor', in: 'query', reason: 'unknown cursor' }],
            });
          }
          where.$and = [{ $or: [{ receivedAt: { $lt: cursorAt } }, { receivedAt: cursorAt, id: { $lt: id } }] }];
        }
        const rows = await em.find(Case, where, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: query.limit + 1 });
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        return {
          status: 200,
          body: {
            items: page.map((c) => ({
              caseId: c.id,
              status: c.status,
              classification: c.severity ?? null,
              areaId: c.areaId,
              room: c.room ?? null,
              assigneeId: c.assigneeId ?? null,
              dueAt: c.dueAt?.toISOString() ?? null,
              slaState: c.slaState,
              escalated: c.escalated,
              receivedAt: c.receivedAt.toISOString(),
            })),
            nextCursor: rows.length > query.limit && last ? Buffer.from(`${last.receivedAt.toISOString()}|${last.id}`).toString('base64url') : null,
          },
        };
      },
    }),
    ...actionOps,
  ];
}
