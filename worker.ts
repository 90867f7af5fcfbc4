/**
 * The worker process: runs every workflow and activity on the task queue. Run more replicas to
 * scale out (docker-compose.yml). Its dependencies are built once here (docs/architecture.md §4).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode, type BundleOptions, type RuntimeOptions, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { createActivities } from './activities';
import { announceMissingCalendars } from './activities/calendar';
import { assertDeployable, loadConfig, type Config } from './config';
import { coreLogFilter, createLogger, scrub, sdkLogger } from './logging';
import { openOrm, type Orm } from './db/orm';
import { failureConverterPath, sealedDataConverter } from './payload-codec';
import { ensureSchedules, scheduledProperties } from './schedules';

/** A module of workflows/: TypeScript when run with tsx or jest, compiled JS in the production image. */
function workflowModule(name: string): string {
  const ts = join(__dirname, 'workflows', `${name}.ts`);
  return existsSync(ts) ? ts : join(__dirname, 'workflows', `${name}.js`);
}

export function workflowsPath(): string {
  return workflowModule('index');
}

/**
 * The SMTP transport of the worker: a small pool of connections kept open between mails, so a
 * notification costs one SMTP transaction rather than a connection, a greeting and EHLO each time
 * (parameters in the URL, e.g. `?pool=false`, still win).
 */
export function createMailer(smtpUrl: string): Transporter {
  return nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 5 });
}

export interface WorkerDeps {
  connection: NativeConnection;
  orm: Orm;
  mailer: Transporter;
  config: Config;
  clock?: () => Date;
}

/** The Temporal SDK's runtime metrics (task slots, poll and schedule-to-start latencies, cache) for Prometheus at WORKER_METRICS_PORT. */
export function workerTelemetry(config: Config, host: string): RuntimeOptions['telemetryOptions'] {
  if (!config.WORKER_METRICS_PORT) return undefined;
  return { metrics: { prometheus: { bindAddress: `${host}:${config.WORKER_METRICS_PORT}` } } };
}

/**
 * The SDK runtime of a worker process: its logs and its Rust core's through `logger` (pino JSON at
 * LOG_LEVEL, scrubbed: logging.ts) instead of the SDK's default console lines, which ignore
 * LOG_LEVEL and print a failed activity's error whole — MikroORM's message quotes the row.
 */
export function workerRuntimeOptions(config: Config, logger: Logger, metricsHost: string): RuntimeOptions {
  return {
    logger: sdkLogger(logger),
    telemetryOptions: { ...workerTelemetry(config, metricsHost), logging: { filter: coreLogFilter(config.LOG_LEVEL), forward: {} } },
  };
}

/**
 * How the workflow bundle is built. zod is preloaded (workflows/shared-modules.ts): evaluated once in
 * the worker's reusable context and shared by every workflow, instead of once per cached workflow. The
 * schemas themselves are built where they are used (workflows/messages.ts).
 *
 * Not `preloadModules: ['zod']`: zod declares itself free of side effects, and webpack drops a bare
 * `require` of such a package whose result is unused, which is what a preload entry is — the bundle
 * said `preloadModules() { 0; }`. A `require` would also pick the package's CommonJS build, another
 * module than the ES build the workflows import.
 */
function workflowBundlerOptions(): Pick<BundleOptions, 'preloadModules' | 'failureConverterPath'> {
  return { preloadModules: [workflowModule('shared-modules')], failureConverterPath: failureConverterPath() };
}

/**
 * The bundle createWorker would build, built ahead — the test suite builds it once for all its
 * workers — without webpack's report on the console.
 */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const quiet = () => undefined;
  const logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), ...workflowBundlerOptions(), logger });
}

/**
 * How a worker stops (SIGTERM from `docker compose stop`, or Ctrl-C): it stops polling, lets its
 * running activities finish for `graceMs` (then cancels them: their attempts fail and are retried
 * elsewhere), and gives up waiting at `forceMs`. Both end before compose's `stop_grace_period`
 * for the worker (60 s), after which Docker kills it outright; test/unit/compose.test.ts holds them to it.
 */
