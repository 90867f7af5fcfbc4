/**
 * The lighter requests: inquiries, suggestions, help and praise (I3), special services (O2) and
 * patrol findings (O1). Each create opens its case's workflow through `openCase` (idempotency, case
 * number, workflow start); the view and staff actions are the shared `caseRoutes`.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { Area, Property } from '../../db/entities';
import { PATROL_DEPARTMENTS, PATROL_STATUSES, patrolFindingSchema, REQUEST_KINDS, REQUEST_STATUSES, requestIntakeSchema, SERVICE_PROVIDERS, SPECIAL_SERVICE_STATUSES, specialServiceIntakeSchema } from '../../domain/requests';
import type { patrolFinding } from '../../workflows/patrol-finding';
import { PATROL_ACTIONS, patrolMessages, REQUEST_ACTIONS, requestMessages, SPECIAL_SERVICE_ACTIONS, specialServiceMessages } from '../../workflows/request-messages';
import { AreaId, CaseStatus, CaseType, Severity } from '../../workflows/search-attributes';
import type { Role } from '../../domain/people';
import { actorFor } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf } from '../idempotency';
import { casePage, cursorParam, listedAreas } from '../paging';
import { HttpProblem } from '../problem';
import { visibleAreaIds } from '../scope';
import { inTheFuture, openCase, openIntakeCase } from '../start-case';
import { caseRoutes } from './case-actions';
import type { RouteDeps } from './repairs';
import { workflowIds } from '../../domain/workflow-ids';

/** I1: any staff member who receives a request records it for the service centre (channel `staff`). */

const REQUEST_LABELS: Record<string, string> = { inquiry: '问询', suggestion: '建议', help: '求助', praise: '表扬' };

