/**
 * Once for the cluster project: the Temporal server binaries (built with Go the first time, cached
 * beside the CLI) and one workflow bundle for every test file's workers, as the image ships one.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTemporalServer } from '../../scripts/temporal-server';
import { bundleWorkflows } from '../../worker';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  resolveTemporalServer();
  const dir = mkdtempSync(join(tmpdir(), 'wuye-cluster-bundle-'));
  chmodSync(dir, 0o755);
  const file = join(dir, 'workflow-bundle.js');
  writeFileSync(file, (await bundleWorkflows()).code);
  process.env.CLUSTER_WORKFLOW_BUNDLE = file;
  process.stderr.write(`\n[cluster] Temporal server ready, workflows bundled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
