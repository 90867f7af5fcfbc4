/**
 * Production shape, fault 3 — Postgres, which holds both Temporal's persistence and visibility and
 * the application's read model, is stopped in the middle of a burst of deadlines (a clean
 * shutdown) and started again `OUTAGE_MS` later (5 s in `npm test`, 60 s with FAULTS_FULL=1). The
 * Temporal server, the workers and the APIs keep running through it.
 * Checks: nothing is lost — every acceptance deadline escalates exactly once, no audit event is
 * written twice —, the API answers 503 (never a 500 or a hang) while the database is away, every
 * process is up afterwards, and the read model equals the workflows.
 */
import { checkConsistency } from '../../scripts/consistency';
import {
  acceptAll,
  BURST_CASES,
  type ClusterStack,
  countEscalations,
  everyEscalationSent,
  expectEveryEscalationOnce,
  figures,
  firstEscalation,
  openBurst,
  OUTAGE_MS,
  percentile,
  sleep,
  startBurstStack,
  until,
  workerHealth,
} from './harness';

jest.setTimeout(600_000);

const CASES = BURST_CASES;
let stack: ClusterStack;
beforeAll(async () => {
  stack = await startBurstStack();
});
afterAll(async () => stack?.close());

describe('production shape: Postgres restarted', () => {
  it('Postgres (Temporal\'s store and the read model) stopped and started during a burst of deadlines — nothing lost: every deadline escalates exactly once, and the read model equals the workflows', async () => {
    const burst = await openBurst(stack, CASES, 200);

    await firstEscalation(stack);
    const before = await countEscalations(stack, burst);
    const postgres = stack.cluster.postgres!;
    const stopping = Date.now();
    await postgres.stop();
    const stoppedAt = Date.now();
    // Meanwhile staff look at a case (the API needs the database for the key): 503, never a 500 or a hang.
    const duringOutage: number[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const answer = await Promise.race([stack.call('GET', `/repairs/${burst.caseIds[0]}`, 'S-SV1'), sleep(25_000).then(() => ({ status: 0 }))]);
      duringOutage.push(answer.status);
      await sleep(500);
    }
    const workerStatesDown = await Promise.all(stack.cluster.workers.map(workerHealth));
    const temporalUpDuringOutage = stack.cluster.temporal.running;
    const restartedAt = Date.now();
    await postgres.start();
    const backAt = Date.now();

    const after = await everyEscalationSent(stack, burst);
    const sentAfterRestart = [...after.sentAt.values()].filter((at) => at > restartedAt).length;
    const workerStates = await Promise.all(stack.cluster.workers.map(workerHealth));
    const accepted = await acceptAll(stack, burst);
    const consistency = await until(async () => {
      const r = await checkConsistency(stack.cluster.orm, stack.cluster.client);
      return r.mismatches.length === 0 ? r : undefined;
    }, 'read model consistent with the workflows').catch(() => checkConsistency(stack.cluster.orm, stack.cluster.client));
    const final = await countEscalations(stack, burst);

    figures('production shape: Postgres stopped and started during a burst of deadlines', {
      breaks: `Postgres stopped (SIGTERM, clean shutdown, ${((stoppedAt - stopping) / 1000).toFixed(1)} s) when the first of ${CASES} acceptance deadlines escalated, started again ${((restartedAt - stoppedAt) / 1000).toFixed(0)} s later; the Temporal server, workers and APIs kept running`,
      checks: 'nothing lost: every deadline escalates once, no audit event twice; the API answers 503 meanwhile; every process up afterwards; read model = workflows',
      'escalations sent before the stop': before.sentAt.size,
      'escalations sent after the restart': sentAfterRestart,
      'seconds Postgres took to accept connections again': ((backAt - restartedAt) / 1000).toFixed(1),
      'Temporal server still running through the outage': temporalUpDuringOutage,
      'lateness due → mail sent, ms (p50 / p99 / max)': `${percentile(final.lateness, 50)} / ${percentile(final.lateness, 99)} / ${final.lateness.at(-1)}`,
      'escalation events (accept:1.1)': final.events,
      'cases with the event twice': final.repeatedEvents,
      'mail deliveries / distinct messages': `${final.deliveries} / ${final.messages}`,
      'messages twice for one key': final.duplicateMessages,
      'duplicate audit seqs': final.duplicateAuditSeqs,
      'GET /repairs/{id} while down, by status': duringOutage.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
      'worker states while down': workerStatesDown,
      'worker /healthz after': workerStates,
      'accepts after the burst, by status': accepted.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
      'read-model mismatches (scripts/consistency.ts)': consistency.mismatches.length,
    });
    expect(before.sentAt.size).toBeLessThan(CASES);
    expect(sentAfterRestart).toBeGreaterThan(0);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const status of duringOutage) expect(status).toBe(503);
    expect(temporalUpDuringOutage).toBe(true);
    expect(stack.cluster.temporal.running).toBe(true);
    for (const api of stack.cluster.apis) expect(api.running).toBe(true);
    for (const state of workerStates) expect(state).toMatchObject({ status: 200, state: 'RUNNING' });
    expectEveryEscalationOnce(final, CASES);
    expect(accepted).toEqual(burst.caseIds.map(() => 200));
    expect(consistency.mismatches).toEqual([]);
  });
});
