/**
 * The resident's personal link to one case (docs/console.md): like the survey link, a random token
 * (256 bits, base64url) mailed to the household and stored only as its SHA-256, bound to that case
 * and working until it expires. Each mail carries a fresh one; the token is minted inside the mail
 * activity, so it is in no workflow history.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Orm } from './orm';

/** How long a case link works after it was mailed: past the return visit of any repair. */
export const CASE_LINK_TTL_MS = 60 * 24 * 3_600_000;

export const caseLinkHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export async function issueCaseLink(orm: Orm, caseId: string, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await orm.em
    .getConnection()
    .execute('insert into case_link_token (token_hash, case_id, issued_at, expires_at) values (?, ?, ?, ?)', [caseLinkHash(token), caseId, now, new Date(now.getTime() + CASE_LINK_TTL_MS)]);
  return token;
}

/** The case a token opens, or why it opens none. */
export async function caseOfLink(orm: Orm, token: string, now = new Date()): Promise<{ caseId: string } | { invalid: 'unknown' | 'expired' }> {
  const [row] = await orm.em
    .getConnection()
    .execute<{ case_id: string; expires_at: string }[]>('select case_id, expires_at from case_link_token where token_hash = ?', [caseLinkHash(token)]);
  if (!row) return { invalid: 'unknown' };
  if ((orm.em.getPlatform().parseDate(row.expires_at) as Date) <= now) return { invalid: 'expired' };
  return { caseId: row.case_id };
}
