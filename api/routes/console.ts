/**
 * What the console needs beyond the case operations (docs/console.md): the engineer's work orders
 * with their photos and the customer's signature, the front desk's open cases at a room, the
 * supervisor's at-risk board and a case's SLA timeline. Each reads Postgres (never Temporal
 * visibility); a work order's live deadlines come from its workflow's `caseView` query.
 */
import { ACCESS } from '../../domain/access';
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { CaseAttachment, CaseFeedback, type ICase } from '../../db/entities';
import { Case } from '../../db/entities';
import { seesOnlyOwnAreas, seesOnlyOwnOrders } from '../../domain/people';
import { slaTimeline, type TimelineEvent, type TimelineNotice } from '../../domain/sla-timeline';
import { caseViewQuery } from '../../workflows/messages';
import { ATTACHMENT_KINDS, attachmentStoreFor, PHOTO_LIMIT, PHOTO_MEDIA_TYPES, prepareImage, SIGNATURE_LIMIT, SIGNATURE_MEDIA_TYPES, storageKeyOf, type AttachmentKind, type AttachmentStore } from '../attachments';
import type { StaffPrincipal } from '../auth';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import { visibleAreaIds } from '../scope';
import { caseViewSchema } from './case-actions';
import type { RouteDeps } from './repairs';


const caseIdParam = z.string().regex(/^[A-Z]+[0-9-]*[0-9]$/, 'a case number like R20261122-0007').max(32);
const repairCaseId = z.string().regex(/^R\d{8}-\d{4,}$/, 'must be a repair case number like R20261122-0007');

const attachmentSchema = z.object({
  id: z.string(),
  kind: z.enum(ATTACHMENT_KINDS),
  mediaType: z.string(),
  bytes: z.number(),
  width: z.number(),
  height: z.number(),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
  url: z.string().describe('GET it with the same credentials'),
});

const orderListItem = z.object({
  caseId: z.string(),
  status: z.string(),
  classification: z.string().nullable(),
  room: z.string().nullable(),
  areaId: z.string(),
  description: z.string(),
  dueAt: z.string().nullable().describe('the next deadline; for a new order, the time to accept by'),
  slaState: z.string(),
  receivedAt: z.string(),
});

const workOrderSchema = z.object({
  case: caseViewSchema,
  description: z.string(),
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  attachments: z.array(attachmentSchema),
  residentFeedback: z.object({ satisfied: z.boolean(), comment: z.string().nullable(), answeredAt: z.string() }).nullable(),
});

const boardItem = z.object({
  caseId: z.string(),
  kind: z.string(),
  status: z.string(),
  severity: z.string().nullable(),
  areaId: z.string(),
  room: z.string().nullable(),
  assigneeId: z.string().nullable(),
  slaState: z.enum(['warning', 'breached']),
  escalated: z.boolean(),
  rule: z.string().nullable().describe('the rule of the deadline that put the case at risk (its last warning or miss)'),
  deadline: z.string().nullable(),
  deadlineDueAt: z.string().nullable(),
  nextDueAt: z.string().nullable(),
  receivedAt: z.string(),
});

const clockSchema = z.object({
  name: z.string(),
  rule: z.string(),
  startedAt: z.string().nullable(),
  dueAt: z.string(),
  warnedAt: z.string().nullable(),
  warned: z.array(z.object({ staffId: z.string(), status: z.string() })),
  outcome: z.enum(['pending', 'met', 'missed', 'moved', 'paused']),
  outcomeAt: z.string().nullable(),
  ownerId: z.string().nullable(),
  pauses: z.array(z.object({ at: z.string(), reason: z.string(), resumedAt: z.string().nullable() })),
  escalations: z.array(
    z.object({ at: z.string(), rule: z.string(), to: z.array(z.string()), reason: z.string(), told: z.array(z.object({ staffId: z.string(), status: z.string(), sentAt: z.string().nullable() })) }),
  ),
});

const timelineSchema = z.object({
  caseId: z.string(),
  kind: z.string(),
  status: z.string(),
  areaId: z.string(),
  assigneeId: z.string().nullable(),
  slaState: z.string(),
  workflowId: z.string(),
  temporalUiUrl: z.string().nullable().describe("the case's workflow in the Temporal UI, when TEMPORAL_UI_URL is set"),
  clocks: z.array(clockSchema),
  events: z.array(z.object({ seq: z.number(), action: z.string(), actorId: z.string(), actorRole: z.string(), at: z.string() })),
});

