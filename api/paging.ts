import type { Knex } from '@mikro-orm/knex';
import { z } from 'zod';
import type { Orm } from '../db/orm';
import { HttpProblem } from './problem';

export const cursorParam = z.string().max(200).optional().describe('opaque; from the previous page');

/** What a case list may filter on; every value is already parsed and scoped to what the caller may see. */
export interface CaseListFilter {
  kind: string;
  propertyId: string;
  status?: string;
  /** The `severity` column: a repair's class, a complaint's severity, a request's kind. */
  severity?: string;
  category?: string;
  issueKey?: string;
  assigneeId?: string;
  /** Complaints only: the kinds the caller may see (C2); an empty list matches nothing. */
  complaintKinds?: readonly string[];
  /** The areas to list, from `listedAreas`; undefined for every area. */
  areaIds?: readonly string[];
  overdue?: 'true' | 'false';
  open?: 'true' | 'false';
  /** Only cases whose next deadline falls before this instant (e.g. the return visits to make today). */
  dueBefore?: Date;
}

/**
 * The areas a list shows: the one asked for if the caller may see it (else none), or all the
 * caller's visible areas (`visibleAreaIds`, undefined for the whole property).
 */
export function listedAreas(asked: string | undefined, visible: string[] | undefined): readonly string[] | undefined {
  if (asked) return !visible || visible.includes(asked) ? [asked] : [];
  return visible;
}

/** The columns a list item is made of: residents' contact details and descriptions are never read for a list. */
const LIST_COLUMNS = ['id', 'kind', 'status', 'severity', 'category', 'complaint_kind', 'issue_key', 'area_id', 'room', 'assignee_id', 'due_at', 'sla_state', 'escalated', 'received_at', 'closed_at'] as const;

/** A case row as a list reads it: timestamps as Postgres' text (the ORM's connection leaves them unparsed). */
export interface CaseListRow {
  id: string;
  kind: string;
  status: string;
  severity: string | null;
  category: string | null;
  complaint_kind: string | null;
  issue_key: string | null;
  area_id: string;
  room: string | null;
  assignee_id: string | null;
  due_at: string | null;
  sla_state: string;
  escalated: boolean;
  received_at: string;
  closed_at: string | null;
}

/**
 * Every list-item field of a case, by the name the lists give it. Each list's item schema picks
 * its own fields from these (`caseListItem`), so a field is derived from its column in one place.
 */
function listFields(row: CaseListRow, iso: (text: string) => string) {
  return {
    caseId: row.id,
    /** A complaint's kind (C2), or a request's kind, provider or department (kept in `severity`). */
    kind: row.kind === 'complaint' ? (row.complaint_kind ?? 'customer') : (row.severity ?? ''),
    status: row.status,
    /** A repair's R1 class. */
    classification: row.severity,
    severity: row.severity,
    category: row.category,
    issueKey: row.issue_key,
    areaId: row.area_id,
    room: row.room,
    assigneeId: row.assignee_id,
    dueAt: row.due_at === null ? null : iso(row.due_at),
    slaState: row.sla_state,
    escalated: row.escalated,
    receivedAt: iso(row.received_at),
    closedAt: row.closed_at === null ? null : iso(row.closed_at),
  };
}

export type CaseListFields = ReturnType<typeof listFields>;

/**
 * The list item of one case row, with exactly the fields of `item` in its order: the response
 * cannot drift from the schema the OpenAPI document shows.
 */
export function caseListItem<S extends z.ZodRawShape>(item: z.ZodObject<S>, row: CaseListRow, iso: (text: string) => string): Record<string, unknown> {
  const all = listFields(row, iso) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item.shape)) {
    if (!(key in all)) throw new Error(`a case list item has no field ${key}`);
    out[key] = all[key];
  }
  return out;
}

function applyFilter(qb: Knex.QueryBuilder, f: CaseListFilter, now: Date): void {
  qb.where('property_id', f.propertyId).andWhere('kind', f.kind);
  if (f.status) qb.andWhere('status', f.status);
  if (f.severity) qb.andWhere('severity', f.severity);
  if (f.category) qb.andWhere('category', f.category);
  if (f.issueKey) qb.andWhere('issue_key', f.issueKey);
  if (f.assigneeId) qb.andWhere('assignee_id', f.assigneeId);
  if (f.complaintKinds) qb.whereIn('complaint_kind', [...f.complaintKinds]);
  if (f.areaIds) qb.whereIn('area_id', [...f.areaIds]);
  if (f.overdue === 'true') qb.andWhere('due_at', '<', now).whereNull('closed_at');
  if (f.overdue === 'false') qb.andWhere((q) => q.whereNull('due_at').orWhere('due_at', '>=', now));
  if (f.open === 'true') qb.whereNull('closed_at');
  if (f.open === 'false') qb.whereNotNull('closed_at');
  if (f.dueBefore) qb.andWhere('due_at', '<', f.dueBefore);
}

function parseCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const cursorAt = new Date(at);
  if (!id || Number.isNaN(cursorAt.getTime())) {
    throw new HttpProblem(400, 'Invalid request', 'the cursor is not one this API gave out', {
      'invalid-params': [{ name: 'cursor', in: 'query', reason: 'unknown cursor' }],
    });
  }
  return { at: cursorAt, id };
}

/**
 * One page of cases, newest first, in a stable order (receivedAt, then id) that new cases cannot
 * disturb: the cursor is the last row's position, not an offset. Read as plain rows (one query, on
 * the list index, no count): a list is read far more often than anything is written, and
 * hydrating entities cost more than the query itself.
 */
export async function casePage<S extends z.ZodRawShape>(
  orm: Orm,
  filter: CaseListFilter,
  query: { limit: number; cursor?: string },
  item: z.ZodObject<S>,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  // No kind the caller may see: nothing to read, whatever the cursor says.
  if (filter.complaintKinds?.length === 0) return { items: [], nextCursor: null };
  const after = query.cursor ? parseCursor(query.cursor) : undefined;
  if (filter.areaIds?.length === 0) return { items: [], nextCursor: null };
  const connection = orm.em.getConnection();
  const qb = connection.getKnex().select([...LIST_COLUMNS]).from('service_case');
  applyFilter(qb, filter, new Date());
  // The row comparison walks the list index from the cursor on.
  if (after) qb.andWhereRaw('(received_at, id) < (?, ?)', [after.at, after.id]);
  qb.orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(query.limit + 1);
  const rows = await connection.execute<CaseListRow[]>(qb);
  const platform = orm.em.getPlatform();
  // The same parse the ORM applies to a datetime property, so the ISO strings are the ones lists always showed.
  const iso = (text: string) => (platform.parseDate(text) as Date).toISOString();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => caseListItem(item, row, iso)),
    nextCursor: rows.length > query.limit && last ? Buffer.from(`${iso(last.received_at)}|${last.id}`).toString('base64url') : null,
  };
}
