/**
 * `npm run fuzz`: schemathesis (from PyPI) against the running API's /openapi.json, with a demo
 * key, on a throwaway embedded stack (its own Temporal dev server, Postgres, mail sink, worker and
 * API on free ports, so a running `npm start` is not disturbed). Passes when there are at least
 * FUZZ_MIN_REQUESTS generated requests and not one 5xx; prints the count, exits non-zero otherwise.
 *
 * schemathesis lives in a virtualenv outside the clone, cached beside the Temporal CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { startApi } from '../api/server';
import { loadConfig } from '../config';
import { freshPayloadKeys, sealedDataConverter } from '../payload-codec';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrate, openOrm } from '../db/orm';
import { seedDemo } from '../db/seed';
import { createStaff, issueKey } from '../db/staff-admin';
import { ROLES } from '../domain/people';
import { createMailer, createWorker } from '../worker';
import { startMailSink } from './mail-sink';
import { cacheDir, devServerOptions, resolveTemporalCli } from './temporal-cli';
import { freePort } from './free-port';

const SCHEMATHESIS = 'schemathesis==4.32.5';
const MIN_REQUESTS = Number(process.env.FUZZ_MIN_REQUESTS ?? 1000);
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 30);

function say(line: string): void {
  process.stdout.write(`[fuzz] ${line}\n`);
}

/** The cached virtualenv with the pinned schemathesis; built on first use. */
function schemathesis(): string {
  const venv = join(dirname(cacheDir()), 'schemathesis-venv');
  const bin = join(venv, 'bin', 'schemathesis');
  const marker = join(venv, '.installed');
  if (existsSync(bin) && existsSync(marker) && readFileSync(marker, 'utf8') === SCHEMATHESIS) return bin;
  say(`installing ${SCHEMATHESIS} into ${venv}…`);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  };
  if (!existsSync(join(venv, 'bin', 'pip'))) run('python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS]);
  writeFileSync(marker, SCHEMATHESIS);
  return bin;
}


/** Requests the API answered, by status class, from its own Prometheus counter (the document fetch excluded). */
async function served(metricsUrl: string): Promise<{ total: number; serverErrors: number }> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  let serverErrors = 0;
  for (const [, route, status, value] of text.matchAll(/^http_requests_total\{method="[A-Z]+",route="([^"]*)",status="(\d+)"\} (\d+)/gm)) {
    if (route === '/openapi.json') continue;
    total += Number(value);
    if (Number(status) >= 500) serverErrors += Number(value);
  }
  return { total, serverErrors };
}

async function main(): Promise<number> {
  const bin = schemathesis();
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'wuye-fuzz-'));
  chmodSync(workDir, 0o755); // as root, Postgres runs as `postgres` and must reach its data dir
  const stops: (() => Promise<unknown> | unknown)[] = [() => rmSync(workDir, { recursive: true, force: true })];
  try {
    Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => process.stderr.write(`${m}\n`) } as never });
    const cli = resolveTemporalCli();
    const [env, pg, sink] = await Promise.all([
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: cli.kind === 'path' ? { type: 'existing-path', path: cli.path } : { type: 'cached-download', downloadDir: cli.downloadDir },
          ...devServerOptions(),
          log: { format: 'pretty', level: 'error' },
        },
      }),
      freePort().then((port) => startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), port, database: 'service_centre' })),
      freePort().then((port) => startMailSink({ dir: join(workDir, 'mail'), port })),
    ]);
    stops.unshift(() => env.teardown(), () => pg.stop(), () => sink.close());
    const config = loadConfig({
      TEMPORAL_ADDRESS: env.address,
      DATABASE_URL: pg.url,
      SMTP_URL: sink.url,
      LOG_LEVEL: 'silent',
      DATA_DIR: workDir,
      // The fuzzer is one key sending as fast as it can; the limiter has its own tests.
      RATE_LIMIT_PER_SECOND: '10000',
      RATE_LIMIT_BURST: '100000',
      ...freshPayloadKeys(),
    });
    const orm = await openOrm(pg.url);
    stops.unshift(() => orm.close(true));
    await migrate(orm);
    const seed = await seedDemo(orm);
    // The demo key of a staff member holding every role, so every operation is reached past 403.
    // Set up as `npm run staff` would: every role, hr and audit included.
    const setup = { kind: 'cli', osUser: 'fuzz' } as const;
    await createStaff(orm.em.fork(), seed.propertyId, { id: 'S-FUZZ', name: 'fuzz', email: 's-fuzz@demo.wuye.local', roles: [...ROLES], areaIds: [] }, setup);
    const issued = await issueKey(orm.em.fork(), seed.propertyId, 'S-FUZZ', setup);
    if (!('apiKey' in issued)) throw new Error('could not issue the fuzzing key');
    const key = issued.apiKey;

    const nativeConnection = await NativeConnection.connect({ address: env.address });
    const mailer = createMailer(sink.url);
    const worker = await createWorker({ connection: nativeConnection, orm, mailer, config });
    const running = worker.run();
    stops.unshift(async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      mailer.close();
    });
    const connection = await Connection.connect({ address: env.address });
    stops.unshift(() => connection.close());
    const logger = pino({ level: 'error' }, pino.destination(2));
    // The API mails password links itself, as api/server.ts sets it up; without a mailer those answer 503.
    const apiMailer = createMailer(sink.url);
    stops.unshift(async () => apiMailer.close());
    const api = await startApi({ config, orm, temporal: new Client({ connection, dataConverter: sealedDataConverter(config) }), logger, port: await freePort(), metricsPort: 0, host: '127.0.0.1', mailer: apiMailer });
    stops.unshift(() => api.close());
    say(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s; API ${api.url}`);

    const fuzzStarted = Date.now();
    const args = [
      'run', `${api.url}/openapi.json`,
      '--header', `Authorization: Bearer ${key}`,
      '--checks', 'not_a_server_error',
      '--max-examples', String(MAX_EXAMPLES),
      '--seed', process.env.FUZZ_SEED ?? '20261122',
      '--workers', '1', // hypothesis's lambda-source cache is not thread-safe: more workers crash the coverage phase
      '--request-timeout', '30',
      '--no-color',
      '--generation-database', 'none', // nothing written into the clone
      '--report', 'junit', '--report-dir', join(workDir, 'report'),
    ];
    const code = await new Promise<number>((resolve) => {
      const child = spawn(bin, args, { stdio: 'inherit', cwd: workDir }); // its caches stay out of the clone
      child.once('exit', (c) => resolve(c ?? 1));
    });
    const { total, serverErrors } = await served(api.metricsUrl!);
    const seconds = ((Date.now() - fuzzStarted) / 1000).toFixed(1);
    say(`${total} requests answered by the API in ${seconds} s; ${serverErrors} with a 5xx status; schemathesis exit code ${code}`);
    if (code !== 0) return fail('schemathesis found failures (above)');
    if (serverErrors > 0) return fail(`${serverErrors} responses were 5xx`);
    if (total < MIN_REQUESTS) return fail(`only ${total} requests; at least ${MIN_REQUESTS} are required`);
    say('passed');
    return 0;
  } finally {
    for (const stop of stops) {
      try {
        await stop();
      } catch (error) {
        process.stderr.write(`while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
}

function fail(reason: string): number {
  say(`FAILED: ${reason}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
