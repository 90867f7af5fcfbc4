/**
 * The monthly sampling run (月度意见征询, docs/rules.md S1): started by the property's Temporal
 * Schedule on the 1st at 09:00, or by a supervisor through the API. An activity chooses and records
 * the month's households (seeded, once per property and month); the run then starts one `survey`
 * workflow per household in batches, and continues as new long before its history grows large, so
 * a property of 100,000 households runs as a chain of short runs. Once they are started it starts
 * the month's close (./survey-close.ts), which counts the answers against each area's 10 %.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { allHandlersFinished, condition, continueAsNew, ParentClosePolicy, setCurrentDetails, startChild, workflowInfo } from '@temporalio/workflow';
import type { SurveyAssignment, SurveyRunPlan } from '../activities/surveys';
import { monthCloseAt, monthOf, SURVEY_TOPICS, surveyTermsOf, type SurveyTopic } from '../domain/survey';
import { workflowIds } from '../domain/workflow-ids';
import { activities } from './case/proxies';
import type { surveyMonthClose } from './survey-close';
import { surveyStartAttributes, type survey } from './survey';

export interface SurveyRunInput {
  propertyId: string;
  /** 'YYYY-MM'; the property-local month the run started in when absent (the schedule). */
  month?: string;
  /** The staff member who started it by hand; absent when the schedule did. */
  requestedBy?: string;
  /** S1: the topic the centre chose when starting it; else the one chosen for the month, else the rotation's. */
  topic?: SurveyTopic;
  /** Carried over by continueAsNew: the recorded seed and the last household started. */
  seed?: number;
  after?: string;
  started?: number;
  /** Runs of this chain so far (1 = the first). */
  generation?: number;
}

export interface SurveyRunSummary extends SurveyRunPlan {
  started: number;
  generations: number;
}

export async function surveyMonthlyRun(input: SurveyRunInput): Promise<SurveyRunSummary> {
  const policy = await activities.loadPolicy(input.propertyId);
  const month = input.month ?? monthOf(new Date(), policy.timeZone);
  // Math.random is deterministic in workflow code (seeded per run): the seed is recorded, not recomputed.
  const seed = input.seed ?? Math.floor(Math.random() * 2 ** 31);
  const plan = await activities.planSurveyMonth.executeWithOptions(
    { startToCloseTimeout: '10 minutes', summary: `S1 choose the households of ${month}` },
    [{ propertyId: input.propertyId, month, seed, workflowId: workflowInfo().workflowId, requestedBy: input.requestedBy, topic: input.topic }],
  );
  const generation = input.generation ?? 1;
  let after = input.after;
  let started = input.started ?? 0;
  const limit = policy.survey.startBatchSize;
  // Each survey runs on the run's policy: it need not load its own (one activity and one workflow task less each).
  const terms = surveyTermsOf(policy);

  const details = () =>
    setCurrentDetails(
      [
        `### S1 survey run ${plan.runId} · ${SURVEY_TOPICS[plan.topic].zh} ${SURVEY_TOPICS[plan.topic].en}`,
        `**Started:** ${started} of ${plan.chosen} survey workflows · run ${generation} of the chain · seed ${plan.seed}`,
        '',
        ...plan.areas.map((a) => `- ${a.areaId}: ${a.chosen} chosen of ${a.occupied} occupied (minimum ${a.minimum}, ${a.notConsulted} not yet consulted this half-year)`),
      ].join('\n'),
    );
  details();

  const start = async (a: SurveyAssignment): Promise<void> => {
    try {
      await startChild<typeof survey>('survey', {
        workflowId: a.workflowId,
        // Each survey runs its own window; the run is done once they are started.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `满意度调查 ${a.month} · room ${a.room} · ${SURVEY_TOPICS[a.topic].zh}`,
        // Shown in the UI from its start, so the survey's first workflow task upserts nothing.
        typedSearchAttributes: surveyStartAttributes(a.areaId),
        args: [{ surveyId: a.surveyId, runId: plan.runId, propertyId: input.propertyId, householdId: a.householdId, areaId: a.areaId, room: a.room, month: a.month, topic: a.topic, terms }],
      });
    } catch (error) {
      // Started already, by an earlier run of this month (the schedule and a supervisor both): once is enough.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  };

  for (;;) {
    const batch = await activities.surveyBatch.executeWithOptions(
      { startToCloseTimeout: '1 minute', summary: `next ${limit} households after ${after ?? 'the first'}` },
      [{ runId: plan.runId, after, limit }],
    );
    await Promise.all(batch.map(start));
    started += batch.length;
    after = batch.at(-1)?.surveyId ?? after;
    details();
    if (batch.length < limit) break;
    const info = workflowInfo();
    if (info.historyLength >= policy.survey.runHistoryEventsBeforeContinue || info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof surveyMonthlyRun>({ ...input, month, seed: plan.seed, after, started, generation: generation + 1 });
    }
  }
  await activities.markSurveyRunStarted({ runId: plan.runId });
  await closeAtMonthEnd(input.propertyId, plan, monthCloseAt({ month, timeZone: policy.timeZone, lastInvitedAt: new Date(), windowMs: policy.survey.windowMs }));
  return { ...plan, started, generations: generation };
}

/** S1: the month's close runs on its own: the run is done once its surveys are started. */
async function closeAtMonthEnd(propertyId: string, plan: SurveyRunPlan, closeAt: Date): Promise<void> {
  try {
    await startChild<typeof surveyMonthClose>('surveyMonthClose', {
      workflowId: workflowIds.surveyMonthClose(plan.runId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `S1 月度意见征询统计 ${plan.runId} · answers against each area's 10 % at ${closeAt.toISOString()}`,
      args: [{ runId: plan.runId, propertyId, month: plan.month, topic: plan.topic, closeAt: closeAt.toISOString() }],
    });
  } catch (error) {
    // Started by an earlier run of the same month (the schedule and a supervisor both): once is enough.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
