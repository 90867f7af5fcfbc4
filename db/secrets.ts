/**
 * Secrets we hand out and store only as digests: staff API keys and the residents' survey-link
 * tokens. A lookup is by digest, so a database dump reveals neither (docs/security.md).
 */
import { createHash, randomBytes } from 'node:crypto';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newApiKey(): string {
  return `wy_${randomBytes(24).toString('base64url')}`;
}

/** A survey link's token as it is stored and looked up. */
export function surveyTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