export const WORKER_SHUTDOWN = { graceMs: 40_000, forceMs: 50_000 } as const;

/**
 * A worker on the task queue, its payloads and failures sealed (payload-codec.ts): without the
 * payload keys it is not created at all (PayloadKeysError), rather than failing every task it takes.
 */
export async function createWorker(deps: WorkerDeps, overrides: Partial<WorkerOptions> = {}): Promise<Worker> {
  const dataConverter = sealedDataConverter(deps.config);
  const bundle = overrides.workflowBundle ?? (deps.config.WORKFLOW_BUNDLE ? { codePath: deps.config.WORKFLOW_BUNDLE } : undefined);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    activities: createActivities({ orm: deps.orm, mailer: deps.mailer, config: deps.config, clock: deps.clock ?? (() => new Date()) }),
    ...(deps.config.WORKER_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: deps.config.WORKER_MAX_CACHED_WORKFLOWS } : {}),
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: workflowsPath(), bundlerOptions: workflowBundlerOptions() }),
    shutdownGraceTime: WORKER_SHUTDOWN.graceMs,
    shutdownForceTime: WORKER_SHUTDOWN.forceMs,
    ...overrides,
  });
}

/**
 * `GET /healthz` of a worker process: 200 while its worker polls (state RUNNING), 503 in any other
 * state — starting, draining, stopped, or failed (a worker whose polls failed for good stops as
 * FAILED while the process may still be up). The body names the state. Compose's healthcheck and
 * the production-shaped stack (scripts/cluster.ts) read it; a TCP connect to Temporal proved nothing
 * about the worker. node:http, not express: one route, and nothing for the worker to parse.
 */
export function serveWorkerHealth(worker: Pick<Worker, 'getState'>, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/healthz') {
      res.writeHead(404).end();
      return;
    }
    const state = worker.getState();
    res.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ state }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL || !config.SMTP_URL) {
    throw new Error('worker.ts needs TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL; `npm start` sets them for the embedded stack.');
  }
  assertDeployable(config);
  // Before anything connects: a worker without the payload keys stops here, with the variables named.
  sealedDataConverter(config);
  const logger = createLogger(config.LOG_LEVEL);
  // In a container: Prometheus scrapes from another one.
  Runtime.install(workerRuntimeOptions(config, logger, '0.0.0.0'));
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const orm = await openOrm(config.DATABASE_URL);
  const mailer = createMailer(config.SMTP_URL);
  await announceMissingCalendars({ orm, mailer, config, clock: () => new Date() }, logger);
  const worker = await createWorker({ connection, orm, mailer, config });
  // In a container: the healthcheck runs inside it, an orchestrator's probe from outside.
  const health = config.WORKER_HEALTH_PORT ? await serveWorkerHealth(worker, config.WORKER_HEALTH_PORT, '0.0.0.0') : undefined;
  const scheduling = ensureSchedulesMeanwhile(config, orm, logger);
  try {
    await worker.run();
  } finally {
    health?.close();
    mailer.close();
    await scheduling.stop();
    await orm.close();
    await connection.close();
  }
}

/**
 * Ensures the schedules beside the running worker, trying again until it succeeds: a server that
 * has just started answers schedule calls only once its own internal workers run (a describe
 * then fails after 30 s with "Not enough hosts to serve the request"), and the cases' workflows
 * need not wait for that.
 */
function ensureSchedulesMeanwhile(config: Config, orm: Orm, logger: Logger): { stop(): Promise<void> } {
  let stopped = false;
  const done = (async () => {
    for (let attempt = 1, delayMs = 5_000; !stopped; attempt++, delayMs = Math.min(delayMs * 2, 60_000)) {
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
        await ensureSchedules(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(config) }), config, await scheduledProperties(orm));
        return;
      } catch (error) {
        logger.warn({ attempt, reason: error instanceof Error ? error.message : String(error) }, `the schedules could not be ensured yet; trying again in ${delayMs / 1000} s`);
      } finally {
        await connection?.close();
      }
      for (const until = Date.now() + delayMs; !stopped && Date.now() < until; ) await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${scrub(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(1);
  });
}
