/** The baselines' trivial workflows: one waits for a signal and answers an update at once; bench:server's runs given commands. */
import { CancellationScope, condition, defineSignal, defineUpdate, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { AreaId, AssigneeId, CaseStatus, CaseType, DueAt, Escalated, Severity, SlaState } from '../workflows/search-attributes';

export const finish = defineSignal('finish');
export const ping = defineUpdate<number, [number]>('ping');

export async function benchWaiter(): Promise<void> {
  let done = false;
  setHandler(finish, () => {
    done = true;
  });
  setHandler(ping, (n: number) => n + 1);
  await condition(() => done);
}

/** The deadline baseline: sleep until `dueAtMs`, then report when the workflow woke (its task's time). */
export async function benchTimer(dueAtMs: number): Promise<number> {
  const wait = dueAtMs - Date.now();
  if (wait > 0) await sleep(wait);
  return Date.now();
}

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

/** What one workflow task of bench:server does after each `finish` signal. */
export interface StepsInput {
  rounds: number;
  /** Upserts of all eight case search attributes. */
  upserts: number;
  /** Activities, run in parallel. */
  activities: number;
  /** Timers started (and the previous round's cancelled). */
  timers: number;
}

/**
 * bench:server: per round, a signal and the commands of `input`, so that the dev server's CPU per
 * round, less a round of the signal alone, is what those commands cost it.
 */
export async function benchSteps(input: StepsInput): Promise<void> {
  let signals = 0;
  setHandler(finish, () => {
    signals++;
  });
  let scope: CancellationScope | undefined;
  for (let round = 1; round <= input.rounds; round++) {
    await condition(() => signals >= round);
    if (input.activities > 0) await Promise.all(Array.from({ length: input.activities }, () => noop()));
    if (input.timers > 0) {
      scope?.cancel();
      const timers = new CancellationScope();
      scope = timers;
      timers.run(() => Promise.all(Array.from({ length: input.timers }, (_, i) => sleep(3_600_000 + i * 1000)))).catch(() => undefined);
    }
    for (let u = 0; u < input.upserts; u++) {
      upsertSearchAttributes([
        { key: CaseType, value: 'repair' },
        { key: AreaId, value: 'A1' },
        { key: CaseStatus, value: `round-${round}-${u}` },
        { key: Severity, value: 'urgent' },
        { key: AssigneeId, value: 'S-EN1' },
        { key: SlaState, value: 'ok' },
        { key: Escalated, value: false },
        { key: DueAt, value: new Date(Date.UTC(2026, 10, 23, 3, round, u)) },
      ]);
    }
  }
}
