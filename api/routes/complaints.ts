import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Case, CaseEvent, type ICase } from '../../db/entities';
import {
  COMPLAINT_CATEGORIES,
  COMPLAINT_KINDS,
  COMPLAINT_ROUTING,
  COMPLAINT_SEVERITIES,
  COMPLAINT_STATUSES,
  complaintCaseIdPattern,
  complaintIntakeSchema,
  isConfidential,
  issueKeySchema,
  visibleKinds,
  type ComplaintKind,
} from '../../domain/complaint';
import type { Role } from '../../domain/people';
import type { complaint } from '../../workflows/complaint';
import type { complaintWarning } from '../../workflows/complaint-warning';
import { COMPLAINT_ACTIONS, complaintMessages } from '../../workflows/messages';
import { AreaId, CaseStatus, CaseType, Severity } from '../../workflows/search-attributes';
import { actorFor } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf } from '../idempotency';
import { casePage, cursorParam, listedAreas } from '../paging';
import { HttpProblem } from '../problem';
import { openCase } from '../start-case';
import { visibleAreaIds } from '../scope';
import { caseRoutes } from './case-actions';
import type { RouteDeps } from './repairs';
import { locate, receiptTime } from '../start-case';
import { workflowIds } from '../../domain/workflow-ids';

/** Anyone who takes complaints in (I1); hr and audit take in the kinds that are theirs (C2). */

const warningView = z.object({
  caseId: z.string(),
  areaId: z.string(),
  room: z.string().nullable(),
  issueKey: z.string().nullable(),
  cause: z.string(),
  actions: z.string(),
  wording: z.string(),
  reportedAt: z.string(),
  reportedBy: z.string(),
  /** Customer complaints filed on the same issue since (C4 links them by issue key). */
  complaintsSince: z.array(z.string()),
});

/** A pre-warning as staff read it: its record, and the customer complaints on its issue since. */
async function warningOf(em: EntityManager, row: ICase): Promise<z.infer<typeof warningView>> {
  const recorded = await em.findOne(CaseEvent, { caseId: row.id, seq: 0 });
  const details = (recorded?.payload ?? {}) as { cause?: string; actions?: string; wording?: string };
  const followers = row.issueKey
    ? await em.find(
        Case,
        { kind: 'complaint', propertyId: row.propertyId, issueKey: row.issueKey, complaintKind: 'customer', receivedAt: { $gte: row.receivedAt } },
        { orderBy: { receivedAt: 'asc' }, fields: ['id'] },
      )
    : [];
  return {
    caseId: row.id,
    areaId: row.areaId,
    room: row.room ?? null,
    issueKey: row.issueKey ?? null,
    cause: details.cause ?? row.description,
    actions: details.actions ?? '',
    wording: details.wording ?? '',
    reportedAt: row.receivedAt.toISOString(),
    reportedBy: row.receivedBy,
    complaintsSince: followers.map((c) => c.id),
  };
}



const complaintCaseId = z.string().regex(complaintCaseIdPattern, 'must be a complaint case number like C20261122-0003');
const createdSchema = z.object({ caseId: z.string(), workflowId: z.string(), status: z.string(), links: z.object({ self: z.string() }) });

