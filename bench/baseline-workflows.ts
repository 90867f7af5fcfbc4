/** The baselines' trivial workflow: it waits for a signal, and answers an update at once. */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

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
