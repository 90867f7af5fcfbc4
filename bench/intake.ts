/**
 * bench:intake — repair requests through the API (validate, allocate the case number, start the
 * workflow) against raw `client.workflow.start` of a trivial workflow, both with 64 in flight.
 * Target: cases/s ≥ 0.8 × raw starts/s.
 *
 * Also printed, because the two sides share one 2-core machine: how fast the worker then sets the
 * cases up (each dispatched, its deadline set, its work order mailed), and the CPU each case costs
 * the Node process, the dev server and Postgres from intake to set-up, against a raw start's.
 *
 * And the API's own path with nothing setting the cases up: a second API that starts the same
 * repairs on a task queue no worker polls. In production the API and the worker are separate
 * processes on separate machines (docker-compose.yml); here they share two cores, and this figure
 * tells the intake's own cost from the set-up's.
 */
import pino from 'pino';
import { startApi } from '../api/server';
import { startBenchStack, workerDoneWith, type BenchStack } from './stack';
import { cpuPer, cpuTotals, fmt, load, medianOf, report, runBench, type LoadResult } from './lib';
import { workflowIds } from '../domain/workflow-ids';

const CONCURRENCY = 64;
const COUNT = Number(process.env.BENCH_COUNT ?? 640);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run extends LoadResult {
  /** Cases set up per second, from the first request until the worker has set up the last. */
  setUpPerSecond: number;
  cpu: string;
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const key = stack.keyOf('S-FD1');
    const db = () => stack.orm.em.fork().getConnection();
    const rooms = (await db().execute<{ room: string }[]>('select room from household order by room')).map((r) => r.room);

    const raw = await medianOf<Run>(RUNS, (r) => r.perSecond, async (run) => {
      const before = cpuTotals();
      const started = performance.now();
      const result = await load(COUNT, CONCURRENCY, (i) =>
        stack.client.workflow.start('benchWaiter', { taskQueue: stack.baselineQueue, workflowId: `baseline-start-${run}-${i}` }),
      );
      await sleep(1000); // the trivial worker's first workflow task of the last starts
      return { ...result, setUpPerSecond: COUNT / ((performance.now() - started - 1000) / 1000), cpu: cpuPer(before, cpuTotals(), COUNT) };
    });

    const intake = await medianOf<Run>(RUNS, (r) => r.perSecond, async () => {
      const before = cpuTotals();
      const started = performance.now();
      const { result, caseIds } = await intakeLoad(stack.api.url, key, rooms);
      // Set up: every case with its deadline in the read model, its work order mailed, its writes landed.
      const setUpAt = await workerDoneWith(stack, caseIds, 250);
      const cpu = cpuPer(before, cpuTotals(), COUNT);
      return { ...result, setUpPerSecond: COUNT / ((setUpAt - started) / 1000), cpu };
    });

    // The API's own path: the same requests to an API whose task queue no worker polls.
    const unpolled = await startApi({
      config: { ...stack.config, TEMPORAL_TASK_QUEUE: 'bench-intake-unpolled' },
      orm: stack.orm,
      temporal: stack.client,
      logger: pino({ level: 'silent' }),
      port: 0,
      host: '127.0.0.1',
    });
    const alone = await medianOf<LoadResult & { cpu: string }>(RUNS, (r) => r.perSecond, async () => {
      const before = cpuTotals();
      const { result, caseIds } = await intakeLoad(unpolled.url, key, rooms);
      const cpu = cpuPer(before, cpuTotals(), COUNT);
      await terminateAll(stack, caseIds);
      return { ...result, cpu };
    }).finally(() => unpolled.close());

    const ratio = intake.perSecond / raw.perSecond;
    const aloneRatio = alone.perSecond / raw.perSecond;
    report('intake', { ...stack.facts, runs: String(RUNS), requests: `${COUNT} per run, ${CONCURRENCY} in flight` }, [
      {
        name: 'repair intake through the API (cases/s)',
        baseline: `raw workflow.start ${fmt(raw.perSecond)}/s (p99 ${fmt(raw.p99)} ms); per start ${raw.cpu}`,
        measured:
          `${fmt(intake.perSecond)} cases/s (p50 ${fmt(intake.p50)} ms, p99 ${fmt(intake.p99)} ms); the worker set up ${fmt(intake.setUpPerSecond)} cases/s; ` +
          `per case, intake to set-up, ${intake.cpu} (the Node process holds the load generator, API, worker and mail sink)`,
        ratio,
        target: '≥ 0.8',
        met: ratio >= 0.8,
      },
      {
        name: "the API's own intake path (validate, number, start), no worker setting the cases up",
        baseline: `raw workflow.start ${fmt(raw.perSecond)}/s (p99 ${fmt(raw.p99)} ms); per start ${raw.cpu}`,
        measured: `${fmt(alone.perSecond)} cases/s (p50 ${fmt(alone.p50)} ms, p99 ${fmt(alone.p99)} ms); per case ${alone.cpu} (load generator and API)`,
        ratio: aloneRatio,
        target: '≥ 0.8 (where the intake stands once the set-up runs elsewhere)',
        met: aloneRatio >= 0.8,
      },
    ]);
  } finally {
    await stack.close();
  }
}

/** COUNT repair requests to the API at `url`, CONCURRENCY in flight; the case numbers it gave. */
async function intakeLoad(url: string, key: string, rooms: string[]): Promise<{ result: LoadResult; caseIds: string[] }> {
  const caseIds: string[] = [];
  const result = await load(COUNT, CONCURRENCY, async (i) => {
    const res = await fetch(`${url}/api/v1/repairs`, {
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
    caseIds.push(((await res.json()) as { caseId: string }).caseId);
  });
  return { result, caseIds };
}

/** The unpolled repairs go, so that no later worker on another queue could ever pick them up. */
async function terminateAll(stack: BenchStack, caseIds: string[]): Promise<void> {
  await load(caseIds.length, CONCURRENCY, (i) => stack.client.workflow.getHandle(workflowIds.repair(caseIds[i])).terminate('bench:intake, API path alone'));
}

runBench(main);
