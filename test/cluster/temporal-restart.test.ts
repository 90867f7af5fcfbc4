/**
 * Production shape, fault 2 — the Temporal server (on Postgres) is stopped in the middle of a burst
 * of deadlines (SIGTERM, as `docker compose stop` does) and started again on the same database
 * `OUTAGE_MS` later (5 s in `npm test`, 60 s with FAULTS_FULL=1); the deadlines that fall due
 * meanwhile wait in its timer queues. Both workers and both APIs keep running through it.
 * Checks: every acceptance deadline escalates exactly once, the workers poll again by themselves,
 * a case's live view asked while the server is away is answered (503, or the view if the server is
 * back within the API's 15 s) — never a 500 or a hang —, and afterwards the read model equals the
 * workflows.
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

describe('production shape: the Temporal server restarted', () => {
  it('the Temporal server stopped and started during a burst of deadlines — every deadline escalates exactly once, the workers carry on by themselves', async () => {
    const burst = await openBurst(stack, CASES, 200);

    await firstEscalation(stack);
    const before = await countEscalations(stack, burst);
    const stopping = Date.now();
    await stack.cluster.temporal.stop();
    const stoppedAt = Date.now();
    // Meanwhile staff look at a case (a workflow query, which the API gives 15 s): a 503, or the view
    // once the server is back within those 15 s — never a 500 or a hang.
    const duringOutage: number[] = [];
    let down = true;
    const probing = (async () => {
      while (down) {
        const answer = await Promise.race([stack.call('GET', `/repairs/${burst.caseIds[0]}`, 'S-SV1'), sleep(25_000).then(() => ({ status: 0 }))]);
        duringOutage.push(answer.status);
        await sleep(500);
      }
    })();
    await sleep(OUTAGE_MS);
    const workerStatesDown = await Promise.all(stack.cluster.workers.map(workerHealth));
    const restartedAt = Date.now();
    down = false;
    await stack.cluster.temporal.start();
    const backAt = Date.now();
    await probing;

    const after = await everyEscalationSent(stack, burst);
    const sentAfterRestart = [...after.sentAt.values()].filter((at) => at > restartedAt).length;
    const workerStates = await Promise.all(stack.cluster.workers.map(workerHealth));
    const accepted = await acceptAll(stack, burst);
    const consistency = await until(async () => {
      const r = await checkConsistency(stack.cluster.orm, stack.cluster.client);
      return r.mismatches.length === 0 ? r : undefined;
    }, 'read model consistent with the workflows').catch(() => checkConsistency(stack.cluster.orm, stack.cluster.client));
    const final = await countEscalations(stack, burst);

    figures('production shape: Temporal server stopped and started during a burst of deadlines', {
      breaks: `the Temporal server stopped (SIGTERM, ${((stoppedAt - stopping) / 1000).toFixed(1)} s to exit) when the first of ${CASES} acceptance deadlines escalated, started again ${((restartedAt - stoppedAt) / 1000).toFixed(0)} s later on the same Postgres`,
      checks: 'every deadline escalates once; workers poll again by themselves; the API answers 503 or, once the server is back, 200 — never a 500 or a hang; read model = workflows',
      'escalations sent before the stop': before.sentAt.size,
      'escalations sent after the restart': sentAfterRestart,
      'seconds the restarted server took to serve': ((backAt - restartedAt) / 1000).toFixed(1),
      'lateness due → mail sent, ms (p50 / p99 / max)': `${percentile(final.lateness, 50)} / ${percentile(final.lateness, 99)} / ${final.lateness.at(-1)}`,
      'escalation events (accept:1.1)': final.events,
      'cases with the event twice': final.repeatedEvents,
      'mail deliveries / distinct messages': `${final.deliveries} / ${final.messages}`,
      'messages twice for one key': final.duplicateMessages,
      'duplicate audit seqs': final.duplicateAuditSeqs,
      'GET /repairs/{id} asked while down, by status': duringOutage.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
      'worker states while down': workerStatesDown,
      'worker /healthz after': workerStates,
      'accepts after the burst, by status': accepted.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
      'read-model mismatches (scripts/consistency.ts)': consistency.mismatches.length,
    });
    expect(before.sentAt.size).toBeLessThan(CASES);
    expect(sentAfterRestart).toBeGreaterThan(0);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const status of duringOutage) expect([200, 503]).toContain(status);
    for (const state of workerStates) expect(state).toMatchObject({ status: 200, state: 'RUNNING' });
    expectEveryEscalationOnce(final, CASES);
    expect(accepted).toEqual(burst.caseIds.map(() => 200));
    expect(consistency.mismatches).toEqual([]);
  });
});
