/** Bundles the workflows into the file named by argv[2] — run as its own process: webpack does not load inside jest's module registry. */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundlerOptions, workflowsPath } from '../../worker';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

bundleWorkflowCode({ workflowsPath: workflowsPath(), ...workflowBundlerOptions(), logger: quiet })
  .then(({ code }) => writeFileSync(process.argv[2], code))
  .catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
