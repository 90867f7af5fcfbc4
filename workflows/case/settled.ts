import { condition } from '@temporalio/workflow';

/**
 * Resolves once the workflow has run as far as it can for now: the condition is false when first
 * evaluated (so it blocks), and the SDK evaluates blocked conditions again only after every
 * runnable continuation of the activation has run.
 */
export function untilSettled(): Promise<void> {
  let asked = false;
  return condition(() => asked || ((asked = true), false));
}