const iso = (platform: { parseDate(v: string): unknown }, v: string | Date | null) => (v === null ? null : v instanceof Date ? v.toISOString() : (platform.parseDate(v) as Date).toISOString());

export interface ConsoleRouteDeps extends RouteDeps {
  attachments?: AttachmentStore;
}

export function consoleOperations(deps: ConsoleRouteDeps): Operation[] {
  const { orm, temporal, config } = deps;
  let store = deps.attachments;
  const attachments = () => (store ??= attachmentStoreFor(config));

  /** The case as this staff member may open it: a butler's areas, an engineer's own orders; otherwise 404. */
  const openable = async (caseId: string, staff: StaffPrincipal, kind?: string): Promise<ICase> => {
    const row = await orm.em.fork().findOne(Case, { id: caseId, ...(kind ? { kind } : {}) });
    const areas = row && seesOnlyOwnAreas(staff.roles) ? await visibleAreaIds(orm, staff) : undefined;
    if (
      !row ||
      row.propertyId !== staff.propertyId ||
      (areas && !areas.includes(row.areaId)) ||
      (seesOnlyOwnOrders(staff.roles) && row.assigneeId !== staff.id) ||
      // Complaints of hr and audit (C2) are not for the console's general readers.
      (row.complaintKind && row.complaintKind !== 'customer' && !staff.roles.some((r) => r === 'hr' || r === 'audit'))
    ) {
      throw new HttpProblem(404, 'Not found', `no case ${caseId}`);
    }
    return row;
  };

  const attachmentView = (a: { id: string; kind: string; mediaType: string; bytes: number; width: number; height: number; uploadedBy: string; uploadedAt: Date; caseId: string }) => ({
    id: a.id,
    kind: a.kind as AttachmentKind,
    mediaType: a.mediaType,
    bytes: a.bytes,
    width: a.width,
    height: a.height,
    uploadedBy: a.uploadedBy,
    uploadedAt: a.uploadedAt.toISOString(),
    url: `/api/v1/repairs/${a.caseId}/attachments/${a.id}`,
  });

  /** Stores an upload after it decoded: the same file sent twice (a retry) is the first attachment. */
  const storeUpload = async (row: ICase, kind: AttachmentKind, upload: Buffer, staff: StaffPrincipal) => {
    if (row.closedAt) throw new HttpProblem(409, 'Case closed', `case ${row.id} is ${row.status}; it takes no more photos`);
    const image = await prepareImage(upload, kind);
    const em = orm.em.fork();
    const existing = await em.findOne(CaseAttachment, { caseId: row.id, kind, sha256: image.sha256 });
    if (existing) return { status: 200, body: attachmentView(existing) };
    const id = `att_${randomBytes(12).toString('base64url')}`;
    const key = storageKeyOf(row.id, id, image.mediaType);
    await attachments().put(key, image.bytes);
    const record = { id, caseId: row.id, kind, storageKey: key, mediaType: image.mediaType, bytes: image.bytes.length, width: image.width, height: image.height, sha256: image.sha256, uploadedBy: staff.id, uploadedAt: new Date() };
    try {
      await em.insert(CaseAttachment, record);
    } catch (error) {
      // The same upload raced itself (two retries at once): keep the first, remove these bytes.
      await attachments().delete(key);
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      return { status: 200, body: attachmentView(await em.findOneOrFail(CaseAttachment, { caseId: row.id, kind, sha256: image.sha256 })) };
    }
    return { status: 201, body: attachmentView(record) };
  };

  const params = z.object({ caseId: repairCaseId });

  return [
    operation({
      method: 'get',
      path: '/work-orders',
      operationId: 'listMyWorkOrders',
      summary: "The engineer's open work orders: new ones (to accept) first, each with its next deadline",
      tags: ['console'],
      roles: ACCESS.console.myWorkOrders,
      responses: { 200: { description: 'Open orders, new first, then by the next deadline', schema: z.object({ items: z.array(orderListItem) }) } },
      handler: async ({ staff }) => {
        const rows = await orm.em.fork().find(Case, { propertyId: staff.propertyId, kind: 'repair', assigneeId: staff.id, closedAt: null }, { orderBy: { dueAt: 'asc' }, limit: 200 });
        const rank = (s: string) => (s === 'dispatched' ? 0 : 1);
        const items = rows
          .sort((a, b) => rank(a.status) - rank(b.status) || (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity))
          .map((r) => ({
            caseId: r.id,
            status: r.status,
            classification: r.severity ?? null,
            room: r.room ?? null,
            areaId: r.areaId,
            description: r.description,
            dueAt: r.dueAt?.toISOString() ?? null,
            slaState: r.slaState,
            receivedAt: r.receivedAt.toISOString(),
          }));
        return { status: 200, body: { items } };
      },
    }),

    operation({
      method: 'get',
      path: '/work-orders/:caseId',
      operationId: 'getWorkOrder',
      summary: 'A repair work order as the engineer works it: the case, what was reported, whom to call, photos and signature',
      description: 'An engineer opens only the orders assigned to them (another engineer\'s is 404); a butler those of their areas.',
      tags: ['console'],
      roles: ACCESS.console.workOrder,
      params,
      responses: { 200: { description: 'The work order', schema: workOrderSchema }, 404: { description: 'No such order, or not yours' } },
      handler: async ({ params: p, staff }) => {
        const row = await openable(p.caseId, staff, 'repair');
        const em = orm.em.fork();
        const [files, feedback] = await Promise.all([em.find(CaseAttachment, { caseId: row.id }, { orderBy: { uploadedAt: 'asc' } }), em.findOne(CaseFeedback, { caseId: row.id })]);
        let view: z.infer<typeof caseViewSchema>;
        try {
          view = { ...(await temporal.workflow.getHandle(row.workflowId).query(caseViewQuery)), source: 'workflow' };
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          view = { caseId: row.id, workflowId: row.workflowId, kind: row.kind, status: row.status, severity: row.severity ?? '', areaId: row.areaId, room: row.room ?? undefined, assigneeId: row.assigneeId ?? undefined, slaState: row.slaState as 'ok', escalated: row.escalated, deadlines: [], allowedActions: [], recent: [], receivedAt: row.receivedAt.toISOString(), closedAt: row.closedAt?.toISOString(), source: 'read-model' };
        }
        return {
          status: 200,
          body: {
            case: view,
            description: row.description,
            contactName: row.contactName ?? null,
            contactPhone: row.contactPhone ?? null,
            attachments: files.map(attachmentView),
            residentFeedback: feedback ? { satisfied: feedback.satisfied, comment: feedback.comment ?? null, answeredAt: feedback.answeredAt.toISOString() } : null,
          },
        };
      },
    }),

    operation({
      method: 'post',
      path: '/repairs/:caseId/photos',
      operationId: 'uploadRepairPhoto',
      summary: 'A photo of the work, before or after (the file as the body)',
      description:
        'JPEG, PNG, WebP or HEIC up to 10 MB. The picture is decoded before anything is stored (a file that is not one is 422 and leaves nothing), then kept upright, without its metadata, as JPEG. The same file sent again is the same photo (200): retry freely.',
      tags: ['console'],
      roles: ACCESS.console.photos,
      params,
      query: z.object({ stage: z.enum(['before', 'after']) }).strict(),
      upload: { mediaTypes: PHOTO_MEDIA_TYPES, limit: PHOTO_LIMIT, description: 'The photo' },
      responses: {
        201: { description: 'Stored', schema: attachmentSchema },
        200: { description: 'This file was already stored (a retry)', schema: attachmentSchema },
        404: { description: 'No such order, or not yours' },
        409: { description: 'The case is closed' },
        422: { description: 'Not a picture; nothing was stored' },
      },
      handler: async ({ params: p, query, file, staff }) => storeUpload(await openable(p.caseId, staff, 'repair'), query.stage, file!.buffer, staff),
    }),

    operation({
      method: 'post',
      path: '/repairs/:caseId/signature',
      operationId: 'uploadRepairSignature',
      summary: "R8: the customer's signature at the sign-off (验收签字), drawn on the screen, as PNG",
      description: 'Stored with the case before the signOff action records the verdict. Up to 512 kB.',
      tags: ['console'],
      roles: ACCESS.console.signature,
      params,
      upload: { mediaTypes: SIGNATURE_MEDIA_TYPES, limit: SIGNATURE_LIMIT, description: 'The signature as a PNG' },
      responses: {
        201: { description: 'Stored', schema: attachmentSchema },
        200: { description: 'This signature was already stored (a retry)', schema: attachmentSchema },
        404: { description: 'No such order, or not yours' },
        409: { description: 'The case is closed' },
        422: { description: 'Not a PNG picture; nothing was stored' },
      },
      handler: async ({ params: p, file, staff }) => storeUpload(await openable(p.caseId, staff, 'repair'), 'signature', file!.buffer, staff),
    }),

    operation({
      method: 'get',
      path: '/repairs/:caseId/attachments/:attachmentId',
      operationId: 'getRepairAttachment',
      summary: 'A photo or the signature of a repair, as the image',
      tags: ['console'],
      roles: ACCESS.console.workOrder,
      params: z.object({ caseId: repairCaseId, attachmentId: z.string().regex(/^att_[A-Za-z0-9_-]{16}$/) }),
      responses: { 200: { description: 'The image', mediaType: 'image/jpeg' }, 404: { description: 'No such attachment, or not yours to see' } },
      handler: async ({ params: p, staff }) => {
        await openable(p.caseId, staff, 'repair');
        const found = await orm.em.fork().findOne(CaseAttachment, { id: p.attachmentId, caseId: p.caseId });
        if (!found) throw new HttpProblem(404, 'Not found', `no attachment ${p.attachmentId}`);
        return { status: 200, bytes: await attachments().get(found.storageKey), headers: { 'Content-Type': found.mediaType, 'Cache-Control': 'private, max-age=3600' } };
      },
    }),

    operation({
      method: 'get',
      path: '/open-cases',
      operationId: 'listOpenCasesAtRoom',
      summary: "A room's open cases of every kind, newest first — what the front desk checks before recording a new one",
      tags: ['console'],
      roles: ACCESS.console.openCases,
      query: z.object({ room: z.string().trim().min(1).max(32) }).strict(),
      responses: {
        200: {
          description: 'Open cases at the room',
          schema: z.object({ items: z.array(z.object({ caseId: z.string(), kind: z.string(), status: z.string(), severity: z.string().nullable(), receivedAt: z.string(), description: z.string() })) }),
        },
      },
      handler: async ({ query, staff }) => {
        const areas = await visibleAreaIds(orm, staff);
        const rows = await orm.em.fork().find(
          Case,
          { propertyId: staff.propertyId, room: query.room, closedAt: null, ...(areas ? { areaId: { $in: areas } } : {}), $or: [{ complaintKind: null }, { complaintKind: 'customer' }] },
          { orderBy: { receivedAt: 'desc' }, limit: 50 },
        );
        return { status: 200, body: { items: rows.map((r) => ({ caseId: r.id, kind: r.kind, status: r.status, severity: r.severity ?? null, receivedAt: r.receivedAt.toISOString(), description: r.description })) } };
      },
    }),

    operation({
      method: 'get',
      path: '/board/at-risk',
      operationId: 'getAtRiskBoard',
      summary: 'Every open case in warning or breach, with the rule that put it there, by area, assignee and rule',
      description: 'Read from Postgres (the read model and the audit log), never from Temporal visibility; the console polls it every few seconds.',
      tags: ['console'],
      roles: ACCESS.console.board,
      query: z.object({ areaId: z.string().max(32).optional() }).strict(),
      responses: {
        200: {
          description: 'The board',
          schema: z.object({
            generatedAt: z.string(),
            items: z.array(boardItem),
            counts: z.object({ byArea: z.record(z.string(), z.number()), byAssignee: z.record(z.string(), z.number()), byRule: z.record(z.string(), z.number()) }),
          }),
        },
      },
      handler: async ({ query, staff }) => {
        const em = orm.em.fork();
        const rows = await em.getConnection().execute<
          { id: string; kind: string; status: string; severity: string | null; area_id: string; room: string | null; assignee_id: string | null; sla_state: 'warning' | 'breached'; escalated: boolean; due_at: string | null; received_at: string; rule: string | null; deadline: string | null; deadline_due_at: string | null }[]
        >(
          `select c.id, c.kind, c.status, c.severity, c.area_id, c.room, c.assignee_id, c.sla_state, c.escalated, c.due_at, c.received_at,
                  e.payload->>'rule' as rule, e.payload->>'deadline' as deadline, e.payload->>'dueAt' as deadline_due_at
             from service_case c
             left join lateral (
               select payload from case_event ce
                where ce.case_id = c.id and ce.action in ('sla-warning', 'deadline-missed')
                order by (ce.action = 'deadline-missed') = (c.sla_state = 'breached') desc, ce.seq desc limit 1) e on true
            where c.property_id = ? and c.closed_at is null and c.sla_state <> 'ok'
              and (c.complaint_kind is null or c.complaint_kind = 'customer') ${query.areaId ? 'and c.area_id = ?' : ''}
            order by (c.sla_state = 'breached') desc, c.due_at nulls last, c.id
            limit 500`,
          [staff.propertyId, ...(query.areaId ? [query.areaId] : [])],
        );
        const platform = em.getPlatform();
        const items = rows.map((r) => ({
          caseId: r.id,
          kind: r.kind,
          status: r.status,
          severity: r.severity,
          areaId: r.area_id,
          room: r.room,
          assigneeId: r.assignee_id,
          slaState: r.sla_state,
          escalated: r.escalated,
          rule: r.rule,
          deadline: r.deadline,
          deadlineDueAt: r.deadline_due_at,
          nextDueAt: iso(platform, r.due_at),
          receivedAt: iso(platform, r.received_at)!,
        }));
        const count = (key: (i: (typeof items)[number]) => string) => items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [key(i)]: (acc[key(i)] ?? 0) + 1 }), {});
        return {
          status: 200,
          body: { generatedAt: new Date().toISOString(), items, counts: { byArea: count((i) => i.areaId), byAssignee: count((i) => i.assigneeId ?? '—'), byRule: count((i) => i.rule ?? '—') } },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),

    operation({
      method: 'get',
      path: '/cases/:caseId/timeline',
      operationId: 'getCaseTimeline',
      summary: "A case's SLA timeline from its audit log: each clock's start, pauses and reasons, warning, due time, met or missed, escalations and who was told",
      tags: ['console'],
      roles: ACCESS.console.board,
      params: z.object({ caseId: caseIdParam }),
      responses: { 200: { description: 'The timeline', schema: timelineSchema }, 404: { description: 'No such case' } },
      handler: async ({ params: p, staff }) => {
        const row = await openable(p.caseId, staff);
        const em = orm.em.fork();
        const platform = em.getPlatform();
        const [events, notices] = await Promise.all([
          em.getConnection().execute<{ seq: number; action: string; actor_id: string; actor_role: string; at: string; payload: Record<string, unknown> }[]>(
            'select seq, action, actor_id, actor_role, at, payload from case_event where case_id = ? order by seq',
            [row.id],
          ),
          em.getConnection().execute<{ idempotency_key: string; recipient_id: string | null; status: string; sent_at: string | null }[]>(
            'select idempotency_key, recipient_id, status, sent_at from notification where case_id = ? order by id',
            [row.id],
          ),
        ]);
        const timelineEvents: TimelineEvent[] = events.map((e) => ({ seq: e.seq, action: e.action, actorId: e.actor_id, actorRole: e.actor_role, at: iso(platform, e.at)!, payload: e.payload ?? {} }));
        const timelineNotices: TimelineNotice[] = notices.map((n) => ({ key: n.idempotency_key, recipientId: n.recipient_id, status: n.status, sentAt: iso(platform, n.sent_at) }));
        const ui = config.TEMPORAL_UI_URL ? `${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(row.workflowId)}` : null;
        return {
          status: 200,
          body: {
            caseId: row.id,
            kind: row.kind,
            status: row.status,
            areaId: row.areaId,
            assigneeId: row.assigneeId ?? null,
            slaState: row.slaState,
            workflowId: row.workflowId,
            temporalUiUrl: ui,
            clocks: slaTimeline(timelineEvents, timelineNotices, row.workflowId),
            events: timelineEvents.map(({ seq, action, actorId, actorRole, at }) => ({ seq, action, actorId, actorRole, at })),
          },
        };
      },
    }),
  ];
}
