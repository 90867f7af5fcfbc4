/**
 * Production shape, fault 1 — one of the two worker processes is killed with `kill -9` in the
 * middle of a burst of deadlines, and not restarted. The cases it had in its cache wait on its
 * sticky queue until the server gives up on it and hands them to the other worker; the activities
 * it was running time out and are retried there.
 * Checks: every acceptance deadline escalates, exactly once (one audit event, one mail message per
 * case), the surviving worker did it, the cases go on (each re-dispatched engineer accepts), and
 * the read model equals the workflows (scripts/consistency.ts).
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
  percentile,
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

describe('production shape: a worker killed', () => {
  it('one of two workers killed with kill -9 during a burst of deadlines — the other takes over, and every deadline escalates exactly once', async () => {
    const [victim, survivor] = stack.cluster.workers;
    const burst = await openBurst(stack, CASES, 200);

    await firstEscalation(stack);
    const before = await countEscalations(stack, burst);
    const pid = victim.pid;
    await victim.kill();
    const killedAt = Date.now();

    const after = await everyEscalationSent(stack, burst);
    const sentAfterKill = [...after.sentAt.values()].filter((at) => at > killedAt).length;
    const survivorHealth = await workerHealth(survivor);
    const victimHealth = await workerHealth(victim);
    const accepted = await acceptAll(stack, burst);
    const consistency = await until(async () => {
      const r = await checkConsistency(stack.cluster.orm, stack.cluster.client);
      return r.mismatches.length === 0 ? r : undefined;
    }, 'read model consistent with the workflows').catch(() => checkConsistency(stack.cluster.orm, stack.cluster.client));
    const final = await countEscalations(stack, burst);

    figures('production shape: worker kill -9 during a burst of deadlines', {
      breaks: `kill -9 of ${victim.name} (pid ${pid}) when the first of ${CASES} acceptance deadlines (due over ${((Math.max(...burst.dueAt.values()) - Math.min(...burst.dueAt.values())) / 1000).toFixed(1)} s) escalated; not restarted`,
      checks: 'every deadline escalates once (audit event, mail message), by the surviving worker; the cases go on; read model = workflows',
      'escalations sent before the kill': before.sentAt.size,
      'escalations sent after the kill (by the survivor)': sentAfterKill,
      'lateness due → mail sent, ms (p50 / p99 / max)': `${percentile(final.lateness, 50)} / ${percentile(final.lateness, 99)} / ${final.lateness.at(-1)}`,
      'escalation events (accept:1.1)': final.events,
      'cases with the event twice': final.repeatedEvents,
      'mail deliveries / distinct messages': `${final.deliveries} / ${final.messages}`,
      'messages twice for one key': final.duplicateMessages,
      'duplicate audit seqs': final.duplicateAuditSeqs,
      'accepts after the burst, by status': accepted.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
      'survivor /healthz': survivorHealth,
      'killed worker /healthz': victimHealth,
      'read-model mismatches (scripts/consistency.ts)': consistency.mismatches.length,
    });
    // The kill came while the burst was still falling due, and the survivor carried the rest.
    expect(before.sentAt.size).toBeLessThan(CASES);
    expect(sentAfterKill).toBeGreaterThan(0);
    expect(survivorHealth).toMatchObject({ status: 200, state: 'RUNNING' });
    expect(victimHealth).toBe('no answer');
    // Exactly once.
    expectEveryEscalationOnce(final, CASES);
    expect(accepted).toEqual(burst.caseIds.map(() => 200));
    expect(consistency.mismatches).toEqual([]);
  });
});
