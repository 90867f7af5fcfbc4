/**
 * The first day of a deployment: the first property and its first manager, in one transaction,
 * from an empty database. Refused as soon as any property exists — a second run must not make a
 * second property by accident, and later staff and places are a manager's work through the API.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hashApiKey, newApiKey } from './secrets';
import { propertyFieldsSchema, propertyIdSchema } from '../domain/places';
import { DEFAULT_LOCALE } from '../domain/words';
import { appendAdminAudit } from './admin-audit';
import { staffIdSchema } from './staff-admin';

export const bootstrapSchema = z
  .object({
    propertyId: propertyIdSchema.default('P001'),
    property: propertyFieldsSchema.partial({ language: true }),
    manager: z
      .object({
        id: staffIdSchema,
        name: z.string().trim().min(1).max(64),
        email: z.email().max(200),
      })
      .strict(),
  })
  .strict();
export type BootstrapInput = z.input<typeof bootstrapSchema>;

export type BootstrapResult = { propertyId: string; managerId: string; apiKey: string } | { refused: string };

export async function bootstrap(em: EntityManager, raw: BootstrapInput, now = new Date()): Promise<BootstrapResult> {
  const input = bootstrapSchema.parse(raw);
  return em.transactional(async (tx) => {
    // Two bootstraps at once: the second waits here and then finds the first one's property.
    await tx.execute('lock table property in share row exclusive mode');
    const [existing] = await tx.execute<{ id: string }[]>('select id from property order by created_at limit 1');
    if (existing) return { refused: `there is already a property (${existing.id}): the bootstrap only creates the first one` };
    const [taken] = await tx.execute<{ id: string }[]>('select id from staff where id = ?', [input.manager.id]);
    if (taken) return { refused: `staff number ${input.manager.id} is taken` };
    const { property, manager, propertyId } = input;
    await tx.execute(
      `insert into property (id, name, time_zone, policy, calendar_overrides, occupied_since, group_email, language, policy_version, created_at)
       values (?, ?, ?, null, '[]'::jsonb, ?, ?, ?, 1, ?)`,
      [propertyId, property.name, property.timeZone, property.occupiedSince, property.groupEmail, property.language ?? DEFAULT_LOCALE, now],
    );
    await tx.execute(
      `insert into policy_version (property_id, version, policy, changes, reason, actor_id, at) values (?, 1, '{}'::jsonb, '[]'::jsonb, 'bootstrap: the documented defaults', 'system', ?)`,
      [propertyId, now],
    );
    const apiKey = newApiKey();
    await tx.execute(
      `insert into staff (id, property_id, name, email, roles, area_ids, api_key_hash, active, created_at) values (?, ?, ?, ?, '["manager"]'::jsonb, '[]'::jsonb, ?, true, ?)`,
      [manager.id, propertyId, manager.name, manager.email, hashApiKey(apiKey), now],
    );
    await appendAdminAudit(
      tx,
      { propertyId, actorId: 'system', action: 'property.bootstrap', subject: propertyId, detail: { ...property, managerId: manager.id } },
      now,
    );
    return { propertyId, managerId: manager.id, apiKey };
  });
}
