import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** The workflow bundle globalSetup built for the cluster project's files. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.CLUSTER_WORKFLOW_BUNDLE) rmSync(dirname(process.env.CLUSTER_WORKFLOW_BUNDLE), { recursive: true, force: true });
}