const caseNumber = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}\\d{8}-\\d{4,}$`), `must be ${what} number like ${prefix}20261122-0007`);

const createdSchema = z.object({ caseId: z.string(), workflowId: z.string(), status: z.string(), links: z.object({ self: z.string() }) });



const listItem = z.object({
  caseId: z.string(),
  kind: z.string().describe('inquiry/suggestion/help/praise; internal/external; cleaning/greening/engineering'),
  status: z.string(),
  areaId: z.string(),
  room: z.string().nullable(),
  dueAt: z.string().nullable(),
  slaState: z.string(),
  escalated: z.boolean(),
  receivedAt: z.string(),
  closedAt: z.string().nullable(),
});

/** A list of one case kind from the read model, newest first; a butler's holds their areas only. */
function listOperation(
  { orm }: RouteDeps,
  o: { path: string; operationId: string; summary: string; tag: string; caseKind: string; roles: readonly Role[]; kinds: readonly string[]; statuses: readonly string[] },
): Operation {
  const query = z
    .object({
      kind: z.enum(o.kinds as [string, ...string[]]).optional(),
      status: z.enum(o.statuses as [string, ...string[]]).optional(),
      areaId: z.string().max(32).optional(),
      open: z.enum(['true', 'false']).optional().describe('only open (true) or closed (false) cases'),
      limit: z.coerce.number().int().min(1).max(100).default(25),
      cursor: cursorParam,
    })
    .strict();
  return operation({
    method: 'get',
    path: o.path,
    operationId: o.operationId,
    summary: o.summary,
    tags: [o.tag],
    roles: o.roles,
    query,
    responses: { 200: { description: 'One page', schema: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }) } },
    handler: async ({ query: q, staff }) => {
      const areaIds = listedAreas(q.areaId, await visibleAreaIds(orm, staff));
      const filter = { kind: o.caseKind, propertyId: staff.propertyId, severity: q.kind, status: q.status, open: q.open, areaIds };
      return { status: 200, body: await casePage(orm, filter, q, listItem) };
    },
  });
}

export function requestOperations(deps: RouteDeps): Operation[] {
  const { orm, temporal, config } = deps;
  return [
    listOperation(deps, {
      path: '/requests',
      operationId: 'listRequests',
      summary: 'Inquiries, suggestions, help requests and praise from the read model, newest first, with filters and cursor pagination',
      tag: 'requests',
      caseKind: 'request',
      roles: ACCESS.requests.read,
      kinds: REQUEST_KINDS,
      statuses: REQUEST_STATUSES,
    }),
    listOperation(deps, {
      path: '/special-services',
      operationId: 'listSpecialServices',
      summary: 'Special services from the read model, newest first, with filters and cursor pagination',
      tag: 'special services',
      caseKind: 'special_service',
      roles: ACCESS.requests.read,
      kinds: SERVICE_PROVIDERS,
      statuses: ['received', ...SPECIAL_SERVICE_STATUSES],
    }),
    listOperation(deps, {
      path: '/patrol-findings',
      operationId: 'listPatrolFindings',
      summary: 'Patrol findings and their rectification notices from the read model, newest first, with filters and cursor pagination',
      tag: 'patrol findings',
      caseKind: 'patrol_finding',
      roles: ACCESS.patrolFindings.read,
      kinds: PATROL_DEPARTMENTS,
      statuses: PATROL_STATUSES,
    }),
    operation({
      method: 'post',
      path: '/requests',
      operationId: 'createRequest',
      summary: 'Record an inquiry, suggestion, help request or praise (问询/建议/求助/表扬) and start its case',
      description:
        'I1/I2/I3: any staff member records what a customer asked, through any channel. Give `answer` when it was answered on the spot (the case closes at once); otherwise the reply is due at `replyBy` (or the policy default) and escalates to the supervisor when missed.',
      tags: ['requests'],
      roles: ACCESS.requests.create,
      body: requestIntakeSchema(),
      bodyExample: { kind: 'inquiry', room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', content: '物业费可以用微信缴纳吗？', answer: '可以，在公众号缴费' },
      idempotent: true,
      opensCase: true,
      responses: {
        201: { description: 'The request is recorded', schema: createdSchema },
        422: { description: 'Unknown room, an impossible time, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        inTheFuture('replyBy', body.replyBy);
        return openIntakeCase(
          { orm, temporal, config },
          {
            staff,
            idempotencyKeyHeader: req.get('idempotency-key'),
            body,
            roles: ACCESS.requests.create,
            prefix: 'Q',
            workflowType: 'serviceRequest',
            basePath: '/requests',
            workflowId: workflowIds.request,
            caseType: 'request',
            status: 'awaiting_reply',
            severity: body.kind,
            summary: (caseId, where) => `${REQUEST_LABELS[body.kind]} ${caseId} · room ${where.room} · ${body.kind}`,
          },
        );
      },
    }),
    ...caseRoutes({
      orm,
      temporal,
      kind: 'request',
      basePath: '/requests',
      name: 'request',
      tag: 'requests',
      caseId: caseNumber('Q', 'a request'),
      table: REQUEST_ACTIONS,
      messages: requestMessages,
      readRoles: ACCESS.requests.read,
      areaScoped: true,
    }),

    operation({
      method: 'post',
      path: '/special-services',
      operationId: 'createSpecialService',
      summary: 'Record a special or personalised service (特约服务) and start its case',
      description:
        'O2: `internal` opens a work order (a repair case, dispatched to an engineer, its fee recorded at completion); `external` waits for a partner\'s confirmation, due to the customer by `requestedBy`.',
      tags: ['special services'],
      roles: ACCESS.specialServices.create,
      body: specialServiceIntakeSchema(),
      bodyExample: {
        room: '1-1-301',
        contactName: '王先生',
        contactPhone: '13800138000',
        channel: 'phone',
        description: '家中空调深度清洗',
        provider: 'external',
        partner: '洁净家政',
        requestedBy: '2099-01-01T10:00:00+08:00',
      },
      idempotent: true,
      opensCase: true,
      responses: {
        201: { description: 'The special service is recorded', schema: createdSchema },
        422: { description: 'Unknown room, a requested time in the past, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        inTheFuture('requestedBy', body.requestedBy);
        return openIntakeCase(
          { orm, temporal, config },
          {
            staff,
            idempotencyKeyHeader: req.get('idempotency-key'),
            body,
            roles: ACCESS.specialServices.create,
            prefix: 'T',
            workflowType: 'specialService',
            basePath: '/special-services',
            workflowId: workflowIds.specialService,
            caseType: 'special_service',
            status: 'received',
            severity: body.provider,
            summary: (caseId, where) => `特约服务 ${caseId} · room ${where.room} · ${body.provider}`,
          },
        );
      },
    }),
    ...caseRoutes({
      orm,
      temporal,
      kind: 'special_service',
      basePath: '/special-services',
      name: 'specialService',
      tag: 'special services',
      caseId: caseNumber('T', 'a special-service'),
      table: SPECIAL_SERVICE_ACTIONS,
      messages: specialServiceMessages,
      readRoles: ACCESS.requests.read,
      areaScoped: true,
    }),

    operation({
      method: 'post',
      path: '/patrol-findings',
      operationId: 'createPatrolFinding',
      summary: 'File a patrol finding (片区巡查); it becomes a rectification notice to cleaning, greening or engineering',
      description: 'O1: the notice has a deadline; rectification not started within 2 days (policy) escalates to the supervisor, as R7. A butler files findings of their own areas.',
      tags: ['patrol findings'],
      roles: ACCESS.patrolFindings.create,
      body: patrolFindingSchema(),
      bodyExample: { areaId: 'A1', location: '2号楼北侧绿地', description: '绿篱枯死一段，约5米', photoRef: 'patrol/2026/11/a1-0001.jpg', department: 'greening' },
      idempotent: true,
      opensCase: true,
      responses: {
        201: { description: 'The finding is filed and the notice sent', schema: createdSchema },
        422: { description: 'Unknown area or not one of the butler\'s areas, a deadline in the past, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const property = await em.findOneOrFail(Property, { id: staff.propertyId });
        const area = await em.findOne(Area, { id: body.areaId, property: staff.propertyId });
        const areas = await visibleAreaIds(orm, staff);
        if (!area || (areas && !areas.includes(area.id))) {
          throw new HttpProblem(422, 'Unknown area', `area ${body.areaId} is not one you patrol in this property`, {
            'invalid-params': [{ name: 'areaId', in: 'body', reason: 'no such area among yours' }],
          });
        }
        inTheFuture('rectifyBy', body.rectifyBy);
        const foundAt = new Date();
        return openCase<typeof patrolFinding>(
          { em, temporal, config },
          { staffId: staff.id, idempotencyKey: idempotencyKeyOf(req.get('idempotency-key')), body, prefix: 'P', at: foundAt, timeZone: property.timeZone },
          'patrolFinding',
          (caseId) => ({
            self: `/api/v1/patrol-findings/${caseId}`,
            workflowId: workflowIds.patrolFinding(caseId),
            args: [{ caseId, propertyId: staff.propertyId, finding: body, foundAt: foundAt.toISOString(), foundBy: actorFor(staff, ACCESS.patrolFindings.create) }],
            typedSearchAttributes: [
              { key: CaseType, value: 'patrol_finding' },
              { key: CaseStatus, value: 'notified' },
              { key: Severity, value: body.department },
              { key: AreaId, value: area.id },
            ],
            staticSummary: `整改通知 ${caseId} · area ${area.id} · ${body.department}`,
          }),
        );
      },
    }),
    ...caseRoutes({
      orm,
      temporal,
      kind: 'patrol_finding',
      basePath: '/patrol-findings',
      name: 'patrolFinding',
      tag: 'patrol findings',
      caseId: caseNumber('P', 'a patrol-finding'),
      table: PATROL_ACTIONS,
      messages: patrolMessages,
      readRoles: ACCESS.patrolFindings.read,
      areaScoped: true,
    }),
  ];
}
