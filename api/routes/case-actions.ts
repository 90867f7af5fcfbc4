/**
 * Routes every case kind shares: one POST per staff action of its table (an update whose
 * validator answers at once), and the case view (live from the workflow, else from Postgres).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Case, type ICase } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { seesOnlyOwnOrders, type Role } from '../../domain/people';
import { caseViewQuery, type ActionTable, type CaseKind, type CaseMessages, type CaseView } from '../../workflows/messages';
import { actorFor, type StaffPrincipal } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf } from '../idempotency';
import { HttpProblem } from '../problem';
import { refusalProblem } from '../refusal-words';
import { visibleAreaIds } from '../scope';

const deadlineSchema = z.object({
  name: z.string(),
  rule: z.string(),
  dueAt: z.string(),
  state: z.enum(['pending', 'met', 'missed', 'cancelled']),
  warned: z.boolean(),
});

export const caseViewSchema = z.object({
  caseId: z.string(),
  workflowId: z.string(),
  kind: z.string(),
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
  notes: z.array(z.string()).optional().describe('how the case counts its time, e.g. "working days assumed Mon–Fri: national calendar for 2027 not loaded"'),
  source: z.enum(['workflow', 'read-model']).describe('workflow: live state; read-model: a case Temporal no longer retains'),
});

export interface CaseRoutesOptions<T extends ActionTable> {
  orm: Orm;
  temporal: Client;
  kind: CaseKind;
  /** e.g. `/repairs`; the id parameter is `:caseId`. */
  basePath: string;
  /** operationId prefix, e.g. `repair` → `repairAccept`, `getRepair`. */
  name: string;
  tag: string;
  caseId: z.ZodType<string>;
  table: T;
  messages: CaseMessages<T>;
  readRoles: readonly Role[];
  /** A butler sees (and acts on) only the cases of their areas; for others they do not exist (404). */
  areaScoped?: boolean;
  /** An engineer sees (and acts on) only the orders assigned to them; for them others do not exist (404). */
  assigneeScoped?: boolean;
  /** Whether this staff member may know the case exists at all (C2 confidentiality); otherwise 404, not 403. */
  visible?: (row: ICase, staff: StaffPrincipal) => boolean;
}

function fromReadModel(c: ICase): z.infer<typeof caseViewSchema> {
  return {
    caseId: c.id,
    workflowId: c.workflowId,
    kind: c.kind,
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

/** Maps a rejected update to what staff need to hear: why the case would not take the action. */
function updateProblem(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const [status, title] = (
      {
        ActionNotAllowed: [409, 'Action not allowed'],
        Forbidden: [403, 'Forbidden'],
        NotAssignee: [403, 'Forbidden'],
        InvalidPayload: [400, 'Invalid request'],
        ImpossibleTime: [422, 'Impossible time'],
      } as Record<string, [number, string]>
    )[error.cause.type ?? ''] ?? [409, 'Action not allowed'];
    throw refusalProblem(status, title, error.cause);
  }
  if (error instanceof WorkflowNotFoundError) throw new HttpProblem(409, 'Case closed', { 'zh-CN': '案件已办结，不再接受操作。', en: 'the case is no longer open for actions' });
  throw error;
}

const capitalise = (s: string) => s[0].toUpperCase() + s.slice(1);

export function caseRoutes<T extends ActionTable>(o: CaseRoutesOptions<T>): Operation[] {
  const params = z.object({ caseId: o.caseId });
  const label = o.kind.replace('_', ' ');
  const findRow = async (caseId: string, staff: StaffPrincipal) => {
    const row = await o.orm.em.fork().findOne(Case, { id: caseId, kind: o.kind });
    if (!row || row.propertyId !== staff.propertyId || !(o.visible?.(row, staff) ?? true)) return null;
    if (o.assigneeScoped && seesOnlyOwnOrders(staff.roles) && row.assigneeId !== staff.id) return null;
    const areas = o.areaScoped ? await visibleAreaIds(o.orm, staff) : undefined;
    return !areas || areas.includes(row.areaId) ? row : null;
  };

  const actions = (Object.keys(o.table) as (keyof T & string)[]).map((name) =>
    operation({
      method: 'post',
      path: `${o.basePath}/:caseId/${name}`,
      operationId: `${o.name}${capitalise(name)}`,
      summary: o.table[name].summary,
      tags: [o.tag],
      roles: o.table[name].roles,
      params,
      idempotent:
        'Repeat an action safely (a phone that lost its answer, a busy 503): the same key sends the same action once — a repeat gets the first answer, the case as it was then.',
      body: o.table[name].payload() as z.ZodType<Record<string, unknown>>,
      responses: {
        200: { description: 'Accepted; the case as it is now', schema: caseViewSchema },
        404: { description: `No such ${label}` },
        409: { description: 'The case does not allow this action now; the detail says why' },
      },
      handler: async ({ params: p, body, staff, req }) => {
        const key = idempotencyKeyOf(req.get('Idempotency-Key'));
        const actor = actorFor(staff, o.table[name].roles);
        const row = await findRow(p.caseId, staff);
        if (!row) throw new HttpProblem(404, 'Not found', `no ${label} ${p.caseId}`);
        if (row.closedAt) throw new HttpProblem(409, 'Case closed', `${label} ${p.caseId} is ${row.status}; it takes no more actions`);
        const view = (await o.temporal.workflow
          .getHandle(row.workflowId)
          .executeUpdate(o.messages.updates[name] as never, {
            args: [{ actor, payload: body }] as never,
            // Temporal runs an update id once per workflow run: the same key is the same action.
            updateId: key ? `staff:${staff.id}:${name}:${key}` : randomUUID(),
          })
          .catch(updateProblem)) as CaseView;
        return { status: 200, body: { ...view, source: 'workflow' } };
      },
    }),
  );

  const view = operation({
    method: 'get',
    path: `${o.basePath}/:caseId`,
    operationId: `get${capitalise(o.name)}`,
    summary: `A ${label} as it is now: status, deadlines, allowed actions, recent audit entries`,
    tags: [o.tag],
    roles: o.readRoles,
    params,
    responses: { 200: { description: 'The case', schema: caseViewSchema }, 404: { description: `No such ${label}` } },
    handler: async ({ params: p, staff }) => {
      const row = await findRow(p.caseId, staff);
      if (!row) throw new HttpProblem(404, 'Not found', `no ${label} ${p.caseId}`);
      try {
        const live = await o.temporal.workflow.getHandle(row.workflowId).query(caseViewQuery);
        return { status: 200, body: { ...live, source: 'workflow' } };
      } catch (error) {
        // Closed cases outlive Temporal's retention: Postgres keeps them.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        return { status: 200, body: fromReadModel(row) };
      }
    },
  });

  return [view, ...actions];
}
