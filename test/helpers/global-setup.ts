/**
 * Starts the real parts once for the whole suite (docs/architecture.md §7): a Temporal dev server from the
 * provisioned CLI with our search attributes, an embedded Postgres with a migrated template
 * database, and one workflow bundle. Their addresses reach the test files through process.env.
 * Both servers are tied to this process (scripts/tied-child.ts), and a setup that fails stops what
 * it had started before it throws: jest runs no global teardown after a failed setup.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';
import { migrate, openOrm } from '../../db/orm';
import { startDevServer } from '../../scripts/dev-server';
import { devServerOptions, resolveTemporalCli } from '../../scripts/temporal-cli';
import { bundleWorkflows } from '../../worker';
import { freePort } from '../../scripts/free-port';
import { provisionChromium } from '../../scripts/chromium';
import { ensureConsoleBuilt } from '../../scripts/console-build';

export const TEMPLATE_DB = 'service_centre_template';

export interface SuiteStack {
  stop(): Promise<void>;
}

async function startTemporal(uiPort: number, codecEndpoint: string, stops: (() => Promise<void>)[]): Promise<string> {
  const cli = resolveTemporalCli();
  if (cli.kind === 'path') {
    const server = await startDevServer({ cliPath: cli.path, port: await freePort(), uiPort, codecEndpoint, onLog: (chunk) => process.stderr.write(chunk) });
    stops.push(() => server.stop());
    return server.address;
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: { uiPort, executable: { type: 'cached-download', downloadDir: cli.downloadDir }, ...devServerOptions({ codecEndpoint }), log: { format: 'pretty', level: 'error' } },
  });
  stops.push(() => env.teardown());
  return env.address;
}

async function startPostgres(workDir: string, stops: (() => Promise<void>)[]): Promise<string> {
  const server = await startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), port: await freePort(), database: TEMPLATE_DB });
  stops.push(() => server.stop());
  const orm = await openOrm(server.url, { poolMax: 2 });
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
  return server.url;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'wuye-test-'));
  chmodSync(workDir, 0o755); // when run as root, Postgres runs as the `postgres` user and must reach its data dir
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };

  // The Temporal Web UI the dev server serves: a browser test drives it (test/e2e/temporal-ui.test.ts).
  // Its codec endpoint is an API on a port kept for it, which that test listens on (as `npm start`'s
  // UI decodes through the API it starts beside it).
  const uiPort = await freePort();
  const codecPort = await freePort();
  const say = (line: string) => process.stderr.write(`\n[stack] ${line}\n`);
  // The browser tests' Chromium (found, or installed once) and the console they open, built when stale.
  process.env.CHROMIUM_PATH = provisionChromium(say);
  const settled = await Promise.allSettled([startTemporal(uiPort, `http://127.0.0.1:${codecPort}/api/v1/codec`, stops), startPostgres(workDir, stops), bundleWorkflows(), ensureConsoleBuilt(say)] as const);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const [temporalAddress, databaseUrl, bundle] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [string, string, { code: string }];

  const bundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  process.env.TEST_TEMPORAL_ADDRESS = temporalAddress;
  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_WORK_DIR = workDir;
  process.env.TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${uiPort}`;
  process.env.TEST_CODEC_PORT = String(codecPort);
  (globalThis as Record<string, unknown>).__STACK__ = { stop } satisfies SuiteStack;
  process.stderr.write(`\n[stack] Temporal ${temporalAddress} (UI ${process.env.TEST_TEMPORAL_UI_URL}), Postgres ready, workflows bundled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
