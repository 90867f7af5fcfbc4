/**
 * Staff and their API keys, as a manager administers them — through `/api/v1/staff` or, to
 * bootstrap the first manager of a deployment, `npm run staff`. A key is shown once; only its
 * SHA-256 is kept. Issuing a key replaces the previous one. Every change, and every refused attempt
 * to grant a role, is in the administrative audit log (db/admin-audit.ts).
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hashApiKey, newApiKey } from './secrets';
import { DEPARTMENT_CODES, type Department } from '../domain/complaint';
import { ROLES, rolesBeyondGranter, type Role } from '../domain/people';
import { appendAdminAudit } from './admin-audit';
import { Area, Staff, type IStaff } from './entities';

export const staffIdSchema = z.string().regex(/^S-[A-Z0-9-]{1,30}$/, 'must be a staff number like S-BT3');

export const newStaffSchema = z
  .object({
    id: staffIdSchema,
    name: z.string().trim().min(1).max(64),
    email: z.email().max(200),
    roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
    areaIds: z.array(z.string().min(1).max(32)).max(50).default([]).describe('areas a butler or engineer covers'),
    departments: z.array(z.enum(DEPARTMENT_CODES as [Department, ...Department[]])).max(DEPARTMENT_CODES.length).default([]).describe('C3: the departments this person heads (told of the complaints routed there)'),
  })
  .strict();
/** A new staff member; `departments` may be left out (heads nothing). */
export type NewStaff = Omit<z.infer<typeof newStaffSchema>, 'departments'> & { departments?: Department[] };

/** What anyone may see of a staff member: never the key or its hash. */
export interface StaffSummary {
  id: string;
  name: string;
  email: string;
  roles: string[];
  areaIds: string[];
  active: boolean;
  apiKey: { state: 'active' | 'revoked' | 'none'; lastUsedAt: string | null };
  createdAt: string;
}

export function summarise(s: IStaff): StaffSummary {
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    roles: s.roles,
    areaIds: s.areaIds,
    active: s.active,
    apiKey: { state: !s.apiKeyHash ? 'none' : s.apiKeyRevokedAt ? 'revoked' : 'active', lastUsedAt: s.apiKeyLastUsedAt?.toISOString() ?? null },
    createdAt: s.createdAt.toISOString(),
  };
}

/**
 * Who administers staff: a staff member through the API, bound by `rolesBeyondGranter`, or the
 * command line (`npm run staff`), which holds the database credentials and so every power already —
 * it bootstraps the first manager and the first hr and audit holders.
 */
export type StaffAdministrator = { kind: 'staff'; staffId: string; roles: readonly Role[] } | { kind: 'cli'; osUser: string };

const actorIdOf = (by: StaffAdministrator) => (by.kind === 'staff' ? by.staffId : 'cli');
const via = (by: StaffAdministrator) => (by.kind === 'cli' ? { via: 'npm run staff', osUser: by.osUser } : {});

/**
 * The roles of `roles` that `by` may not give (the command line may give any); a refusal is audited
 * on its own, before anything else happens: the request fails, the attempt stays on record.
 */
export async function refusedGrant(em: EntityManager, propertyId: string, by: StaffAdministrator, action: string, subject: string, roles: readonly Role[]): Promise<Role[]> {
  const refused = by.kind === 'cli' ? [] : rolesBeyondGranter(by.roles, roles);
  if (refused.length) {
    await appendAdminAudit(em, { propertyId, actorId: actorIdOf(by), action: `${action}.denied`, subject, detail: { roles: [...new Set(roles)], refused, ...via(by) } });
  }
  return refused;
}

export type CreateStaffResult = { created: StaffSummary } | { conflict: string } | { unknownAreas: string[] } | { forbidden: Role[] };

export async function createStaff(em: EntityManager, propertyId: string, input: NewStaff, by: StaffAdministrator): Promise<CreateStaffResult> {
  const roles = [...new Set(input.roles)];
  const refused = await refusedGrant(em, propertyId, by, 'staff.create', input.id, roles);
  if (refused.length) return { forbidden: refused };
  return em.transactional(async (tx): Promise<CreateStaffResult> => {
    if (await tx.findOne(Staff, { id: input.id })) return { conflict: input.id };
    const areaIds = [...new Set(input.areaIds)];
    const known = areaIds.length ? (await tx.find(Area, { id: { $in: areaIds }, property: propertyId })).map((a) => a.id) : [];
    const unknownAreas = areaIds.filter((id) => !known.includes(id));
    if (unknownAreas.length) return { unknownAreas };
    const staff = tx.create(Staff, {
      id: input.id,
      propertyId,
      name: input.name,
      email: input.email,
      roles,
      areaIds,
      departments: input.departments ?? [],
      apiKeyHash: null,
      active: true,
      createdAt: new Date(),
    });
    await tx.flush();
    await appendAdminAudit(tx, { propertyId, actorId: actorIdOf(by), action: 'staff.create', subject: input.id, detail: { name: input.name, email: input.email, roles, areaIds, ...via(by) } });
    return { created: summarise(staff) };
  });
}

const findStaff = (em: EntityManager, propertyId: string | undefined, staffId: string) =>
  em.findOne(Staff, propertyId ? { id: staffId, propertyId } : { id: staffId }, { lockMode: LockMode.PESSIMISTIC_WRITE });

export type IssueKeyResult = { apiKey: string } | { notFound: true } | { forbidden: Role[] };

/**
 * A fresh key for the staff member; the previous one stops working at once. A key carries its
 * holder's roles, so issuing one is granting them: refused (and audited) when `by` may not.
 */
export async function issueKey(em: EntityManager, propertyId: string | undefined, staffId: string, by: StaffAdministrator): Promise<IssueKeyResult> {
  return em.transactional(async (tx): Promise<IssueKeyResult> => {
    const staff = await findStaff(tx, propertyId, staffId);
    if (!staff) return { notFound: true };
    // The refusal's record is written whatever becomes of this transaction (nothing else is in it).
    const refused = await refusedGrant(em.fork(), staff.propertyId, by, 'staff.key.issue', staffId, staff.roles);
    if (refused.length) return { forbidden: refused };
    const previous = summarise(staff).apiKey.state;
    const apiKey = newApiKey();
    staff.apiKeyHash = hashApiKey(apiKey);
    staff.apiKeyRevokedAt = null;
    staff.apiKeyLastUsedAt = null;
    await tx.flush();
    await appendAdminAudit(tx, { propertyId: staff.propertyId, actorId: actorIdOf(by), action: 'staff.key.issue', subject: staffId, detail: { roles: staff.roles, previousKey: previous, ...via(by) } });
    return { apiKey };
  });
}

/**
 * Revokes the staff member's key; false when there is no such staff member. Revoking only takes
 * access away, so whoever administers staff may cut off any key of the property — an hr holder's
 * too, when it has leaked — and the record says who did.
 */
export async function revokeKey(em: EntityManager, propertyId: string | undefined, staffId: string, by: StaffAdministrator): Promise<boolean> {
  return em.transactional(async (tx) => {
    const staff = await findStaff(tx, propertyId, staffId);
    if (!staff) return false;
    if (staff.apiKeyHash && !staff.apiKeyRevokedAt) {
      staff.apiKeyRevokedAt = new Date();
      await tx.flush();
      await appendAdminAudit(tx, { propertyId: staff.propertyId, actorId: actorIdOf(by), action: 'staff.key.revoke', subject: staffId, detail: { roles: staff.roles, ...via(by) } });
    }
    return true;
  });
}
