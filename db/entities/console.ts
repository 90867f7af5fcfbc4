import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A staff member's console password (docs/console.md): only its argon2id hash, and the failed
 * sign-ins that lock it for a while. API keys stay on `staff` for integrations.
 */
export const StaffCredential = defineEntity({
  name: 'StaffCredential',
  tableName: 'staff_credential',
  properties: {
    staffId: p.string().primary().length(32),
    passwordHash: p.string().length(200),
    passwordSetAt: p.datetime(),
    /** Failed sign-ins since the last success; at the limit the account locks until `lockedUntil`. */
    failedAttempts: p.integer().default(0),
    lockedUntil: p.datetime().nullable(),
  },
});
export type IStaffCredential = InferEntity<typeof StaffCredential>;

/**
 * A one-time link to set a password, mailed when an account is created or reset: stored only as its
 * SHA-256, working once until `expiresAt`.
 */
export const StaffPasswordToken = defineEntity({
  name: 'StaffPasswordToken',
  tableName: 'staff_password_token',
  properties: {
    tokenHash: p.string().primary().length(64),
    staffId: p.string().length(32).index(),
    /** created | reset: why it was sent. */
    purpose: p.string().length(16),
    issuedAt: p.datetime(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});

/** A signed-in console session (express-session through connect-pg-simple's table layout). */
export const HttpSession = defineEntity({
  name: 'HttpSession',
  tableName: 'http_session',
  properties: {
    sid: p.string().primary().length(255),
    sess: p.json<Record<string, unknown>>(),
    expire: p.datetime().index(),
  },
});

/**
 * A file kept with a case: a photo before or after the repair, or the customer's signature at the
 * sign-off (R8 验收签字). The bytes are in the attachment store (api/attachments.ts); this row says
 * what they are. One row per case, kind and content: an upload sent again is the same attachment.
 */
export const CaseAttachment = defineEntity({
  name: 'CaseAttachment',
  tableName: 'case_attachment',
  uniques: [{ properties: ['caseId', 'kind', 'sha256'] }],
  properties: {
    id: p.string().primary().length(40),
    caseId: p.string().length(32).index(),
    /** before | after | signature */
    kind: p.string().length(16),
    storageKey: p.string().length(200),
    mediaType: p.string().length(64),
    bytes: p.integer(),
    width: p.integer(),
    height: p.integer(),
    sha256: p.string().length(64),
    uploadedBy: p.string().length(32),
    uploadedAt: p.datetime(),
  },
});
export type ICaseAttachment = InferEntity<typeof CaseAttachment>;

/**
 * A resident's personal link to follow one case (like the survey link): a random token mailed to the
 * household, stored only as its SHA-256, working for that case only until `expiresAt`.
 */
export const CaseLinkToken = defineEntity({
  name: 'CaseLinkToken',
  tableName: 'case_link_token',
  properties: {
    tokenHash: p.string().primary().length(64),
    caseId: p.string().length(32).index(),
    issuedAt: p.datetime(),
    expiresAt: p.datetime(),
  },
});

/** The resident's answer to the satisfaction question on the case page; one per case, the first wins. */
export const CaseFeedback = defineEntity({
  name: 'CaseFeedback',
  tableName: 'case_feedback',
  properties: {
    caseId: p.string().primary().length(32),
    satisfied: p.boolean(),
    comment: p.text().nullable(),
    answeredAt: p.datetime(),
  },
});
