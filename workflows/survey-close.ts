/**
 * S1: a month's close (月度意见征询统计). Started by the month's run once its surveys are started;
 * it waits until the month has ended — or, for a run started too late for that, until the month's
 * invitations have closed (domain/survey.ts `monthCloseAt`) — counts each area's answers against its
 * 10 %, and tells the supervisor of every area that fell short, once.
 */
import { setCurrentDetails, sleep, workflowInfo } from '@temporalio/workflow';
import { SURVEY_TOPICS, type SurveyTopic } from '../domain/survey';
import { activities } from './case/proxies';

export interface SurveyMonthCloseInput {
  runId: string;
  propertyId: string;
  month: string;
  topic: SurveyTopic;
  /** ISO instant: when the month's answers are counted. */
  closeAt: string;
}

export async function surveyMonthClose(input: SurveyMonthCloseInput): Promise<{ short: string[] }> {
  const { workflowId } = workflowInfo();
  const title = `### S1 close of ${input.runId} · ${SURVEY_TOPICS[input.topic].zh} ${SURVEY_TOPICS[input.topic].en}`;
  setCurrentDetails(`${title}\n**Counts the answers at:** ${input.closeAt}`);
  let wait = Date.parse(input.closeAt) - Date.now();
  for (;;) {
    if (wait > 0) await sleep(wait, { summary: 'S1 the month closes' });
    // An invitation sent a moment after its run started may still be open: its answer counts too.
    const openUntil = await activities.surveyRunOpenUntil({ runId: input.runId });
    if (!openUntil) break;
    wait = Math.max(1, Date.parse(openUntil) - Date.now());
  }
  const closed = await activities.closeSurveyMonth.executeWithOptions({ startToCloseTimeout: '1 minute', summary: 'S1 answers against each area’s 10 %' }, [{ runId: input.runId }]);
  if (closed.short.length) {
    await activities.notify({
      idempotencyKey: `${workflowId}:shortfall`,
      propertyId: input.propertyId,
      roles: ['supervisor'],
      template: 'surveyShortfall',
      data: { runId: input.runId, month: input.month, topic: input.topic, closedAt: closed.closedAt, areas: closed.short },
    });
  }
  setCurrentDetails(
    [
      title,
      `**Closed:** ${closed.closedAt}`,
      '',
      ...closed.areas.map((a) => `- ${a.areaId}: ${a.answered} answered of at least ${a.minimum}${a.answered < a.minimum ? ' — **short, the supervisor was told**' : ''}`),
    ].join('\n'),
  );
  return { short: closed.short.map((a) => a.areaId) };
}
