/**
 * bench:server — what each kind of workflow command costs the Temporal dev server in CPU, so the
 * other benches' "dev server ms per case" can be read: a workflow task woken by a signal, an upsert
 * of the eight case search attributes, a timer, and an activity through matching against one
 * handed back eagerly (SERVER_DYNAMIC_CONFIG). Trivial workflows (bench/baseline-workflows.ts
 * `benchSteps`), no Postgres, no API: BENCH_WORKFLOWS (200) workflows × 5 rounds per variant, each
 * variant BENCH_RUNS (3) times, the median reported.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { devServerOptions, dynamicConfigArgs, resolveTemporalCli } from '../scripts/temporal-cli';
import type { StepsInput } from './baseline-workflows';
import { cpuTotals, fmt, machineFacts, median, report, runBench, type Figure } from './lib';

const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROUNDS = 5;

type Variant = Omit<StepsInput, 'rounds'>;
const SIGNAL_ONLY: Variant = { upserts: 0, activities: 0, timers: 0 };

/** Dev-server CPU ms per round of `variant`: WORKFLOWS workflows each signalled ROUNDS times. */
async function perRound(env: TestWorkflowEnvironment, taskQueue: string, variant: Variant, run: string): Promise<number> {
  const handles = await Promise.all(
    Array.from({ length: WORKFLOWS }, (_, i) =>
      env.client.workflow.start('benchSteps', { taskQueue, workflowId: `steps-${run}-${i}`, args: [{ rounds: ROUNDS, ...variant }] }),
    ),
  );
  await new Promise((r) => setTimeout(r, 2000)); // the starts' own tasks are done
  const before = cpuTotals();
  for (let round = 0; round < ROUNDS; round++) await Promise.all(handles.map((h) => h.signal('finish')));
  await Promise.all(handles.map((h) => h.result()));
  await new Promise((r) => setTimeout(r, 2000)); // visibility and history tasks the rounds queued
  return ((cpuTotals().temporal - before.temporal) * 1000) / (WORKFLOWS * ROUNDS);
}

async function measure(cliPath: string, eager: boolean, variants: Record<string, Variant>): Promise<Record<string, number>> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cliPath },
      ...devServerOptions(),
      log: { format: 'pretty', level: 'error' },
      // Against the default: the same server without SERVER_DYNAMIC_CONFIG.
      extraArgs: eager ? dynamicConfigArgs() : [],
    },
  });
  const taskQueue = 'bench-server';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./baseline-workflows'),
    activities: { noop: async () => undefined },
  });
  const running = worker.run();
  try {
    const out: Record<string, number> = {};
    for (const [name, variant] of Object.entries(variants)) {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await perRound(env, taskQueue, variant, `${eager ? 'eager' : 'matching'}-${name}-${i}`));
      out[name] = median(runs);
      process.stdout.write(`[server] ${eager ? 'eager' : 'matching'} ${name}: ${runs.map((r) => fmt(r, 2)).join(', ')} ms per round\n`);
    }
    return out;
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const cli = resolveTemporalCli();
  if (cli.kind !== 'path') throw new Error('benchmarks need a local Temporal CLI (npm run temporal:cli)');
  const facts = { ...machineFacts(cli.path), workflows: `${WORKFLOWS} × ${ROUNDS} rounds per variant, ${RUNS} runs, median` };
  const matching = await measure(cli.path, false, {
    signal: SIGNAL_ONLY,
    upserts: { ...SIGNAL_ONLY, upserts: 5 },
    timers: { ...SIGNAL_ONLY, timers: 3 },
    activity: { ...SIGNAL_ONLY, activities: 1 },
    activities: { ...SIGNAL_ONLY, activities: 2 },
  });
  const eager = await measure(cli.path, true, { signal: SIGNAL_ONLY, activity: { ...SIGNAL_ONLY, activities: 1 }, activities: { ...SIGNAL_ONLY, activities: 2 } });
  const task = matching.signal;
  const upsert = (matching.upserts - task) / 5;
  const timer = (matching.timers - task) / 3;
  const viaMatching = matching.activity - task;
  const viaEager = eager.activity - eager.signal;
  const twoViaMatching = matching.activities - task;
  const twoViaEager = eager.activities - eager.signal;
  const figure = (name: string, baseline: string, measured: string, ratio: number): Figure => ({ name, baseline, measured, ratio, target: 'none: where the server CPU goes' });
  report('server', facts, [
    figure('dev-server CPU per upsert of the eight case search attributes', `a signal and its workflow task ${fmt(task, 2)} ms`, `${fmt(upsert, 2)} ms per upsert`, upsert / task),
    figure('dev-server CPU per timer started', `a signal and its workflow task ${fmt(task, 2)} ms`, `${fmt(timer, 2)} ms per timer`, timer / task),
    figure('dev-server CPU per activity (scheduled, run, completed, and the task it wakes)', `through matching ${fmt(viaMatching, 2)} ms`, `eager ${fmt(viaEager, 2)} ms`, viaEager / viaMatching),
    figure('dev-server CPU for two activities scheduled by one task', `through matching ${fmt(twoViaMatching, 2)} ms`, `eager ${fmt(twoViaEager, 2)} ms`, twoViaEager / twoViaMatching),
  ]);
}

runBench(main);
