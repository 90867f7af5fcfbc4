import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Each version of a property's service policy: what was stored after the change, what changed
 * (rule keys, old and new values) and who changed it. A case runs on the version in force when it
 * started; the policy preview reads the version each recorded case ran on.
 */
export const PolicyVersion = defineEntity({
  name: 'PolicyVersion',
  tableName: 'policy_version',
  primaryKeys: ['propertyId', 'version'],
  properties: {
    propertyId: p.string().length(32).primary(),
    version: p.integer().primary(),
    /** The stored (partial) policy from this version on; missing fields take the defaults. */
    policy: p.json<Record<string, unknown>>(),
    changes: p.json<{ key: string; old: unknown; new: unknown }[]>(),
    reason: p.string().length(500).nullable(),
    actorId: p.string().length(32),
    at: p.datetime(),
  },
});
export type IPolicyVersion = InferEntity<typeof PolicyVersion>;

/**
 * A bulk import (households or staff from CSV/XLSX): the dry run's rows and report, kept until it
 * is confirmed (then written in one transaction) or expires.
 */
export const ImportBatch = defineEntity({
  name: 'ImportBatch',
  tableName: 'import_batch',
  indexes: [{ properties: ['propertyId', 'createdAt'] }],
  properties: {
    id: p.string().primary().length(40),
    propertyId: p.string().length(32),
    /** households | staff */
    kind: p.string().length(16),
    /** dry-run | confirmed */
    status: p.string().length(16),
    fileName: p.string().length(200).nullable(),
    fileSha256: p.string().length(64),
    format: p.string().length(8),
    /** The table as the dry run read it (personal data: emptied once confirmed, deleted when expired). */
    content: p.json<Record<string, unknown>>(),
    /** The dry run's report (counts and the rows that would change or are refused). */
    report: p.json<Record<string, unknown>>(),
    createdBy: p.string().length(32),
    createdAt: p.datetime(),
    confirmedAt: p.datetime().nullable(),
    expiresAt: p.datetime(),
  },
});
export type IImportBatch = InferEntity<typeof ImportBatch>;
