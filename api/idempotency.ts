import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { IdempotentRequest } from '../db/entities';
import { HttpProblem } from './problem';
import type { OperationResult } from './contract';

/** Stable across key order, so the same JSON body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim();
  if (key.length < 8 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new HttpProblem(400, 'Invalid request', 'Idempotency-Key must be 8–200 visible ASCII characters', {
      'invalid-params': [{ name: 'Idempotency-Key', in: 'header', reason: 'must be 8–200 visible ASCII characters' }],
    });
  }
  return key;
}

const DAY_MS = 86_400_000;

/**
 * Runs a creating request at most once per (staff, key). `claim` reserves the resource id inside
 * the same transaction as the key, so a retry after a crash reuses it (and the workflow ID built
 * from it) instead of opening a second case. A record lives `ttlDays` (IDEMPOTENCY_TTL_DAYS): a
 * retry is a matter of minutes, and a key older than that is a new request — with it, a client may
 * use the key again for another body.
 */
export async function withIdempotency(
  em: EntityManager,
  input: { staffId: string; key: string | undefined; body: unknown; ttlDays: number },
  claim: (tx: EntityManager) => Promise<string>,
  work: (resourceId: string) => Promise<OperationResult>,
): Promise<OperationResult> {
  if (!input.key) return work(await claim(em));
  const requestHash = createHash('sha256').update(canonical(input.body)).digest('hex');
  const reserve = () => em.transactional(async (tx) => {
    const existing = await tx.findOne(IdempotentRequest, { staffId: input.staffId, key: input.key! }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
    if (existing && existing.createdAt.getTime() > Date.now() - input.ttlDays * DAY_MS) return existing;
    const fresh = { requestHash, resourceId: await claim(tx), statusCode: null, response: null, createdAt: new Date() };
    // Expired and not purged yet: the row starts over as this request's.
    const record = existing ? Object.assign(existing, fresh) : tx.create(IdempotentRequest, { staffId: input.staffId, key: input.key!, ...fresh });
    await tx.flush();
    return record;
  });
  // Two concurrent first requests: the loser of the insert race reads the winner's row.
  const record = await reserve().catch((error: unknown) => {
    if (error instanceof UniqueConstraintViolationException) return reserve();
    throw error;
  });
  if (record.requestHash !== requestHash) {
    throw new HttpProblem(422, 'Idempotency-Key reused', 'this Idempotency-Key was already used with a different body');
  }
  if (record.statusCode !== null && record.statusCode !== undefined) {
    return { status: record.statusCode, body: record.response, headers: { 'Idempotent-Replayed': 'true' } };
  }
  const result = await work(record.resourceId!);
  await em.nativeUpdate(IdempotentRequest, { staffId: input.staffId, key: input.key }, { statusCode: result.status, response: result.body as never });
  return result;
}

/**
 * Deletes the idempotency records older than `ttlDays`, a batch at a time so a long-unpurged table
 * does not become one long transaction; answers how many went.
 */
export async function purgeExpiredIdempotency(em: EntityManager, ttlDays: number, now = new Date(), batch = 5000): Promise<number> {
  const cutoff = new Date(now.getTime() - ttlDays * DAY_MS);
  let purged = 0;
  for (;;) {
    const deleted = await em.execute(
      'delete from idempotent_request where ctid in (select ctid from idempotent_request where created_at < ? limit ?)',
      [cutoff, batch],
      'run',
    );
    const count = (deleted as { affectedRows?: number }).affectedRows ?? 0;
    purged += count;
    if (count < batch) return purged;
  }
}

/**
 * Purges expired idempotency records now and every `everyMs` in this API process (every replica
 * does; a second purge finds nothing). A failed purge waits for the next round: an outage of the
 * database must not stop the API. Answers the stop.
 */
export function expireIdempotencyRecords(em: () => EntityManager, ttlDays: number, onError: (error: unknown) => void, everyMs = 3_600_000): () => void {
  const run = () => void purgeExpiredIdempotency(em(), ttlDays).catch(onError);
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
