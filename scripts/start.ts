/**
 * `npm start`: the whole system on one machine with no configuration (docs/architecture.md §6) — a Temporal
 * dev server with its Web UI, an embedded Postgres, a mail sink, the worker and the API, all
 * keeping their state under .data/. TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL swap any part
 * for a real one. Ctrl-C stops everything; the next start finds every case where it was.
 *
 * This process supervises its parts: the worker runs as a child that is started again when it dies
 * (scripts/worker-supervisor.ts), and nothing outlives this process, however it ends — the dev
 * server and Postgres are tied to it (scripts/tied-child.ts), the worker watches its IPC channel.
 * A start that fails part-way stops what it had started before it says why.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startApi } from '../api/server';
import { assertDeployable, CONFIG_VARIABLES, ConfigError, DeploymentError, loadConfig, type Config } from '../config';
import { assertPostgresCanReach, PostgresDirUnreachableError, startEmbeddedPostgres } from './embedded-postgres';
import { migrate, openOrm } from '../db/orm';
import { seedDemo, type SeededStaff } from '../db/seed';
import { announceMissingCalendars } from '../activities/calendar';
import { createLogger } from '../logging';
import { payloadKeysInDataDir, sealedDataConverter } from '../payload-codec';
import { API_PREFIX } from '../api/app';
import { bundleWorkflows, createMailer } from '../worker';
import { ensureConsoleBuilt } from './console-build';
import { demoPasswordLinks } from './demo-passwords';
import { startDevServer } from './dev-server';
import { startMailSink } from './mail-sink';
import { ensureSchedules, scheduledProperties } from '../schedules';
import { devServerOptions, resolveTemporalCli, TemporalCliMissingError } from './temporal-cli';
import { superviseWorker } from './worker-supervisor';

const DATABASE = 'service_centre';

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

/**
 * Every port this start will listen on, checked before anything starts: a port taken half-way
 * would leave the parts already started to stop again, and the message would be a stack's.
 */
async function refuseTakenPorts(config: Config): Promise<void> {
  const wanted: { port: number; what: string; variable: string; hint?: string }[] = [
    { port: config.PORT, what: 'the API', variable: 'PORT' },
    ...(config.WORKER_METRICS_PORT ? [{ port: config.WORKER_METRICS_PORT, what: "the worker's metrics", variable: 'WORKER_METRICS_PORT' }] : []),
    ...(config.TEMPORAL_ADDRESS
      ? []
      : [
          {
            port: config.EMBEDDED_TEMPORAL_PORT,
            what: 'the embedded Temporal server',
            variable: 'EMBEDDED_TEMPORAL_PORT',
            hint: `, or set TEMPORAL_ADDRESS=127.0.0.1:${config.EMBEDDED_TEMPORAL_PORT} to use the server that has it`,
          },
          { port: config.EMBEDDED_TEMPORAL_UI_PORT, what: 'the Temporal Web UI', variable: 'EMBEDDED_TEMPORAL_UI_PORT' },
        ]),
    ...(config.DATABASE_URL ? [] : [{ port: config.EMBEDDED_POSTGRES_PORT, what: 'the embedded Postgres', variable: 'EMBEDDED_POSTGRES_PORT' }]),
    ...(config.SMTP_URL ? [] : [{ port: config.EMBEDDED_SMTP_PORT, what: 'the mail sink', variable: 'EMBEDDED_SMTP_PORT' }]),
  ];
  for (const { port, what, variable, hint } of wanted) {
    if (await portInUse(port)) {
      throw new Error(`port ${port} (${what}) is already in use — is another \`npm start\` running? Stop it, or set ${variable} to a free port${hint ?? ''}.`);
    }
  }
}

