/** Bundles the workflows into the file named by argv[2] — run as its own process: webpack does not load inside jest's module registry. */
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from '../../worker';

bundleWorkflows()
  .then(({ code }) => writeFileSync(process.argv[2], code))
  .catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
