/**
 * The worker as `npm start` runs it: a process of its own, so that a worker that crashes (or is
 * killed) takes neither the API nor the mail sink with it, and scripts/worker-supervisor.ts starts
 * it again. It runs worker.ts's createWorker on the workflow bundle start.ts built once, so a
 * restart does not bundle again. Its parent's IPC channel is its lifeline: it says "running"
 * through it, and when the channel closes — the parent stopped it, or died — it shuts down.
 */
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { openOrm } from '../db/orm';
import { createLogger } from '../logging';
import { createMailer, createWorker, workerRuntimeOptions } from '../worker';

/** How long a shutdown may take before the process ends anyway (activities in flight are retried elsewhere). */
const SHUTDOWN_LIMIT_MS = 20_000;

export interface WorkerProcessMessage {
  running: true;
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('scripts/worker-process.ts is started by `npm start` (scripts/worker-supervisor.ts), with an IPC channel');
  const bundlePath = process.argv[2];
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL || !config.SMTP_URL || !bundlePath) {
    throw new Error('the worker process needs TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL and the workflow bundle');
  }

  const started: { worker?: Worker } = {};
  const stop = () => {
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    if (started.worker?.getState() === 'RUNNING') started.worker.shutdown();
    else if (!started.worker) process.exit(0); // still starting: nothing to finish
  };
  process.once('disconnect', stop);
  // A Ctrl-C reaches the supervisor, which stops us through the channel; a signal of our own too.
  process.once('SIGTERM', stop);

  // The SDK's logs through pino, scrubbed, at LOG_LEVEL (logging.ts); metrics on this machine only.
  Runtime.install({ ...workerRuntimeOptions(config, createLogger(config.LOG_LEVEL), '127.0.0.1'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const orm = await openOrm(config.DATABASE_URL);
  const mailer = createMailer(config.SMTP_URL);
  const worker = await createWorker({ connection, orm, mailer, config }, { workflowBundle: { codePath: bundlePath } });
  started.worker = worker;
  const running = worker.run();
  send({ running: true } satisfies WorkerProcessMessage);
  await running;
  mailer.close();
  await orm.close();
  await connection.close();
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`[worker] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
