/**
 * bench:memory — worker memory per cached open case: RSS growth per open repair (dispatched,
 * waiting for acceptance) against RSS growth per cached trivial workflow, at 1k / 5k / 10k.
 * Target: ≤ 1.5 × the trivial workflow's. Run with --expose-gc (the npm script does).
 */
import type { RepairInput } from '../workflows/repair';
import { fmt, report, runBench } from './lib';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Worker } from '@temporalio/worker';
import { startBenchStack } from './stack';
import { workflowIds } from '../domain/workflow-ids';

const SIZES = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number);
/** BENCH_HEAP_SNAPSHOT=dir: workflows on the main thread, and a heap snapshot once the repairs are cached (bench/heap-summary.ts reads it). */
const SNAPSHOT_DIR = process.env.BENCH_HEAP_SNAPSHOT;

function rssAfterGc(): number {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

async function cachedAtLeast(worker: Worker, count: number): Promise<void> {
  while (worker.getStatus().numCachedWorkflows < count) await new Promise((r) => setTimeout(r, 250));
}

async function inBatches(count: number, task: (i: number) => Promise<unknown>, width = 64): Promise<void> {
  for (let i = 0; i < count; i += width) await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, j) => task(i + j)));
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc (npm run bench:memory)');
  const figures = [];
  let facts: Record<string, string> = {};
  let bytesPerCase = 0;
  for (const size of SIZES) {
    // A size whose cases would not fit is reported, not run: the machine is shared.
    const needed = bytesPerCase * size * 1.2;
    if (needed > totalmem() * 0.6) {
      figures.push({
        name: `worker memory per cached open case, ${size} cases`,
        baseline: '—',
        measured: `not run: would need about ${fmt(needed / 2 ** 30)} GiB at ${fmt(bytesPerCase / 1024)} KiB per case`,
        ratio: NaN,
        target: '≤ 1.5',
        met: false,
      });
      continue;
    }
    const stack = await startBenchStack({ maxCachedWorkflows: size * 2 + 100, debugMode: Boolean(SNAPSHOT_DIR) });
    facts = stack.facts;
    try {
      const baseRss = rssAfterGc();
      await inBatches(size, (i) => stack.client.workflow.start('benchWaiter', { taskQueue: stack.baselineQueue, workflowId: `mem-trivial-${i}` }));
      await cachedAtLeast(stack.baselineWorker, size);
      const trivialRss = rssAfterGc();
      const rooms = (await stack.orm.em.getConnection().execute<{ room: string; area: string }[]>(
        'select h.room, b.area_id as area from household h join building b on b.id = h.building_id order by h.room',
      ));
      await inBatches(size, (i) => {
        const caseId = `R20990101-${String(i).padStart(5, '0')}`;
        const input: RepairInput = {
          caseId,
          propertyId: stack.seed.propertyId,
          areaId: rooms[i % rooms.length].area,
          room: rooms[i % rooms.length].room,
          intake: { room: rooms[i % rooms.length].room, contactName: '测试', contactPhone: '13800000000', channel: 'phone', description: '内存压测', classification: 'general', tags: [], publicArea: false },
          receivedAt: new Date().toISOString(),
          receivedBy: { staffId: 'S-FD1', role: 'frontdesk' },
        };
        return stack.client.workflow.start('repair', { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId: workflowIds.repair(caseId), args: [input] });
      });
      await cachedAtLeast(stack.worker, size);
      // Every repair has dispatched its work order (its activities ran): it sits waiting, as open cases do.
      for (;;) {
        const [{ n }] = await stack.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) as n from service_case where status = 'dispatched'`);
        if (Number(n) >= size) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const repairRss = rssAfterGc();
      if (SNAPSHOT_DIR) console.log(`heap snapshot: ${writeHeapSnapshot(join(SNAPSHOT_DIR, `repairs-${size}.heapsnapshot`))}`);
      const perTrivial = (trivialRss - baseRss) / size;
      const perRepair = (repairRss - trivialRss) / size;
      bytesPerCase = Math.max(bytesPerCase, perRepair + perTrivial);
      report('memory', { ...facts, policy: 'documents\' defaults: nothing falls due during the run' }, [{
        name: `worker memory per cached open case, ${size} cases`,
        baseline: `trivial workflow ${fmt(perTrivial / 1024)} KiB each`,
        measured: `open repair ${fmt(perRepair / 1024)} KiB each (RSS ${fmt(repairRss / 2 ** 20, 0)} MiB)`,
        ratio: perRepair / perTrivial,
        target: '≤ 1.5',
        met: perRepair / perTrivial <= 1.5,
      }]);
    } finally {
      await stack.close();
    }
  }
  if (figures.length) report('memory', facts, figures);
}

runBench(main);
