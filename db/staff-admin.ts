/**
 * Staff and their API keys, as a manager administers them — through `/api/v1/staff` or, to
 * bootstrap the first manager of a deployment, `npm run staff`. A key is shown once; only its
 * SHA-256 is kept. Issuing a key replaces the previous one.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hashApiKey, newApiKey } from '../api/auth';
import { ROLES } from '../domain/people';
import { Area, Staff, type IStaff } from './entities';

export const staffIdSchema = z.string().regex(/^S-[A-Z0-9-]{1,30}$/, 'must be a staff number like S-BT3');

export const newStaffSchema = z
  .object({
    id: staffIdSchema,
    name: z.string().trim().min(1).max(64),
    email: z.email().max(200),
    roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
    areaIds: z.array(z.string().min(1).max(32)).max(50).default([]).describe('areas a butler or engineer covers'),
  })
  .strict();
export type NewStaff = z.infer<typeof newStaffSchema>;

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

export type CreateStaffResult = { created: StaffSummary } | { conflict: string } | { unknownAreas: string[] };

export async function createStaff(em: EntityManager, propertyId: string, input: NewStaff): Promise<CreateStaffResult> {
  if (await em.findOne(Staff, { id: input.id })) return { conflict: input.id };
  const areaIds = [...new Set(input.areaIds)];
  const known = areaIds.length ? (await em.find(Area, { id: { $in: areaIds }, property: propertyId })).map((a) => a.id) : [];
  const unknownAreas = areaIds.filter((id) => !known.includes(id));
  if (unknownAreas.length) return { unknownAreas };
  const staff = em.create(Staff, {
    id: input.id,
    propertyId,
    name: input.name,
    email: input.email,
    roles: [...new Set(input.roles)],
    areaIds,
    apiKeyHash: null,
    active: true,
    createdAt: new Date(),
  });
  await em.flush();
  return { created: summarise(staff) };
}

/** A fresh key for the staff member; the previous one stops working at once. Undefined when there is no such staff member. */
export async function issueKey(em: EntityManager, propertyId: string | undefined, staffId: string): Promise<string | undefined> {
  const staff = await em.findOne(Staff, propertyId ? { id: staffId, propertyId } : { id: staffId });
  if (!staff) return undefined;
  const apiKey = newApiKey();
  staff.apiKeyHash = hashApiKey(apiKey);
  staff.apiKeyRevokedAt = null;
  staff.apiKeyLastUsedAt = null;
  await em.flush();
  return apiKey;
}

/** Revokes the staff member's key; false when there is no such staff member. */
export async function revokeKey(em: EntityManager, propertyId: string | undefined, staffId: string): Promise<boolean> {
  const staff = await em.findOne(Staff, propertyId ? { id: staffId, propertyId } : { id: staffId });
  if (!staff) return false;
  staff.apiKeyRevokedAt ??= new Date();
  await em.flush();
  return true;
}
