import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The queryable copy of a case of any kind (repair, complaint, return visit, survey…). Temporal is
 * the source of truth for progress; activities keep this row current, idempotently.
 */
export const Case = defineEntity({
  name: 'Case',
  tableName: 'service_case',
  indexes: [
    { properties: ['kind', 'status'] },
    { properties: ['areaId', 'status'] },
    { properties: ['assigneeId', 'status'] },
    // Lists read newest first within a property and kind, and page by (receivedAt, id).
    {
      name: 'service_case_list_index',
      expression: 'create index "service_case_list_index" on "service_case" ("property_id", "kind", "received_at" desc, "id" desc)',
    },
    // R2's dispatch counts each engineer's open cases, not every case they ever held.
    {
      name: 'service_case_open_by_assignee_index',
      expression: 'create index "service_case_open_by_assignee_index" on "service_case" ("assignee_id") where "closed_at" is null',
    },
  ],
  properties: {
    /** Case number, e.g. R20261122-0007. */
    id: p.string().primary().length(32),
    workflowId: p.string().length(128).unique(),
    kind: p.string().length(32),
    propertyId: p.string().length(32),
    areaId: p.string().length(32),
    householdId: p.string().length(64).nullable(),
    room: p.string().length(32).nullable(),
    channel: p.string().length(32),
    /** repair: urgent/general/major; complaint: general/important/major. */
    severity: p.string().length(32).nullable(),
    category: p.string().length(64).nullable(),
    /** C2: a complaint's kind — customer, employee (→ hr), report (→ audit); decides who may see it. */
    complaintKind: p.string().length(16).nullable(),
    /** C4: the issue staff linked a complaint to; distinct complainants per issue are counted. */
    issueKey: p.string().length(64).nullable().index(),
    status: p.string().length(32),
    assigneeId: p.string().length(32).nullable(),
    contactName: p.string().length(64).nullable(),
    contactPhone: p.string().length(32).nullable(),
    description: p.text(),
    dueAt: p.datetime().nullable(),
    slaState: p.string().length(16).default('ok'),
    escalated: p.boolean().default(false),
    /** R12: why the case is not finished today, as the butler last recorded it. */
    unfinishedReason: p.text().nullable(),
    unfinishedReasonAt: p.datetime().nullable(),
    /** V4: how a return visit (or survey) ended — satisfied, unsatisfied, unreachable, exempt — so results can be counted. */
    outcome: p.string().length(32).nullable(),
    /** Links to other cases, e.g. the major complaint a failed repair opened (R11). */
    links: p.json<{ caseId: string; relation: string }[]>().default([] as never),
    /** The audit seq of the event that last wrote this row: concurrent activities may land out of order. */
    eventSeq: p.integer().default(0),
    receivedAt: p.datetime(),
    receivedBy: p.string().length(32),
    closedAt: p.datetime().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type ICase = InferEntity<typeof Case>;

/** Append-only audit trail: who did what to which case, when. The idempotency key makes retried writes harmless. */
export const CaseEvent = defineEntity({
  name: 'CaseEvent',
  tableName: 'case_event',
  // P3 counts one month of deadline outcomes and escalations: a range of (action, at), not every event.
  indexes: [{ properties: ['caseId', 'seq'] }, { properties: ['action', 'at'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    caseId: p.string().length(32),
    /** The workflow's order of events (0 = intake); rows may be inserted in another order. */
    seq: p.integer(),
    idempotencyKey: p.string().length(200).unique(),
    action: p.string().length(64),
    actorId: p.string().length(32),
    actorRole: p.string().length(32),
    at: p.datetime(),
    payload: p.json<Record<string, unknown>>(),
  },
});
export type ICaseEvent = InferEntity<typeof CaseEvent>;

/** One outgoing message. The row is written before the mail is sent, so a retried activity never mails twice. */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  properties: {
    id: p.integer().primary().autoincrement(),
    idempotencyKey: p.string().length(200).unique(),
    caseId: p.string().length(32).nullable().index(),
    recipientId: p.string().length(32).nullable(),
    recipientEmail: p.string().length(200),
    template: p.string().length(64),
    subject: p.string().length(300),
    status: p.string().length(16).default('pending'),
    attempts: p.integer().default(0),
    messageId: p.string().length(300).nullable(),
    lastError: p.text().nullable(),
    /**
     * Who is sending it (a workflow, or a worker process at its start) and since when: a mail
     * several cases share (a missing calendar year) is sent by the first, not raced by the others.
     */
    claimedBy: p.string().length(200).nullable(),
    claimedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
  },
});
export type INotification = InferEntity<typeof Notification>;

/** Daily case-number counters per kind and property-local date. */
export const CaseCounter = defineEntity({
  name: 'CaseCounter',
  tableName: 'case_counter',
  primaryKeys: ['prefix', 'day'],
  properties: {
    prefix: p.string().length(8).primary(),
    day: p.string().length(8).primary(),
    last: p.integer(),
  },
});

/** A creating request's Idempotency-Key and what it produced; a replay returns the same answer. */
export const IdempotentRequest = defineEntity({
  name: 'IdempotentRequest',
  tableName: 'idempotent_request',
  primaryKeys: ['staffId', 'key'],
  properties: {
    staffId: p.string().length(32).primary(),
    key: p.string().length(200).primary(),
    requestHash: p.string().length(64),
    /** What the request created (a case number), claimed before the work so a replay finds it. */
    resourceId: p.string().length(64).nullable(),
    statusCode: p.integer().nullable(),
    response: p.json<unknown>().nullable(),
    /** Records expire IDEMPOTENCY_TTL_DAYS after this (api/idempotency.ts): indexed for the purge. */
    createdAt: p.datetime().onCreate(() => new Date()).index(),
  },
});

/** R8: a paid special service's fee, handed to finance (交财务部入帐) once per case attempt. */
export const FinanceEntry = defineEntity({
  name: 'FinanceEntry',
  tableName: 'finance_entry',
  properties: {
    id: p.integer().primary().autoincrement(),
    idempotencyKey: p.string().length(200).unique(),
    caseId: p.string().length(32).index(),
    propertyId: p.string().length(32),
    amountCents: p.integer(),
    description: p.text(),
    recordedBy: p.string().length(32),
    recordedAt: p.datetime(),
  },
});
