/**
 * A property's own fields and its service policy as stored: every change is a new version
 * (policy_version) and an audit record, written with the property row in one transaction. A
 * change that moves the property's schedules (its time zone, the policy's `schedules`) moves them
 * inside that transaction: when Temporal cannot be reached the change is not made.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { applyPolicyChanges, type PolicyChanges, type PolicyProblem, type RuleChange } from '../domain/policy-rules';
import type { PropertyFields } from '../domain/places';
import type { Locale } from '../domain/words';
import { appendAdminAudit } from './admin-audit';

export interface PropertyRow {
  id: string;
  name: string;
  timeZone: string;
  occupiedSince: string | null;
  groupEmail: string | null;
  language: Locale;
  policy: Record<string, unknown> | null;
  policyVersion: number;
  createdAt: string;
}

interface RawProperty {
  id: string;
  name: string;
  time_zone: string;
  occupied_since: string | Date | null;
  group_email: string | null;
  language: Locale;
  policy: Record<string, unknown> | null;
  policy_version: number;
  created_at: string | Date;
}

const dateOnly = (value: string | Date | null): string | null => (value === null ? null : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10));

function toRow(raw: RawProperty): PropertyRow {
  return {
    id: raw.id,
    name: raw.name,
    timeZone: raw.time_zone,
    occupiedSince: dateOnly(raw.occupied_since),
    groupEmail: raw.group_email,
    language: raw.language,
    policy: raw.policy,
    policyVersion: raw.policy_version,
    createdAt: new Date(raw.created_at).toISOString(),
  };
}

const SELECT_PROPERTY = 'select id, name, time_zone, occupied_since::text as occupied_since, group_email, language, policy, policy_version, created_at from property where id = ?';

export async function loadProperty(em: EntityManager, propertyId: string, lock = false): Promise<PropertyRow | undefined> {
  const [raw] = await em.execute<RawProperty[]>(`${SELECT_PROPERTY}${lock ? ' for update' : ''}`, [propertyId]);
  return raw ? toRow(raw) : undefined;
}

/** Runs after the change is written and before it commits: a failure undoes the change. */
export type AfterChange = (property: PropertyRow) => Promise<void>;

export async function updateProperty(em: EntityManager, propertyId: string, fields: Partial<PropertyFields>, actorId: string, after?: AfterChange): Promise<PropertyRow> {
  return em.transactional(async (tx) => {
    const before = (await loadProperty(tx, propertyId, true))!;
    const next = { ...before, ...fields };
    const changed = (Object.keys(fields) as (keyof PropertyFields)[]).filter((k) => fields[k] !== undefined && fields[k] !== before[k]);
    if (changed.length === 0) return before;
    await tx.execute('update property set name = ?, time_zone = ?, occupied_since = ?, group_email = ?, language = ? where id = ?', [next.name, next.timeZone, next.occupiedSince, next.groupEmail, next.language, propertyId]);
    await appendAdminAudit(tx, {
      propertyId,
      actorId,
      action: 'property.update',
      subject: propertyId,
      detail: Object.fromEntries(changed.map((k) => [k, { old: before[k], new: next[k] }])),
    });
    const updated = (await loadProperty(tx, propertyId))!;
    if (after) await after(updated);
    return updated;
  });
}

export interface PolicyVersionRow {
  version: number;
  policy: Record<string, unknown>;
  changes: RuleChange[];
  reason: string | null;
  actorId: string;
  at: string;
}

/** Every version of the property's policy, oldest first. */
export async function policyVersions(em: EntityManager, propertyId: string): Promise<PolicyVersionRow[]> {
  const rows = await em.execute<{ version: number; policy: Record<string, unknown>; changes: RuleChange[]; reason: string | null; actor_id: string; at: string | Date }[]>(
    'select version, policy, changes, reason, actor_id, at from policy_version where property_id = ? order by version',
    [propertyId],
  );
  return rows.map((r) => ({ version: r.version, policy: r.policy, changes: r.changes, reason: r.reason, actorId: r.actor_id, at: new Date(r.at).toISOString() }));
}

export type PolicyChangeResult =
  | { changed: PropertyRow; version: number; changes: RuleChange[]; warnings: PolicyProblem[] }
  | { unchanged: PropertyRow }
  | { problems: PolicyProblem[] }
  | { conflict: { expected: number; actual: number } };

/**
 * Applies a manager's changes as a new version of the policy. `expectedVersion`, when given, must
 * be the version the manager read (two managers editing at once: the second hears of the first).
 */
export async function changePolicy(
  em: EntityManager,
  propertyId: string,
  request: { changes: PolicyChanges; reason?: string; expectedVersion?: number },
  actorId: string,
  after?: (property: PropertyRow, changes: RuleChange[]) => Promise<void>,
  now = new Date(),
): Promise<PolicyChangeResult> {
  return em.transactional(async (tx) => {
    const property = (await loadProperty(tx, propertyId, true))!;
    if (request.expectedVersion !== undefined && request.expectedVersion !== property.policyVersion) {
      return { conflict: { expected: request.expectedVersion, actual: property.policyVersion } };
    }
    const applied = applyPolicyChanges(property.policy, request.changes);
    if ('problems' in applied) return { problems: applied.problems };
    if (applied.changes.length === 0) return { unchanged: property };
    const version = property.policyVersion + 1;
    await tx.execute('update property set policy = ?::jsonb, policy_version = ? where id = ?', [JSON.stringify(applied.stored), version, propertyId]);
    await tx.execute('insert into policy_version (property_id, version, policy, changes, reason, actor_id, at) values (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)', [
      propertyId,
      version,
      JSON.stringify(applied.stored),
      JSON.stringify(applied.changes),
      request.reason ?? null,
      actorId,
      now,
    ]);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'policy.change', subject: `version ${version}`, detail: { changes: applied.changes, reason: request.reason ?? null } }, now);
    const changed = (await loadProperty(tx, propertyId))!;
    if (after) await after(changed, applied.changes);
    return { changed, version, changes: applied.changes, warnings: applied.warnings };
  });
}
