/**
 * Staff passwords for the console (docs/console.md): argon2id hashes (@node-rs/argon2, prebuilt, no
 * install script), one-time links to set them, and sign-in with a lockout after repeated failures.
 * Every sign-in, failed or not, and every password set or link sent is in the administrative audit
 * log (db/admin-audit.ts), in the same transaction as the change it records.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { appendAdminAudit } from './admin-audit';

/** Failed sign-ins in a row that lock an account, and for how long. */
export const LOCKOUT_AFTER_FAILURES = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** How long a mailed link to set a password works. */
export const PASSWORD_LINK_TTL_MS = 24 * 3_600_000;

/** What a console password must be: long rather than clever (NIST SP 800-63B). */
export const passwordSchema = () => z.string().min(10, 'at least 10 characters').max(200);

export const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A hash to verify against when the staff number is unknown or has no password, so that answering
 * "no" takes as long as checking a real password and the timing does not tell which staff numbers exist.
 */
let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hash(randomBytes(16).toString('hex')));

export type SignInOutcome =
  | { ok: true; staffId: string; propertyId: string }
  | { ok: false; reason: 'unknown' | 'no-password' | 'wrong-password' | 'locked'; lockedUntil?: Date };

interface CredentialRow {
  id: string;
  property_id: string;
  active: boolean;
  password_hash: string | null;
  failed_attempts: number | null;
  locked_until: string | null;
}

/**
 * Checks a staff number and password. A wrong password counts towards the lockout; at the limit the
 * account is locked for {@link LOCKOUT_MS}, and while locked even the right password is refused.
 * The outcome is audited either way (never the password).
 */
export async function signIn(em: EntityManager, staffId: string, password: string, from: { ip?: string }, now = new Date()): Promise<SignInOutcome> {
  const [row] = await em.execute<CredentialRow[]>(
    `select s.id, s.property_id, s.active, c.password_hash, c.failed_attempts, c.locked_until
       from staff s left join staff_credential c on c.staff_id = s.id where s.id = ?`,
    [staffId],
  );
  const audit = (action: string, detail: Record<string, unknown>) =>
    appendAdminAudit(em, { propertyId: row?.property_id ?? null, actorId: row ? staffId : 'anonymous', action, subject: staffId.slice(0, 200), detail: { ...detail, ip: from.ip ?? null } }, now);

  if (!row || !row.active || !row.password_hash) {
    await verify(await decoyHash(), password).catch(() => false);
    const reason = !row || !row.active ? 'unknown' : 'no-password';
    await audit('session.sign-in.failed', { reason });
    return { ok: false, reason };
  }
  const lockedUntil = row.locked_until ? (em.getPlatform().parseDate(row.locked_until) as Date) : null;
  if (lockedUntil && lockedUntil > now) {
    await audit('session.sign-in.failed', { reason: 'locked', lockedUntil: lockedUntil.toISOString() });
    return { ok: false, reason: 'locked', lockedUntil };
  }
  if (!(await verify(row.password_hash, password).catch(() => false))) {
    // One statement: two wrong passwords at once both count.
    const [after] = await em.execute<{ failed_attempts: number; locked_until: string | null }[]>(
      `update staff_credential set failed_attempts = case when locked_until is not null and locked_until <= ? then 1 else failed_attempts + 1 end,
              locked_until = case when (case when locked_until is not null and locked_until <= ? then 1 else failed_attempts + 1 end) >= ? then ?::timestamptz else null end
        where staff_id = ? returning failed_attempts, locked_until`,
      [now, now, LOCKOUT_AFTER_FAILURES, new Date(now.getTime() + LOCKOUT_MS), staffId],
    );
    const locked = after?.locked_until ? (em.getPlatform().parseDate(after.locked_until) as Date) : undefined;
    await audit('session.sign-in.failed', { reason: 'wrong-password', failedAttempts: after?.failed_attempts ?? null, ...(locked ? { lockedUntil: locked.toISOString() } : {}) });
    return locked ? { ok: false, reason: 'locked', lockedUntil: locked } : { ok: false, reason: 'wrong-password' };
  }
  await em.execute('update staff_credential set failed_attempts = 0, locked_until = null where staff_id = ?', [staffId]);
  await audit('session.sign-in', {});
  return { ok: true, staffId: row.id, propertyId: row.property_id };
}

/**
 * A fresh one-time link token for a staff member (stored only hashed). Earlier unused links of the
 * same staff member stop working: the newest mail is the one to use.
 */
export async function issuePasswordToken(
  em: EntityManager,
  staff: { id: string; propertyId: string },
  purpose: 'created' | 'reset',
  actorId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + PASSWORD_LINK_TTL_MS);
  await em.transactional(async (tx) => {
    await tx.execute('update staff_password_token set used_at = ? where staff_id = ? and used_at is null', [now, staff.id]);
    await tx.execute('insert into staff_password_token (token_hash, staff_id, purpose, issued_at, expires_at) values (?, ?, ?, ?, ?)', [tokenHash(token), staff.id, purpose, now, expiresAt]);
    await appendAdminAudit(tx, { propertyId: staff.propertyId, actorId, action: 'credential.link', subject: staff.id, detail: { purpose, expiresAt: expiresAt.toISOString() } }, now);
  });
  return { token, expiresAt };
}

/**
 * Sets the password of the link's staff member, once: the link is spent, the lockout cleared and
 * every console session of that staff member ended (whoever held the old password is signed out).
 */
export async function setPassword(em: EntityManager, token: string, password: string, now = new Date()): Promise<{ staffId: string } | { invalid: 'unknown' | 'expired' | 'used' }> {
  const passwordHash = await hash(password);
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ staff_id: string; property_id: string; expires_at: string; used_at: string | null; active: boolean }[]>(
      `select t.staff_id, s.property_id, t.expires_at, t.used_at, s.active from staff_password_token t join staff s on s.id = t.staff_id
        where t.token_hash = ? for update of t`,
      [tokenHash(token)],
    );
    if (!row || !row.active) return { invalid: 'unknown' as const };
    if (row.used_at) return { invalid: 'used' as const };
    if ((tx.getPlatform().parseDate(row.expires_at) as Date) <= now) return { invalid: 'expired' as const };
    await tx.execute('update staff_password_token set used_at = ? where token_hash = ?', [now, tokenHash(token)]);
    await tx.execute(
      `insert into staff_credential (staff_id, password_hash, password_set_at, failed_attempts, locked_until) values (?, ?, ?, 0, null)
       on conflict (staff_id) do update set password_hash = excluded.password_hash, password_set_at = excluded.password_set_at, failed_attempts = 0, locked_until = null`,
      [row.staff_id, passwordHash, now],
    );
    await tx.execute(`delete from http_session where sess->>'staffId' = ?`, [row.staff_id]);
    await appendAdminAudit(tx, { propertyId: row.property_id, actorId: row.staff_id, action: 'credential.set', subject: row.staff_id, detail: {} }, now);
    return { staffId: row.staff_id };
  });
}
