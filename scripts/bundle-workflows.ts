/**
 * Builds the workflow bundle ahead of time, as the worker image does at build time (Dockerfile) and
 * the production-shaped stack does once for its workers: a worker started with WORKFLOW_BUNDLE
 * loads this file instead of running webpack at every start.
 *
 *   npm run bundle:workflows -- <out.js>      (in the image: node dist/scripts/bundle-workflows.js dist/workflow-bundle.js)
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from '../worker';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: bundle-workflows <out.js>\n');
  process.exit(2);
}
bundleWorkflows()
  .then(({ code }) => writeFileSync(out, code))
  .catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
