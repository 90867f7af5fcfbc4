import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An administrative change (a calendar loaded or overridden, a staff member added, a key issued or
 * revoked, a refused grant): who, when, what. Append-only; written by db/admin-audit.ts.
 * Case actions have their own log (`case_event`); household archive changes theirs (`household_change`).
 */
export const AdminAuditEvent = defineEntity({
  name: 'AdminAuditEvent',
  tableName: 'admin_audit_event',
  properties: {
    id: p.bigint().primary().autoincrement(),
    /** The property it concerns; null for what every property shares (the national calendar). */
    propertyId: p.string().length(32).nullable().index(),
    actorId: p.string().length(32),
    at: p.datetime(),
    /** e.g. `calendar.national.load`, `calendar.override.set`. */
    action: p.string().length(64),
    /** What it changed, e.g. a year or a date. */
    subject: p.string().length(200),
    detail: p.json<Record<string, unknown>>(),
  },
  indexes: [{ properties: ['action', 'at'] }],
});
export type IAdminAuditEvent = InferEntity<typeof AdminAuditEvent>;
