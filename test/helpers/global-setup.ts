/**
 * Starts the real parts once for the whole suite (docs/architecture.md §7): a Temporal dev server through
 * TestWorkflowEnvironment.createLocal with the provisioned CLI and our search attributes, an
 * embedded Postgres with a migrated template database, and one workflow bundle.
 * Their addresses reach the test files through process.env.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../db/embedded-postgres';
import { migrate, openOrm } from '../../db/orm';
import { devServerOptions, resolveTemporalCli } from '../../scripts/temporal-cli';
import { bundleWorkflows } from '../../worker';
import { freePort } from '../../scripts/free-port';

export const TEMPLATE_DB = 'service_centre_template';


export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const cli = resolveTemporalCli();
  const workDir = mkdtempSync(join(tmpdir(), 'wuye-test-'));
  chmodSync(workDir, 0o755); // when run as root, Postgres runs as the `postgres` user and must reach its data dir

  // The Temporal Web UI the dev server serves: a browser test drives it (test/e2e/temporal-ui.test.ts).
  const uiPort = await freePort();
  const [env, pg, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        uiPort,
        executable: cli.kind === 'path' ? { type: 'existing-path', path: cli.path } : { type: 'cached-download', downloadDir: cli.downloadDir },
        ...devServerOptions(),
        log: { format: 'pretty', level: 'error' },
      },
    }),
    (async () => {
      const port = await freePort();
      const server = await startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), port, database: TEMPLATE_DB });
      const orm = await openOrm(server.url, { poolMax: 2 });
      await migrate(orm);
      await orm.close(true);
      return server;
    })(),
    bundleWorkflows(),
  ]);

  const bundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  process.env.TEST_DATABASE_URL = pg.url;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_WORK_DIR = workDir;
  process.env.TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${uiPort}`;
  (globalThis as Record<string, unknown>).__STACK__ = { env, pg };
  process.stderr.write(`\n[stack] Temporal ${env.address} (UI ${process.env.TEST_TEMPORAL_UI_URL}), Postgres ready, workflows bundled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
