/**
 * `npm start`: the whole system on one machine with no configuration (docs/architecture.md §6) — a Temporal
 * dev server with its Web UI, an embedded Postgres, a mail sink, the worker and the API, all
 * keeping their state under .data/. TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL swap any part
 * for a real one. Ctrl-C stops everything; the next start finds every case where it was.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { startApi } from '../api/server';
import { ConfigError, loadConfig, type Config } from '../config';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate, openOrm } from '../db/orm';
import { seedDemo, type SeededStaff } from '../db/seed';
import { announceMissingCalendars } from '../activities/calendar';
import { createMailer, createWorker, workerTelemetry } from '../worker';
import { startMailSink } from './mail-sink';
import { ensureSchedules, scheduledProperties } from './schedules';
import { devServerArgs, devServerOptions, resolveTemporalCli, TemporalCliMissingError } from './temporal-cli';

const EMBEDDED = { temporalPort: 7233, uiPort: 8233, postgresPort: 54329, smtpPort: 2525, database: 'service_centre' };

type Stopper = () => Promise<void> | void;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });
}

async function waitForTemporal(address: string, child: ChildProcess | undefined, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child?.once('exit', (code) => (exited = code ?? -1));
  for (;;) {
    if (exited !== null) throw new Error(`the Temporal dev server exited (code ${exited}) before it was ready — is port ${address.split(':')[1]} already in use?`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server at ${address} did not become ready in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The Temporal dev server with its Web UI, state in .data/temporal.db and our search attributes registered. */
async function startTemporal(dataDir: string, stops: Stopper[]): Promise<{ address: string; uiUrl: string }> {
  const address = `127.0.0.1:${EMBEDDED.temporalPort}`;
  const uiUrl = `http://localhost:${EMBEDDED.uiPort}`;
  const dbFile = join(dataDir, 'temporal.db');
  const cli = resolveTemporalCli();
  if (cli.kind === 'sdk-download') {
    say(`No Temporal CLI found; letting the SDK download one into ${cli.downloadDir}…`);
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    let env: TestWorkflowEnvironment;
    try {
      env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'cached-download', downloadDir: cli.downloadDir },
          ip: '127.0.0.1',
          port: EMBEDDED.temporalPort,
          ui: true,
          uiPort: EMBEDDED.uiPort,
          dbFilename: dbFile,
          ...devServerOptions(),
        },
      });
    } catch (error) {
      throw new TemporalCliMissingError(`The SDK's download failed too (${error instanceof Error ? error.message : String(error)}).`);
    }
    stops.push(() => env.teardown());
    return { address, uiUrl };
  }
  if (await portInUse(EMBEDDED.temporalPort)) {
    throw new Error(
      `port ${EMBEDDED.temporalPort} is already in use — is another \`npm start\` running? Stop it, or set TEMPORAL_ADDRESS=127.0.0.1:${EMBEDDED.temporalPort} to use that server.`,
    );
  }
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(EMBEDDED.temporalPort),
    '--ui-port', String(EMBEDDED.uiPort),
    '--db-filename', dbFile,
    '--log-level', 'error',
    ...devServerArgs(),
  ];
  const child = spawn(cli.path, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  stops.push(
    () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGINT'); // what Ctrl-C sends: the dev server flushes its database and exits
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  );
  await waitForTemporal(address, child);
  return { address, uiUrl };
}

