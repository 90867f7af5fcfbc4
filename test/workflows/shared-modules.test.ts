/**
 * Memory per cached case (issue 9, bench:memory): the worker's reusable V8 context evaluates the
 * modules of workflows/shared-modules.ts once, before any workflow, and every workflow finds them in
 * the shared module cache. Without it each cached workflow evaluated zod afresh (~60 modules, ~180
 * constructors: bench:memory's heap snapshot, 1.4 MiB → 0.55 MiB per cached repair in debug mode).
 * It is checked on the bundle the suite's workers run (globalSetup builds it with the worker's options).
 */
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

/** The SDK's creator, asked what its context's module cache holds before any workflow has a cache of its own. */
class Probe extends ReusableVMWorkflowCreator {
  shared(moduleId: string): boolean {
    return vm.runInContext(`globalThis.__webpack_module_cache__[${JSON.stringify(moduleId)}] !== undefined`, this.context) as boolean;
  }
}

describe('the workflow bundle', () => {
  let probe: Probe;
  beforeAll(async () => {
    const filename = process.env.TEST_WORKFLOW_BUNDLE!;
    // No source map: nothing here throws, so nothing needs mapping back to the workflow sources.
    const sourceMap = { version: 3, file: filename, sources: [], names: [], mappings: '' };
    probe = await Probe.create({ code: readFileSync(filename, 'utf8'), filename, sourceMap }, 5_000, new Set());
  });
  afterAll(async () => probe?.destroy());

  it('preloads zod, the ES build the workflows import, into the context every workflow shares', () => {
    expect(probe.shared('./workflows/shared-modules.ts')).toBe(true);
    expect(probe.shared('./node_modules/zod/index.js')).toBe(true);
    expect(probe.shared('./node_modules/zod/v4/core/core.js')).toBe(true);
  });

  it('preloads nothing of ours that has state: the workflow modules are still each workflow’s own', () => {
    expect(probe.shared('./workflows/repair.ts')).toBe(false);
    expect(probe.shared('./workflows/case-core.ts')).toBe(false);
  });
});
