/**
 * bench:sampling — a monthly survey run (S1) over a large property: households sampled (chosen,
 * recorded and their survey workflows started) per second, and the largest history length of any
 * run of the chain (Temporal's limit is 51,200 events per run; the run continues as new after a
 * couple of thousand). The property is the demo one plus generated households (no e-mail contacts,
 * so the surveys' invitations find nobody to mail — the mail sink is not what is measured).
 *
 * `npm run bench:sampling` runs the full 100,000 households; `SAMPLING_HOUSEHOLDS=2000 npm run bench:sampling` a quick check.
 */
import { fmt, report, runBench } from './lib';
import { startBenchStack } from './stack';
import type { surveyMonthlyRun } from '../workflows/survey-run';

const HOUSEHOLDS = Number(process.env.SAMPLING_HOUSEHOLDS ?? 100_000);
const MONTH = '2027-01';
const TEMPORAL_LIMIT = 51_200;
// The target: a full property's month is chosen and started within the hour of its 09:00 schedule.
const TARGET_PER_SECOND = 100_000 / 6 / 3600;

async function main(): Promise<void> {
  if (!Number.isInteger(HOUSEHOLDS) || HOUSEHOLDS < 208) throw new Error('SAMPLING_HOUSEHOLDS must be an integer ≥ 208 (the demo property)');
  const stack = await startBenchStack();
  try {
    const extra = HOUSEHOLDS - stack.seed.households;
    await stack.orm.em.fork().getConnection().execute(
      `insert into household (id, property_id, building_id, room, unit, move_in_date, hobbies, skills, pets, festivals, updated_at)
       select 'P001-X-' || i, 'P001', 'P001-B' || (1 + i % 4), 'X-' || i, '1', date '2020-01-01', '[]', '[]', '[]', '[]', now()
       from generate_series(1, ?) as i`,
      [extra],
    );
    const started = performance.now();
    const handle = await stack.client.workflow.start<typeof surveyMonthlyRun>('surveyMonthlyRun', {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `survey-run-P001-${MONTH}`,
      args: [{ propertyId: 'P001', month: MONTH }],
    });
    const summary = await handle.result();
    const seconds = (performance.now() - started) / 1000;

    const runs: { runId: string; historyLength: number }[] = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
      runs.push({ runId: execution.runId, historyLength: execution.historyLength });
    }
    const largestRun = Math.max(...runs.map((r) => r.historyLength));
    const oneSurvey = (await stack.client.workflow.getHandle(`survey-${MONTH}-P001-X-1`).describe().catch(() => undefined))?.historyLength;
    const perSecond = summary.started / seconds;
    report('sampling', { ...stack.facts, households: String(HOUSEHOLDS) }, [
      {
        name: `households sampled per second (${HOUSEHOLDS} households, ${summary.started} surveys started)`,
        baseline: `${fmt(TARGET_PER_SECOND, 2)}/s (a 100,000-household month within an hour)`,
        measured: `${fmt(perSecond, 1)}/s (${fmt(seconds, 1)} s)`,
        ratio: perSecond / TARGET_PER_SECOND,
        target: '≥ 1.0',
        met: perSecond >= TARGET_PER_SECOND,
      },
      {
        name: 'largest history length of a run of the chain',
        baseline: `Temporal's limit ${TEMPORAL_LIMIT} events`,
        measured: `${largestRun} events (${runs.length} runs of the chain${oneSurvey ? `; one survey workflow so far ${oneSurvey}` : ''})`,
        ratio: largestRun / TEMPORAL_LIMIT,
        target: '≤ 0.1',
        met: largestRun <= TEMPORAL_LIMIT / 10,
      },
    ]);
  } finally {
    await stack.close();
  }
}

runBench(main);
