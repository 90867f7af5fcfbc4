/**
 * The worker evaluates the workflow bundle's modules once per cached workflow (the SDK's reusable
 * context gives every workflow its own module cache). A zod schema built at module load is
 * therefore built, and kept, once per open case, as bench:memory's heap snapshot showed (figures in
 * bench/RESULTS.md). Schemas are built where they are used instead — the
 * action tables hold builders, the domain modules export builders — and this test keeps it so.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

describe('the workflow modules', () => {
  it('build no zod schema when they load (memory per cached case, bench:memory)', () => {
    const touched: string[] = [];
    jest.isolateModules(() => {
      jest.doMock('zod', () => {
        const actual = jest.requireActual<typeof import('zod')>('zod');
        const watch = <T extends object>(target: T, path: string): T =>
          new Proxy(target, {
            get(t, key, receiver) {
              if (typeof key === 'string' && key !== '__esModule' && key !== 'default') touched.push(`${path}.${key}`);
              return Reflect.get(t, key, receiver) as unknown;
            },
          });
        return { ...actual, z: watch(actual.z, 'z') };
      });
      // Every module of workflows/ (the index loads each type's module only when it first runs),
      // except shared-modules.ts: it is evaluated once per worker context, not per workflow, and
      // settles zod's configuration there on purpose.
      const perWorkflow = readdirSync(join(__dirname, '../../workflows')).filter((f) => f.endsWith('.ts') && f !== 'shared-modules.ts');
      for (const file of perWorkflow) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded under the mock, as the bundle would
        require(join(__dirname, '../../workflows', file));
      }
    });
    expect(touched).toEqual([]);
  });

  it('still validate a payload with the schema built on demand', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { REPAIR_ACTIONS } = require('../../workflows/messages') as typeof import('../../workflows/messages');
    expect(REPAIR_ACTIONS.complete.payload().safeParse({ summary: '已修复', feeCents: 500 }).success).toBe(false);
    expect(REPAIR_ACTIONS.complete.payload().safeParse({ summary: '已修复', feeCents: 500, feeDescription: '换阀门' }).success).toBe(true);
  });

  it('load a workflow type’s module only when a workflow of that type first runs', async () => {
    const loaded: string[] = [];
    const types = { repair: 'repair', complaint: 'complaint', survey: 'survey', 'survey-run': 'surveyMonthlyRun', request: 'serviceRequest' } as const;
    const results: Promise<string>[] = [];
    jest.isolateModules(() => {
      for (const [file, name] of Object.entries(types)) {
        jest.doMock(`../../workflows/${file}`, () => {
          loaded.push(file);
          return { [name]: async (input: string) => `${name}(${input})` };
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded under the mocks, as the bundle would
      const index = require('../../workflows') as Record<string, (input: string) => Promise<string>>;
      expect(loaded).toEqual([]);
      results.push(index.survey('S1'));
      expect(loaded).toEqual(['survey']);
      results.push(index.repair('R1'));
      expect(loaded).toEqual(['survey', 'repair']);
    });
    expect(await Promise.all(results)).toEqual(['survey(S1)', 'repair(R1)']);
  });
});
