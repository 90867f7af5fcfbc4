/**
 * `npm start` keeps its worker running: the worker is a child process (scripts/worker-process.ts),
 * started again whenever it dies, after a pause that doubles with each death in a row (1 s up to
 * 30 s; a worker that ran for a minute starts the count over), each exit and restart logged. The
 * cases do not notice beyond the pause: Temporal keeps their timers, and a deadline that fell due
 * meanwhile fires when the worker is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { WorkerProcessMessage } from './worker-process';

const ROOT = join(__dirname, '..');
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30_000;
/** A worker that ran this long was healthy: its death starts the pauses from the first again. */
const HEALTHY_AFTER_MS = 60_000;
const STOP_LIMIT_MS = 30_000;

export interface SupervisedWorker {
  /**
   * Settles when the first worker runs, or fails if it dies first: that is an error for the caller
   * (the configuration or the stack is wrong), not a death to ride out.
   */
  readonly ready: Promise<void>;
  /** The pid of the worker running now (undefined between a death and its restart). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function superviseWorker(options: { env: NodeJS.ProcessEnv; bundlePath: string; logger: Logger }): SupervisedWorker {
  const { logger } = options;
  let current: ChildProcess | undefined;
  let supervising = false;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let deathsInARow = 0;

  const launch = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const startedAt = Date.now();
      // Node with tsx as a loader, not the `tsx` binary, which would put a wrapper process between us.
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-process.ts'), options.bundlePath], {
        cwd: ROOT,
        env: options.env,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Its own process group: a Ctrl-C reaches npm start, which stops the parts in order.
        detached: true,
      });
      current = child;
      child.once('error', reject);
      child.on('message', (message: WorkerProcessMessage) => {
        if (message.running) resolve(child);
      });
      child.once('exit', (code, signal) => {
        if (current === child) current = undefined;
        reject(new Error(`the worker exited (${signal ?? `code ${code}`}) before it ran`));
        if (stopping || !supervising) return;
        deathsInARow = Date.now() - startedAt >= HEALTHY_AFTER_MS ? 1 : deathsInARow + 1;
        const pause = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (deathsInARow - 1));
        logger.error({ workerPid: child.pid, code, signal, restartInMs: pause, deathsInARow }, 'the worker died; starting it again');
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          launch().then(
            (again) => logger.info({ workerPid: again.pid, deathsInARow }, 'worker running again'),
            () => undefined, // its exit handler has scheduled the next attempt
          );
        }, pause);
      });
    });

  const ready = launch().then(() => {
    supervising = true;
  });
  return {
    ready,
    get pid() {
      return current?.pid;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const child = current;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.disconnect(); // its lifeline: the worker shuts down cleanly
      else child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
      await exited;
      clearTimeout(force);
    },
  };
}
