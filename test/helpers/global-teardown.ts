import type { SuiteStack } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<string, unknown>).__STACK__ as SuiteStack | undefined)?.stop();
}
