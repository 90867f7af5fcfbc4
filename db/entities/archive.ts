import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { FieldChange } from '../../domain/archive';

/**
 * The audit trail of the customer archive (客户档案, docs/rules.md §0): who changed which household or
 * contact, when, and which fields from what to what. Append-only; personal values are masked so
 * the trail can be shown to every role that reads the archive.
 */
export const HouseholdChange = defineEntity({
  name: 'HouseholdChange',
  tableName: 'household_change',
  indexes: [{ properties: ['householdId', 'at'] }, { properties: ['propertyId', 'at'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    householdId: p.string().length(64),
    propertyId: p.string().length(32),
    /** household-created, household-updated, contact-added, contact-updated */
    action: p.string().length(32),
    contactId: p.integer().nullable(),
    actorId: p.string().length(32),
    actorRole: p.string().length(32),
    at: p.datetime(),
    changes: p.json<FieldChange[]>(),
  },
});
export type IHouseholdChange = InferEntity<typeof HouseholdChange>;
