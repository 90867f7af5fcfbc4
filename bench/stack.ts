/**
 * A throwaway embedded stack for benchmarks, on random ports so it never clashes with `npm start`:
 * a Temporal dev server (SQLite in memory), an embedded Postgres, a mail sink, the real worker and API.
 * Also a trivial worker for the baselines (raw start / update round trips on the same server).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import { startApi, type RunningApi } from '../api/server';
import { loadConfig, type Config } from '../config';
import { freshPayloadKeys, sealedDataConverter } from '../payload-codec';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { migrate, openOrm, type Orm } from '../db/orm';
import { seedDemo, type SeedResult } from '../db/seed';
import type { ServicePolicyInput } from '../domain/policy';
import { devServerOptions, resolveTemporalCli } from '../scripts/temporal-cli';
import { startMailSink } from '../scripts/mail-sink';
import { createMailer, createWorker } from '../worker';
import { freePort } from '../scripts/free-port';
import { machineFacts } from './lib';

export interface BenchStack {
  config: Config;
  orm: Orm;
  client: Client;
  api: RunningApi;
  seed: SeedResult;
  worker: Worker;
  /** A worker for `benchWaiter` on its own task queue: the baseline's trivial workflow. */
  baselineWorker: Worker;
  baselineQueue: string;
  facts: Record<string, string>;
  /** Where the mail sink writes every message it receives, one .eml file each. */
  mailDir: string;
  keyOf(staffId: string): string;
  close(): Promise<void>;
}

/**
 * Waits until the worker is done setting these cases up: each has its deadline in the read model,
 * no mail is unsent, and no audit event or mail is still coming (their counts hold still for one
 * poll). Returns when the last change was seen (a `performance.now()` time).
 */
export async function workerDoneWith(stack: Pick<BenchStack, 'orm'>, caseIds: string[], pollMs: number): Promise<number> {
  let lastChange = performance.now();
  for (let lastWritten = -1; ; await new Promise((r) => setTimeout(r, pollMs))) {
    const [row] = await stack.orm.em.getConnection().execute<{ due: string; unsent: string; written: string }[]>(
      `select (select count(*) from service_case where id in (${caseIds.map(() => '?').join(', ')}) and due_at is not null) as due,
              (select count(*) from notification where status <> 'sent') as unsent,
              (select count(*) from case_event) + (select count(*) from notification) as written`,
      caseIds,
    );
    const written = Number(row.written);
    if (Number(row.due) === caseIds.length && Number(row.unsent) === 0 && written === lastWritten) return lastChange;
    if (written !== lastWritten) lastChange = performance.now();
    lastWritten = written;
  }
}

let runtimeInstalled = false;

export async function startBenchStack(
  options: {
    policy?: ServicePolicyInput;
    maxCachedWorkflows?: number;
    debugMode?: boolean;
    /** The dev server's dynamic config, when a bench compares a setting (default: what every dev server gets). */
    dynamicConfig?: Record<string, boolean | number | string>;
    /** A workflow bundle built once, for a bench that starts several stacks in one run. */
    workflowBundle?: WorkflowBundleWithSourceMap;
    /** Settings of the stack's config (the API's and the worker's) a bench compares. */
    env?: Record<string, string>;
  } = {},
): Promise<BenchStack> {
  // A bench may start several stacks one after another in one process; the runtime is one per process.
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  runtimeInstalled = true;
  const cli = resolveTemporalCli();
  if (cli.kind !== 'path') throw new Error('benchmarks need a local Temporal CLI (npm run temporal:cli)');
  const dir = mkdtempSync(join(tmpdir(), 'wuye-bench-'));
  chmodSync(dir, 0o755);
  const [env, pg, sink] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli.path }, ...devServerOptions({ dynamicConfig: options.dynamicConfig }), log: { format: 'pretty', level: 'error' } },
    }),
    (async () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), database: 'bench' }))(),
    (async () => startMailSink({ dir: join(dir, 'mail'), port: await freePort() }))(),
  ]);
  const config = loadConfig({
    TEMPORAL_ADDRESS: env.address,
    DATABASE_URL: pg.url,
    SMTP_URL: sink.url,
    TEMPORAL_TASK_QUEUE: 'bench',
    LOG_LEVEL: 'silent',
    // The load comes from one demo key: measure the pipeline, not the per-key limiter.
    RATE_LIMIT_PER_SECOND: '10000',
    RATE_LIMIT_BURST: '100000',
    ...freshPayloadKeys(),
    ...options.env,
  });
  const orm = await openOrm(pg.url, { poolMax: 20 });
  await migrate(orm);
  const seed = await seedDemo(orm, { policy: options.policy });
  const nativeConnection = await NativeConnection.connect({ address: env.address });
  const mailer = createMailer(sink.url);
  // The production worker's cache (the SDK sizes it from the heap) unless a bench needs another.
  const cache = options.maxCachedWorkflows ? { maxCachedWorkflows: options.maxCachedWorkflows } : {};
  // debugMode runs workflows on the main thread, so a heap snapshot of the process holds them. It
  // must reuse one V8 context as the threads do: without reuseV8Context the SDK gives debug mode a
  // context per workflow, and the snapshot would show every module evaluated per case.
  const threads = options.debugMode ? { debugMode: true, reuseV8Context: true } : {};
  const worker = await createWorker(
    { connection: nativeConnection, orm, mailer, config },
    { ...cache, ...threads, ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}), maxConcurrentActivityTaskExecutions: 100 },
  );
  const baselineQueue = 'bench-baseline';
  const baselineWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: baselineQueue,
    workflowsPath: require.resolve('./baseline-workflows'),
    // The same sealed payloads as the cases': the ratios compare workflows, not the codec.
    dataConverter: sealedDataConverter(config),
    ...cache,
    ...threads,
  });
  const running = [worker.run(), baselineWorker.run()];
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(config) });
  // BENCH_API_LOG=error shows why the API refused a request under load.
  const api = await startApi({ config, orm, temporal: client, logger: pino({ level: process.env.BENCH_API_LOG ?? 'silent' }), port: 0, metricsPort: 0, host: '127.0.0.1' });
  const facts = { ...machineFacts(cli.path), 'rate limit': 'raised for the run (one key carries the whole load)' };
  return {
    config,
    orm,
    client,
    api,
    seed,
    worker,
    baselineWorker,
    baselineQueue,
    facts,
    mailDir: join(dir, 'mail'),
    keyOf: (id) => seed.staff.find((s) => s.id === id)!.apiKey,
    async close() {
      await api.close();
      worker.shutdown();
      baselineWorker.shutdown();
      await Promise.all(running);
      await connection.close();
      await nativeConnection.close();
      mailer.close();
      await orm.close(true);
      await sink.close();
      await env.teardown();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
