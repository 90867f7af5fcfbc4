/**
 * bench:intake — repair requests through the API (validate, allocate the case number, start the
 * workflow) against raw `client.workflow.start` of a trivial workflow, both with 64 in flight.
 * Target: cases/s ≥ 0.8 × raw starts/s.
 */
import { startBenchStack } from './stack';
import { fmt, load, medianOf, report, runBench, type LoadResult } from './lib';

const CONCURRENCY = 64;
const COUNT = Number(process.env.BENCH_COUNT ?? 640);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const key = stack.keyOf('S-FD1');
    const rooms = (await stack.orm.em.getConnection().execute<{ room: string }[]>('select room from household order by room')).map((r) => r.room);

    const raw = await medianOf<LoadResult>(RUNS, (r) => r.perSecond, (run) =>
      load(COUNT, CONCURRENCY, (i) =>
        stack.client.workflow.start('benchWaiter', { taskQueue: stack.baselineQueue, workflowId: `baseline-start-${run}-${i}` }),
      ),
    );
    const intake = await medianOf<LoadResult>(RUNS, (r) => r.perSecond, () =>
      load(COUNT, CONCURRENCY, async (i) => {
        const res = await fetch(`${stack.api.url}/api/v1/repairs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            room: rooms[i % rooms.length],
            contactName: '测试',
            contactPhone: '13800000000',
            channel: 'phone',
            description: '压测报修',
            classification: 'general',
          }),
        });
        if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }),
    );
    const ratio = intake.perSecond / raw.perSecond;
    report('intake', { ...stack.facts, runs: String(RUNS), requests: `${COUNT} per run, ${CONCURRENCY} in flight` }, [
      {
        name: 'repair intake through the API (cases/s)',
        baseline: `raw workflow.start ${fmt(raw.perSecond)}/s (p99 ${fmt(raw.p99)} ms)`,
        measured: `${fmt(intake.perSecond)} cases/s (p50 ${fmt(intake.p50)} ms, p99 ${fmt(intake.p99)} ms)`,
        ratio,
        target: '≥ 0.8',
        met: ratio >= 0.8,
      },
    ]);
  } finally {
    await stack.close();
  }
}

runBench(main);
