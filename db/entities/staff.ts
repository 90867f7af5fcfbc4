import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Role } from '../../domain/people';

/** A staff member; the API key is stored as a SHA-256 hash, never in clear. */
export const Staff = defineEntity({
  name: 'Staff',
  tableName: 'staff',
  properties: {
    id: p.string().primary().length(32),
    propertyId: p.string().length(32).index(),
    name: p.string().length(64),
    email: p.string().length(200),
    roles: p.json<Role[]>(),
    /** Areas a butler or engineer covers. */
    areaIds: p.json<string[]>().default([] as never),
    /** C3: the departments (domain/complaint.ts DEPARTMENTS) this staff member heads: told of the complaints routed there. */
    departments: p.json<string[]>().default([] as never),
    apiKeyHash: p.string().length(64).unique().nullable(),
    apiKeyLastUsedAt: p.datetime().nullable(),
    apiKeyRevokedAt: p.datetime().nullable(),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IStaff = InferEntity<typeof Staff>;