function demoKeys(dataDir: string, created: SeededStaff[]): SeededStaff[] {
  const file = join(dataDir, 'demo-keys.json');
  if (created.length > 0) {
    writeFileSync(file, JSON.stringify(created, null, 2));
    chmodSync(file, 0o600);
    return created;
  }
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SeededStaff[]) : [];
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix or unset these variables; unset ones use the embedded default.\n`);
      process.exit(1);
    }
    throw error;
  }
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const stops: Stopper[] = [];
  let stoppingSince = 0;
  const stopAll = async (code: number) => {
    // One Ctrl-C reaches us twice (from the terminal's process group and relayed by tsx);
    // only a second press, a moment later, skips the clean shutdown.
    if (stoppingSince) {
      if (Date.now() - stoppingSince > 1500) process.exit(code);
      return;
    }
    stoppingSince = Date.now();
    say('\nStopping…');
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        process.stderr.write(`while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const [temporal, databaseUrl, smtpUrl] = await Promise.all([
      config.TEMPORAL_ADDRESS ? { address: config.TEMPORAL_ADDRESS, uiUrl: config.TEMPORAL_UI_URL } : startTemporal(dataDir, stops),
      config.DATABASE_URL ??
        startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: EMBEDDED.postgresPort, database: EMBEDDED.database }).then((pg) => {
          stops.push(() => pg.stop());
          return pg.url;
        }),
      config.SMTP_URL ??
        startMailSink({ dir: join(dataDir, 'mail'), port: EMBEDDED.smtpPort }).then((sink) => {
          stops.push(() => sink.close());
          return sink.url;
        }),
    ]);
    const effective: Config = {
      ...config,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_UI_URL: temporal.uiUrl,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`,
    };
    const logger = pino({ level: config.LOG_LEVEL });
    // The SDK's own chatter (bundle sizes, state changes) only at debug; warnings always.
    Runtime.install({
      logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'),
      shutdownSignals: [], // this script orders the shutdown itself
      telemetryOptions: workerTelemetry(config, '127.0.0.1'),
    });

    const orm = await openOrm(databaseUrl);
    stops.push(() => orm.close());
    await migrate(orm);
    const seed = await seedDemo(orm);
    const keys = demoKeys(dataDir, seed.staff);

    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    const mailer = createMailer(smtpUrl);
    await announceMissingCalendars({ orm, mailer, config: effective, clock: () => new Date() }, logger);
    const worker = await createWorker({ connection: nativeConnection, orm, mailer, config: effective });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      mailer.close();
    });

    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: effective.TEMPORAL_NAMESPACE });
    stops.push(() => connection.close());
    await ensureSchedules(client, effective, await scheduledProperties(orm));
    const api = await startApi({ config: effective, orm, temporal: client, logger });
    stops.push(() => api.close());

    const base = `http://localhost:${config.PORT}`;
    say();
    say('物业客服中心 Service Centre is running');
    say(`  API          ${base}/api/v1   reference: ${base}/docs   contract: ${base}/openapi.json`);
    say(`  Metrics      ${base}/metrics (API)${config.WORKER_METRICS_PORT ? `   http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics (worker)` : ''}`);
    say(`  Temporal UI  ${temporal.uiUrl ?? '(set TEMPORAL_UI_URL)'}   server: ${temporal.address}`);
    say(`  Mail         ${config.SMTP_URL ? smtpUrl.replace(/\/\/[^@]*@/, '//***@') : `${join(dataDir, 'mail')}/*.eml`}`);
    say(`  Postgres     ${config.DATABASE_URL ? '(DATABASE_URL)' : `embedded, data in ${join(dataDir, 'pg')}`}`);
    say(`  Demo data    property ${seed.propertyId}, ${seed.households} households${seed.created ? ' (seeded now)' : ''}`);
    if (keys.length > 0) {
      say('  Demo API keys (also in .data/demo-keys.json):');
      for (const k of keys) say(`    ${k.id.padEnd(6)} ${k.roles.join(',').padEnd(11)} ${k.apiKey}`);
      const frontdesk = keys.find((k) => k.roles.includes('frontdesk'));
      if (frontdesk) {
        say();
        say('  Try:');
        say(`    curl -s -X POST ${base}/api/v1/repairs -H 'Authorization: Bearer ${frontdesk.apiKey}' -H 'Content-Type: application/json' \\`);
        say(`      -d '{"room":"1-1-301","contactName":"王先生","contactPhone":"13800138000","channel":"phone","description":"厨房水管漏水","classification":"urgent","tags":["water"]}'`);
      }
    }
    say();
    say('Press Ctrl-C to stop; everything is kept under .data/ for the next start.');
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll(1);
  }
}

void main();
