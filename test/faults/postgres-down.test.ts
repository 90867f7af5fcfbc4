/**
 * Fault 3 — Postgres is stopped under traffic (5 s in `npm test`, 60 s in `npm run test:faults`).
 * Checks: every API request that needs the database is answered 503 + Retry-After as
 * problem+json — never 500, never a hang; activities retry with backoff meanwhile; after recovery
 * the read model equals every workflow's state (scripts/consistency.ts).
 */
import { checkConsistency } from '../../scripts/consistency';
import { figures, OUTAGE_MS, sleep, startFaultStack, until, type FaultStack } from './harness';

jest.setTimeout(600_000);

/** No answer in this long is a hang (the pool gives up on a connection after 5 s). */
const HANG_MS = 20_000;

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
  await stack.usePolicy(600);
});
afterAll(async () => stack?.close());

const newRepair = (i: number) => ({
  room: `2-1-${(1 + (i % 13)) * 100 + 2}`, contactName: '李女士', contactPhone: '13900139000', channel: 'phone', description: '卫生间漏水', classification: 'general',
});

async function timedCall(method: string, path: string, body?: unknown) {
  const started = Date.now();
  try {
    const res = await Promise.race([
      stack.call(method, path, 'S-FD1', body),
      sleep(HANG_MS).then(() => {
        throw new Error('hang');
      }),
    ]);
    return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') ?? '', body: res.body };
  } catch {
    return { status: 0, ms: Date.now() - started, retryAfter: null, type: '', body: undefined };
  }
}

describe('fault: Postgres down', () => {
  it('postgres down: with Postgres stopped under traffic the API answers 503 + Retry-After (never 500, never a hang), activities retry, and afterwards the read model equals every workflow', async () => {
    const cases: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await timedCall('POST', '/repairs', newRepair(i));
      expect(res.status).toBe(201);
      cases.push(res.body.caseId);
    }
    for (const caseId of cases.slice(0, 2)) {
      const engineer = await until(async () => (await stack.call('GET', `/repairs/${caseId}`, 'S-SV1')).body.assigneeId as string | undefined, 'assigned');
      expect((await stack.call('POST', `/repairs/${caseId}/accept`, engineer, {})).status).toBe(200);
    }

    await stack.postgres.stop();
    const outageStarted = Date.now();
    const answers: Awaited<ReturnType<typeof timedCall>>[] = [];
    let maxAttempt = 0;
    let i = 0;
    while (Date.now() - outageStarted < OUTAGE_MS) {
      const batch = await Promise.all([
        timedCall('POST', '/repairs', newRepair(i++)),
        timedCall('GET', `/repairs/${cases[0]}`),
        timedCall('GET', '/repairs?limit=5'),
        timedCall('POST', `/repairs/${cases[2]}/markInvalid`, { reason: '测试' }),
      ]);
      answers.push(...batch);
      // The workflows' activities (deadlines keep firing: R2 accept, R4 repair) fail and retry.
      for (const caseId of cases) {
        const described = await stack.client.workflow.getHandle(`repair-${caseId}`).describe();
        for (const a of described.raw.pendingActivities ?? []) maxAttempt = Math.max(maxAttempt, a.attempt ?? 0);
      }
      await sleep(500);
    }
    // Also the attempts the worker itself reports failed (a retry can fall between two describes above).
    for (const failed of stack.worker.failedAttempts) maxAttempt = Math.max(maxAttempt, failed.attempt);
    const outageMs = Date.now() - outageStarted;
    await stack.postgres.start();

    // After recovery: the API answers again, every retried activity lands, read model = workflows.
    await until(async () => (await stack.call('GET', `/repairs/${cases[0]}`, 'S-SV1')).status === 200, 'API answering again');
    // The compressed deadlines keep moving cases after recovery, so one snapshot can catch a case whose
    // workflow has moved a moment before its activity writes the row: the check is that the read model
    // converges (as in the other fault tests), not that a second snapshot taken later finds nothing in flight.
    const recovered = Date.now();
    const firstAfter = await checkConsistency(stack.orm, stack.client);
    const after = await until(async () => {
      const r = await checkConsistency(stack.orm, stack.client);
      return r.mismatches.length === 0 ? r : undefined;
    }, 'read model consistent with the workflows', 240_000).catch(() => checkConsistency(stack.orm, stack.client));
    const convergedMs = Date.now() - recovered;

    const statuses = answers.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    figures('Postgres stopped under traffic', {
      breaks: `Postgres stopped for ${(outageMs / 1000).toFixed(0)} s (SIGTERM, clean shutdown) while staff keep calling`,
      checks: '503 + Retry-After + problem+json on every request needing the DB, no 500, no hang; activities retry; read model = workflows afterwards',
      'requests during the outage': answers.length,
      'answers by status': statuses,
      '500s': answers.filter((a) => a.status >= 500 && a.status !== 503).length,
      'hangs (no answer in 20 s)': answers.filter((a) => a.status === 0).length,
      'slowest answer (ms)': Math.max(...answers.map((a) => a.ms)),
      'highest activity attempt seen during the outage': maxAttempt,
      cases: after.cases,
      'read-model mismatches at the first check after recovery': firstAfter.mismatches.length,
      'read-model mismatches once converged': after.mismatches.length,
      'seconds from the API answering again to a consistent read model': (convergedMs / 1000).toFixed(1),
    });
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.type).toContain('application/problem+json');
    }
    expect(maxAttempt).toBeGreaterThan(1);
    expect(after.mismatches).toEqual([]);
    expect(after.unknownToTemporal).toEqual([]);
  });
});