/** The Temporal UI's codec endpoint: this API's (api/routes/codec.ts), where staff sign in. */
const codecEndpoint = (config: Config) => `${config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`}${API_PREFIX}/codec`;

/** The Temporal dev server with its Web UI, state in .data/temporal.db and our search attributes registered. */
async function startTemporal(config: Config, dataDir: string, stops: Stopper[]): Promise<{ address: string; uiUrl: string }> {
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
          ip: '127.0.0.1', // the UI binds where the frontend does: this machine only
          port: config.EMBEDDED_TEMPORAL_PORT,
          ui: true,
          uiPort: config.EMBEDDED_TEMPORAL_UI_PORT,
          dbFilename: dbFile,
          ...devServerOptions({ codecEndpoint: codecEndpoint(config) }),
        },
      });
    } catch (error) {
      throw new TemporalCliMissingError(`The SDK's download failed too (${error instanceof Error ? error.message : String(error)}).`);
    }
    stops.push(() => env.teardown());
    return { address: env.address, uiUrl: `http://localhost:${config.EMBEDDED_TEMPORAL_UI_PORT}` };
  }
  const server = await startDevServer({
    cliPath: cli.path,
    port: config.EMBEDDED_TEMPORAL_PORT,
    uiPort: config.EMBEDDED_TEMPORAL_UI_PORT,
    codecEndpoint: codecEndpoint(config),
    dbFile,
    onLog: (chunk) => process.stderr.write(chunk),
  });
  stops.push(() => server.stop());
  return { address: server.address, uiUrl: server.uiUrl! };
}

/**
 * Started as root, Postgres runs as the `postgres` user, which may not be able to reach .data/ (a
 * clone in root's home folder). Asked before anything starts; its binaries are copied where that
 * user can reach them (db/embedded-postgres.ts), but a database is not moved behind anyone's back.
 */
function refuseUnreachableDataDir(pgDir: string): void {
  try {
    assertPostgresCanReach(pgDir);
  } catch (error) {
    if (!(error instanceof PostgresDirUnreachableError)) throw error;
    throw new Error(
      `${error.message}. Set DATA_DIR to a folder it can enter (e.g. DATA_DIR=/var/lib/wuye-service-centre npm start), start as a user other than root, or set DATABASE_URL.`,
    );
  }
}

async function startPostgres(config: Config, dataDir: string, stops: Stopper[]): Promise<string> {
  const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: config.EMBEDDED_POSTGRES_PORT, database: DATABASE });
  stops.push(() => pg.stop());
  return pg.url;
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

/** The configuration as the environment of a child process (the worker reads it with loadConfig). */
function asEnvironment(config: Config): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) {
    const value = config[name];
    if (value === undefined) delete env[name];
    else env[name] = String(value);
  }
  return env;
}

/**
 * `npm start` runs us through `exec`, so our parent is npm itself. If it is killed (no signal can
 * be relayed then), we are re-parented: that is our cue to stop like at Ctrl-C.
 */