const listQuery = z
  .object({
    kind: z.enum(COMPLAINT_KINDS).optional(),
    severity: z.enum([...COMPLAINT_SEVERITIES, 'unclassified']).optional(),
    category: z.enum(COMPLAINT_CATEGORIES).optional(),
    status: z.enum(COMPLAINT_STATUSES).optional(),
    areaId: z.string().max(32).optional(),
    assigneeId: z.string().max(32).optional(),
    issueKey: issueKeySchema().optional(),
    overdue: z.enum(['true', 'false']).optional().describe('only complaints past their next deadline (true) or not (false)'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: cursorParam,
  })
  .strict();

const listItem = z.object({
  caseId: z.string(),
  kind: z.string(),
  status: z.string(),
  severity: z.string().nullable(),
  category: z.string().nullable(),
  issueKey: z.string().nullable(),
  areaId: z.string(),
  room: z.string().nullable(),
  assigneeId: z.string().nullable(),
  dueAt: z.string().nullable(),
  slaState: z.string(),
  escalated: z.boolean(),
  receivedAt: z.string(),
});

const warningBody = z
  .object({
    room: z.string().trim().min(1).max(32).optional(),
    areaId: z.string().trim().min(1).max(32).optional(),
    cause: z.string().trim().min(2).max(2000),
    actions: z.string().trim().min(2).max(2000).describe('what the site has done'),
    wording: z.string().trim().min(2).max(2000).describe('the agreed wording (统一口径) for answering residents'),
    issueKey: issueKeySchema().optional(),
  })
  .strict()
  .refine((v) => v.room || v.areaId, { path: ['areaId'], message: 'give the area (or a room) the warning is about' });

const kindsFor = (roles: readonly Role[]): ComplaintKind[] => visibleKinds(roles);

/** Complaints (投诉, docs/rules.md §3): intake, lists, the case view and every staff action. */
export function complaintOperations({ orm, temporal, config }: RouteDeps): Operation[] {
  return [
    operation({
      method: 'post',
      path: '/complaints',
      operationId: 'createComplaint',
      summary: 'Record a complaint (投诉) from any channel and start its case',
      description:
        'I1/I2 fields, the kind (C2: employee complaints go to hr, reports to audit, and no one else sees them), and the C4 flags that make it major at once.',
      tags: ['complaints'],
      roles: ACCESS.complaints.create,
      body: complaintIntakeSchema(),
      bodyExample: {
        room: '1-1-301',
        contactName: '王先生',
        contactPhone: '13800138000',
        channel: 'phone',
        description: '3 号楼电梯本周第三次故障停运',
        severity: 'important',
        category: 'engineering',
      },
      idempotent: true,
      opensCase: true,
      responses: {
        201: { description: 'The complaint is open', schema: createdSchema },
        422: { description: 'Unknown room or area, an impossible receipt time, a kind the caller does not take in (hr: employee, audit: report), or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const where = await locate(em, staff.propertyId, body.room, body.areaId);
        const receivedAt = receiptTime(body.receivedAt, body.lateEntryReason, where.lateEntry);
        // hr and audit record only their own kinds; the service centre records customer complaints and passes the others on.
        if (!staff.roles.some((r) => ['frontdesk', 'butler', 'callcenter', 'supervisor', 'manager'].includes(r)) && !kindsFor(staff.roles).includes(body.kind)) {
          throw new HttpProblem(422, 'Wrong kind', `a ${body.kind} complaint is taken in by ${COMPLAINT_ROUTING[body.kind].handlers.join(', ')} or the service centre`);
        }
        const confidential = isConfidential(body.kind);
        return openCase<typeof complaint>(
          { em, temporal, config },
          { staffId: staff.id, idempotencyKey: idempotencyKeyOf(req.get('idempotency-key')), body, prefix: 'C', at: receivedAt, timeZone: where.timeZone },
          'complaint',
          (caseId) => ({
            self: `/api/v1/complaints/${caseId}`,
            workflowId: workflowIds.complaint(caseId, body.kind),
            args: [
              {
                caseId,
                propertyId: staff.propertyId,
                areaId: where.areaId,
                householdId: body.anonymous ? undefined : where.householdId,
                room: where.room,
                contactName: body.contactName,
                contactPhone: body.contactPhone,
                channel: body.channel,
                description: body.description,
                severity: body.severity,
                category: body.category,
                kind: body.kind,
                anonymous: body.anonymous,
                lawsuitOrMediaRisk: body.lawsuitOrMediaRisk,
                seriousLossOrInjury: body.seriousLossOrInjury,
                lateEntryReason: body.lateEntryReason,
                complainants: body.complainants,
                receivedAt: receivedAt.toISOString(),
                receivedBy: actorFor(staff, ACCESS.complaints.create),
              },
            ],
            typedSearchAttributes: [
              { key: CaseType, value: 'complaint' },
              { key: CaseStatus, value: 'received' },
              { key: Severity, value: body.severity ?? 'unclassified' },
              { key: AreaId, value: where.areaId },
            ],
            // No names, rooms or contents of a confidential complaint in the Temporal UI (docs/architecture.md §3).
            staticSummary: confidential ? `投诉 ${caseId} · confidential` : `投诉 ${caseId} · ${where.room ? `room ${where.room}` : `area ${where.areaId}`}`,
          }),
        );
      },
    }),

    operation({
      method: 'get',
      path: '/complaints',
      operationId: 'listComplaints',
      summary: 'Complaints from the read model, newest first, with filters and cursor pagination; only the kinds the caller may see (C2)',
      tags: ['complaints'],
      roles: ACCESS.complaints.read,
      query: listQuery,
      responses: {
        200: { description: 'One page', schema: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }) },
      },
      handler: async ({ query, staff }) => {
        const complaintKinds = kindsFor(staff.roles).filter((k) => !query.kind || k === query.kind);
        const areaIds = listedAreas(query.areaId, await visibleAreaIds(orm, staff));
        const filter = {
          kind: 'complaint',
          propertyId: staff.propertyId,
          complaintKinds,
          severity: query.severity,
          category: query.category,
          status: query.status,
          areaIds,
          assigneeId: query.assigneeId,
          issueKey: query.issueKey,
          overdue: query.overdue,
        };
        return { status: 200, body: await casePage(orm, filter, query, listItem) };
      },
    }),

    operation({
      method: 'post',
      path: '/complaint-warnings',
      operationId: 'createComplaintWarning',
      summary: 'C10: a complaint pre-warning (投诉预警) — a likely group complaint, its cause, the actions taken and the agreed wording',
      tags: ['complaints'],
      roles: ACCESS.complaints.warn,
      body: warningBody,
      idempotent: true,
      opensCase: true,
      responses: { 201: { description: 'Recorded; the supervisor and manager are told', schema: createdSchema }, 422: { description: 'Unknown room or area' } },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const where = await locate(em, staff.propertyId, body.room, body.room ? undefined : body.areaId);
        const reportedAt = new Date();
        return openCase<typeof complaintWarning>(
          { em, temporal, config },
          { staffId: staff.id, idempotencyKey: idempotencyKeyOf(req.get('idempotency-key')), body, prefix: 'W', at: reportedAt, timeZone: where.timeZone },
          'complaintWarning',
          (caseId) => ({
            self: `/api/v1/complaint-warnings/${caseId}`,
            status: 'recorded',
            workflowId: workflowIds.complaintWarning(caseId),
            awaitOpening: false,
            args: [
              {
                caseId,
                propertyId: staff.propertyId,
                areaId: where.areaId,
                room: where.room,
                cause: body.cause,
                actions: body.actions,
                wording: body.wording,
                issueKey: body.issueKey,
                reportedAt: reportedAt.toISOString(),
                reportedBy: actorFor(staff, ACCESS.complaints.warn),
              },
            ],
            staticSummary: `投诉预警 ${caseId} · area ${where.areaId}`,
          }),
        );
      },
    }),

    operation({
      method: 'get',
      path: '/complaint-warnings/:caseId',
      operationId: 'getComplaintWarning',
      summary: 'C10: a complaint pre-warning with its cause, actions and agreed wording, and the complaints filed on its issue since',
      tags: ['complaints'],
      roles: ACCESS.complaints.read,
      params: z.object({ caseId: z.string().regex(/^W\d{8}-\d{4,}$/, 'must be a pre-warning number like W20261122-0001') }),
      responses: { 200: { description: 'The pre-warning', schema: warningView }, 404: { description: 'No such pre-warning' } },
      handler: async ({ params, staff }) => {
        const em = orm.em.fork();
        const row = await em.findOne(Case, { id: params.caseId, kind: 'complaint_warning', propertyId: staff.propertyId });
        if (!row) throw new HttpProblem(404, 'Not found', `no pre-warning ${params.caseId}`);
        return { status: 200, body: await warningOf(em, row) };
      },
    }),

    operation({
      method: 'get',
      path: '/complaint-warnings',
      operationId: 'listComplaintWarnings',
      summary: 'C10: the pre-warnings of the property, newest first',
      tags: ['complaints'],
      roles: ACCESS.complaints.read,
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(25) }).strict(),
      responses: { 200: { description: 'The newest pre-warnings', schema: z.object({ items: z.array(warningView) }) } },
      handler: async ({ query, staff }) => {
        const em = orm.em.fork();
        const rows = await em.find(Case, { kind: 'complaint_warning', propertyId: staff.propertyId }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: query.limit });
        return { status: 200, body: { items: await Promise.all(rows.map((row) => warningOf(em, row))) } };
      },
    }),

    ...caseRoutes({
      orm,
      temporal,
      kind: 'complaint',
      basePath: '/complaints',
      name: 'complaint',
      tag: 'complaints',
      caseId: complaintCaseId,
      table: COMPLAINT_ACTIONS,
      messages: complaintMessages,
      readRoles: ACCESS.complaints.read,
      areaScoped: true,
      // C2: an employee complaint or report does not exist for anyone but hr or audit (404, not 403).
      visible: (row, staff) => kindsFor(staff.roles).includes((row.complaintKind ?? 'customer') as ComplaintKind),
    }),
  ];
}
