/**
 * Memory per cached case (issue 9, bench:memory): the worker's reusable V8 context evaluates the
 * modules of workflows/shared-modules.ts once, before any workflow, and every workflow finds them in
 * the shared module cache. Without it each cached workflow evaluated zod afresh, every module and
 * constructor of it (bench:memory's heap snapshot; figures in bench/RESULTS.md).
 * It is checked on the bundle the suite's workers run (globalSetup builds it with the worker's options).
 */
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

/** The SDK's creator, asked what its context's module cache holds before any workflow has a cache of its own. */
class Probe extends ReusableVMWorkflowCreator {
  shared(moduleId: string): boolean {
    return this.run(`globalThis.__webpack_module_cache__[${JSON.stringify(moduleId)}] !== undefined`) as boolean;
  }

  run(code: string): unknown {
    return vm.runInContext(code, this.context);
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
    expect(probe.shared('./workflows/case/tracker.ts')).toBe(false);
  });

  it('still lets a workflow build schemas and parse with them once the shared modules are frozen', () => {
    // zod writes its default configuration on first use; frozen, that first use threw in every workflow.
    const result = probe.run(`(() => {
      const { z } = globalThis.__webpack_module_cache__['./workflows/shared-modules.ts'].exports.zod;
      const schema = z.object({ n: z.number().int().min(1), ok: z.boolean() }).strict();
      // The kinds of schema the workflows' action payloads use.
      const rich = z.object({
        at: z.iso.datetime({ offset: true }),
        phone: z.string().trim().regex(/^1\\d{10}$/),
        kind: z.enum(['a', 'b']),
        tags: z.array(z.string().min(1)).max(3).default([]),
        note: z.string().max(10).optional().nullable(),
        choice: z.discriminatedUnion('type', [z.object({ type: z.literal('x'), v: z.number() }), z.object({ type: z.literal('y') })]),
        extra: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        cents: z.number().transform((v) => v * 100).refine((v) => v >= 0, 'negative'),
      }).superRefine((v, ctx) => { if (v.kind === 'b' && !v.note) ctx.addIssue({ code: 'custom', message: 'b needs a note' }); });
      const good = rich.safeParse({ at: '2026-11-23T08:00:00+08:00', phone: ' 13812345678 ', kind: 'a', choice: { type: 'x', v: 1 }, cents: 1.5 });
      const bad = rich.safeParse({ at: 'soon', phone: '1', kind: 'b', tags: [''], choice: { type: 'z' }, cents: -1 });
      return [
        schema.safeParse({ n: 2, ok: true }).success,
        schema.safeParse({ n: 0, extra: 1 }).error.issues.map((i) => i.message),
        good.success && good.data.cents,
        bad.error.issues.map((i) => i.path.join('.')),
        JSON.stringify(z.toJSONSchema(schema)).length > 0,
      ];
    })()`);
    expect(result).toEqual([
      true,
      ['Too small: expected number to be >=1', 'Invalid input: expected boolean, received undefined', 'Unrecognized key: "extra"'],
      150,
      // superRefine does not run on an object that already failed.
      ['at', 'phone', 'tags.0', 'choice.type', 'cents'],
      true,
    ]);
  });
});
