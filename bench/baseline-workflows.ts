/** The baselines' trivial workflow: it waits for a signal, and answers an update at once. */
import { condition, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';

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