function whenParentIsGone(then: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    then();
  }, 1000);
  timer.unref();
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    // With every part external this is a deployment, not the embedded default: the same check as the API's and the worker's.
    if (config.TEMPORAL_ADDRESS && config.DATABASE_URL && config.SMTP_URL) assertDeployable(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix or unset these variables; unset ones use the embedded default.\n`);
      process.exit(1);
    }
    if (error instanceof DeploymentError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const stops: Stopper[] = [];
  let stoppingSince = 0;
  const stopAll = async (code: number) => {
    // One Ctrl-C reaches us twice (from the terminal's process group and relayed by npm);
    // only a second press, a moment later, skips the clean shutdown.
    if (stoppingSince) {
      if (Date.now() - stoppingSince > 1500) process.exit(code);
      return;
    }
    stoppingSince = Date.now();
    if (stops.length > 0) say('\nStopping…');
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
  process.on('SIGHUP', () => void stopAll(0));
  process.on('uncaughtException', (error) => {
    process.stderr.write(`\nnpm start failed: ${error.stack ?? error.message}\n`);
    void stopAll(1);
  });
  whenParentIsGone(() => {
    process.stderr.write('npm start: the process that started us is gone; stopping.\n');
    void stopAll(1);
  });

  try {
    if (!config.DATABASE_URL) refuseUnreachableDataDir(join(dataDir, 'pg'));
    await refuseTakenPorts(config);
    // Once nothing refuses the start: a start that stops at once has nothing more to say.
    config = { ...config, ...payloadKeysInDataDir(config, dataDir, (file) => say(`Generated payload keys into ${file} (keep it with ${join(dataDir, 'temporal.db')}: the cases' histories are sealed with them).`)) };
    // Every part that starts registers its stop at once, and we wait for all of them to settle:
    // when one fails, the others are stopped again before we say why.
    const [temporal, databaseUrl, smtpUrl, , bundle] = await settleAll([
      config.TEMPORAL_ADDRESS ? { address: config.TEMPORAL_ADDRESS, uiUrl: config.TEMPORAL_UI_URL } : startTemporal(config, dataDir, stops),
      config.DATABASE_URL ?? startPostgres(config, dataDir, stops),
      config.SMTP_URL ??
        startMailSink({ dir: join(dataDir, 'mail'), port: config.EMBEDDED_SMTP_PORT }).then((sink) => {
          stops.push(() => sink.close());
          return sink.url;
        }),
      ensureConsoleBuilt(say),
      // Built once for every restart of the worker.
      bundleWorkflows().then(({ code }) => {
        const file = join(dataDir, 'workflow-bundle.js');
        writeFileSync(file, code);
        return file;
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
    const logger = createLogger(config.LOG_LEVEL);

    const orm = await openOrm(databaseUrl);
    stops.push(() => orm.close());
    await migrate(orm);
    const seed = await seedDemo(orm);
    const keys = demoKeys(dataDir, seed.staff);

    const mailer = createMailer(smtpUrl);
    try {
      await announceMissingCalendars({ orm, mailer, config: effective, clock: () => new Date() }, logger);
    } finally {
      mailer.close();
    }
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: effective.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(effective) });
    stops.push(() => connection.close());
    await ensureSchedules(client, effective, await scheduledProperties(orm));

    const worker = superviseWorker({ env: asEnvironment(effective), bundlePath: bundle, logger });
    stops.push(() => worker.stop());
    await worker.ready;
    // Metrics on this machine only, like the worker's: the exposition has no login.
    const apiMailer = createMailer(smtpUrl);
    stops.push(async () => apiMailer.close());
    const api = await startApi({ config: effective, orm, temporal: client, logger, metricsHost: '127.0.0.1', mailer: apiMailer });
    stops.push(() => api.close());
    // The demo staff set their console passwords from links mailed at the seed (.data/mail).
    const passwordLinks = seed.created ? await demoPasswordLinks(orm, effective, apiMailer, seed.staff.map((s) => s.id)) : [];

    const base = `http://localhost:${config.PORT}`;
    say();
    say('物业客服中心 Service Centre is running');
    say(`  Console      ${base}/console/   (front desk, engineer's phone, supervisor's board; docs/console.md)`);
    if (passwordLinks.length > 0) {
      say('  First sign-in: set each demo staff member\'s password from their one-time link (also mailed to them):');
      for (const l of passwordLinks) say(`    ${l.staffId.padEnd(6)} ${l.url}`);
    }
    say(`  API          ${base}/api/v1   reference: ${base}/docs   contract: ${base}/openapi.json`);
    const metrics = [api.metricsUrl && `${api.metricsUrl} (API)`, config.WORKER_METRICS_PORT && `http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics (worker)`].filter(Boolean);
    if (metrics.length) say(`  Metrics      ${metrics.join('   ')}`);
    say(`  Temporal UI  ${temporal.uiUrl ?? '(set TEMPORAL_UI_URL)'}   server: ${temporal.address}   (supervisors' console, this machine only: docs/security.md)`);
    say(`               payloads sealed; decoded for a signed-in supervisor through ${codecEndpoint(effective)} (docs/personal-data.md)`);
    say(`  Mail         ${config.SMTP_URL ? smtpUrl.replace(/\/\/[^@]*@/, '//***@') : `${join(dataDir, 'mail')}/*.eml`}`);
    say(`  Postgres     ${config.DATABASE_URL ? '(DATABASE_URL)' : `embedded, data in ${join(dataDir, 'pg')}`}`);
    say(`  Worker       process ${worker.pid}, started again if it dies`);
    say(`  Demo data    property ${seed.propertyId}, ${seed.households} households${seed.created ? ' (seeded now)' : ''}`);
    if (keys.length > 0) {
      say(`  Demo API keys (also in ${join(dataDir, 'demo-keys.json')}):`);
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
    say(`Press Ctrl-C to stop; everything is kept under ${dataDir} for the next start.`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\nnpm start failed: ${message}\n`);
    await stopAll(1);
  }
}

/** Promise.all that waits for every promise to settle before it rejects with the first failure. */
async function settleAll<T extends readonly unknown[]>(values: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(values);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

void main();
