import { rmSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmbeddedPostgres } from '../../db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__STACK__ as { env: TestWorkflowEnvironment; pg: EmbeddedPostgres } | undefined;
  await stack?.env.teardown();
  await stack?.pg.stop();
  if (process.env.TEST_WORK_DIR) rmSync(process.env.TEST_WORK_DIR, { recursive: true, force: true });
}
