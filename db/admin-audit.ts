/**
 * The administrative audit log (`admin_audit_event`): who changed what outside a case — a calendar
 * loaded or overridden, a staff member added, a key issued or revoked, and every refused attempt to
 * grant a role the granter may not give. Append-only; each change writes its record in the same
 * transaction as the change itself, so neither exists without the other.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export interface AdminAuditEntry {
  /** The property it concerns; null for what every property shares (the national calendar). */
  propertyId: string | null;
  /** A staff id, or `cli` for `npm run staff`. */
  actorId: string;
  /** Dotted, the area first: `calendar.override.set`, `staff.create`, `staff.key.issue.denied`. */
  action: string;
  /** What it changed: a year, a date, a staff id. */
  subject: string;
  /** Never a key, a key's hash or a resident's personal data. */
  detail: Record<string, unknown>;
}

export async function appendAdminAudit(em: EntityManager, entry: AdminAuditEntry, at = new Date()): Promise<void> {
  await em.execute('insert into admin_audit_event (property_id, actor_id, at, action, subject, detail) values (?, ?, ?, ?, ?, ?::jsonb)', [
    entry.propertyId,
    entry.actorId,
    at,
    entry.action,
    entry.subject,
    JSON.stringify(entry.detail),
  ]);
}

export interface AdminAuditRecord {
  id: string;
  at: string;
  propertyId: string | null;
  actorId: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

/** `like` treats `%` and `_` as wildcards; an action prefix means exactly those characters. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * One page of a property's audit records (and those every property shares), newest first. The
 * cursor is the last record's id: ids only grow, so new records cannot shift a page.
 */
export async function adminAuditPage(
  em: EntityManager,
  query: { propertyId: string; actionPrefix?: string; limit: number; before?: string },
): Promise<{ items: AdminAuditRecord[]; nextCursor: string | null }> {
  const where = ['(property_id = ? or property_id is null)'];
  const params: unknown[] = [query.propertyId];
  if (query.actionPrefix) {
    where.push(`action like ? escape '\\'`);
    params.push(likePrefix(query.actionPrefix));
  }
  if (query.before) {
    where.push('id < ?');
    params.push(query.before);
  }
  // Timestamps come back as Postgres' text (the ORM's connection leaves them unparsed).
  const rows = await em.execute<{ id: string; at: string; property_id: string | null; actor_id: string; action: string; subject: string; detail: Record<string, unknown> }[]>(
    `select id, at, property_id, actor_id, action, subject, detail from admin_audit_event where ${where.join(' and ')} order by id desc limit ?`,
    [...params, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({ id: String(r.id), at: (em.getPlatform().parseDate(r.at) as Date).toISOString(), propertyId: r.property_id, actorId: r.actor_id, action: r.action, subject: r.subject, detail: r.detail })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1].id) : null,
  };
}
