/**
 * One household's survey of one month (意见征询, docs/rules.md S1–S3, S6): `survey-<month>-<household>`,
 * started by the month's run. It mails a personal link, reminds before the window closes, takes
 * exactly one answer (the resident's page, or staff who asked by visit, phone, outdoor chat,
 * questionnaire or forum — S2), and opens a follow-up complaint for a low score or a complaint (S6).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SearchAttributePair } from '@temporalio/common';
import { allHandlersFinished, ApplicationFailure, condition, log, ParentClosePolicy, setCurrentDetails, setHandler, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Channel } from '../domain/people';
import { needsFollowUp, SCORE_MAX, surveyAnswerSchema, SURVEY_TOPICS, surveyWindow, type SurveyMethod, type SurveyTerms, type SurveyTopic } from '../domain/survey';
import { activities } from './case/proxies';
import type { complaint } from './complaint';
import { AreaId, CaseStatus, CaseType } from './search-attributes';
import { surveyAnswerSignal, surveyAnswerUpdate, surveyViewQuery, type SurveyAnswerCall, type SurveyView } from './survey-messages';
import { workflowIds } from '../domain/workflow-ids';

export interface SurveyInput {
  surveyId: string;
  runId: string;
  propertyId: string;
  householdId: string;
  areaId: string;
  room: string;
  month: string;
  topic: SurveyTopic;
  /**
   * The survey's terms, from the policy the month's run loaded: a survey loads no policy of its own
   * and starts with its search attributes already set (the run gives them, {@link surveyStartAttributes}).
   */
  terms: SurveyTerms;
}

/** A survey's search attributes as its run starts it: its type, its area and `chosen`. */
export function surveyStartAttributes(areaId: string): SearchAttributePair[] {
  return [
    { key: CaseType, value: 'survey' },
    { key: AreaId, value: areaId },
    { key: CaseStatus, value: 'chosen' },
  ];
}

export interface SurveyOutcome {
  surveyId: string;
  status: 'answered' | 'expired';
  score?: number;
  method?: SurveyMethod;
  followUpCaseId?: string;
}

/** The channel the follow-up complaint records (I1) for each way of answering. */
const CHANNEL_OF: Record<SurveyMethod, Channel> = { link: 'email', visit: 'visit', phone: 'phone', outdoor: 'staff', questionnaire: 'letter', forum: 'staff' };

export async function survey(input: SurveyInput): Promise<SurveyOutcome> {
  const policy = { survey: input.terms };
  const { closesAt, remindAt } = surveyWindow(policy, new Date());
  const workflowId = workflowInfo().workflowId;
  const state: SurveyView = {
    surveyId: input.surveyId,
    householdId: input.householdId,
    areaId: input.areaId,
    room: input.room,
    month: input.month,
    topic: input.topic,
    status: 'chosen',
    closesAt: closesAt.toISOString(),
  };
  let closed = false;
  // The search attributes it was started with (its run gives them, surveyStartAttributes).
  const started = workflowInfo().typedSearchAttributes;
  let shown = [started.get(CaseType), started.get(AreaId), started.get(CaseStatus)].join('|');

  const refresh = () => {
    // Only what changed since the start (or the last upsert).
    const showing = ['survey', input.areaId, state.status].join('|');
    if (showing !== shown) {
      upsertSearchAttributes([
        { key: CaseType, value: 'survey' },
        { key: AreaId, value: input.areaId },
        { key: CaseStatus, value: state.status },
      ]);
      shown = showing;
    }
    const score = state.answer ? ` · **score** ${state.answer.score}/${SCORE_MAX} (${state.answer.method})` : '';
    setCurrentDetails(
      [
        `### Survey ${input.month} · room ${input.room} · area ${input.areaId}`,
        `**Topic:** ${SURVEY_TOPICS[input.topic].zh} ${SURVEY_TOPICS[input.topic].en} · **status:** ${state.status}${score}`,
        `**Closes:** ${state.closesAt}`,
        state.followUpCaseId ? `**S6 follow-up:** complaint ${state.followUpCaseId}` : '',
      ].join('\n'),
    );
  };

  const validate = (call: SurveyAnswerCall): void => {
    if (state.answer) throw ApplicationFailure.create({ type: 'AlreadyAnswered', message: `survey ${input.surveyId} was already answered`, details: [{ refusal: 'already-answered' }] });
    if (closed) throw ApplicationFailure.create({ type: 'SurveyClosed', message: `survey ${input.surveyId} closed at ${state.closesAt}`, details: [{ refusal: 'survey-closed', closesAt: state.closesAt }] });
    if ((call.by.kind === 'resident') !== (call.method === 'link')) {
      throw ApplicationFailure.create({ type: 'InvalidPayload', message: 'only the resident answers through the link; staff record how they asked (S2)', details: [{ refusal: 'link-for-residents-only', rule: 'S2' }] });
    }
    const parsed = surveyAnswerSchema().safeParse(call.answer);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: 'InvalidPayload',
        message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        details: [{ refusal: 'invalid-payload', issues: parsed.error.issues }],
      });
    }
  };

  // The answer is taken before the first await, so a second one validated meanwhile is refused.
  const answer = async (call: SurveyAnswerCall): Promise<SurveyView> => {
    const answeredAt = new Date().toISOString();
    const recordedBy = call.by.kind === 'resident' ? 'resident' : call.by.staffId;
    state.answer = { ...surveyAnswerSchema().parse(call.answer), method: call.method, recordedBy, answeredAt };
    state.status = 'answered';
    refresh();
    await activities.recordSurveyAnswer({ surveyId: input.surveyId, ...state.answer });
    return { ...state };
  };

  setHandler(surveyViewQuery, () => ({ ...state }));
  setHandler(surveyAnswerUpdate, answer, { validator: validate, description: 'S2: the household’s answer, once' });
  setHandler(surveyAnswerSignal, async (call) => {
    try {
      validate(call);
    } catch (error) {
      log.warn('ignored survey answer sent as a signal', { surveyId: input.surveyId, reason: (error as Error).message });
      return;
    }
    await answer(call);
  });
  refresh();

  const answered = () => state.answer !== undefined;
  await activities.sendSurveyLink.executeWithOptions(
    { startToCloseTimeout: '1 minute', summary: 'S1 invitation with a personal link' },
    [{ surveyId: input.surveyId, purpose: 'invitation', closesAt: state.closesAt! }],
  );
  if (!answered()) {
    state.status = 'invited';
    refresh();
  }
  if (!(await condition(answered, Math.max(1, remindAt.getTime() - Date.now()), { summary: 'reminder before the survey closes' }))) {
    await activities.sendSurveyLink.executeWithOptions(
      { startToCloseTimeout: '1 minute', summary: 'reminder with a fresh link' },
      [{ surveyId: input.surveyId, purpose: 'reminder', closesAt: state.closesAt! }],
    );
    if (!answered()) {
      state.status = 'reminded';
      refresh();
    }
  }
  if (!(await condition(answered, Math.max(1, closesAt.getTime() - Date.now()), { summary: 'the survey window closes' }))) {
    closed = true;
    state.status = 'expired';
    refresh();
    await activities.closeSurvey({ surveyId: input.surveyId });
    await condition(allHandlersFinished);
    return { surveyId: input.surveyId, status: 'expired' };
  }
  // The answer must be in Postgres before its follow-up points at it.
  await condition(allHandlersFinished);
  const given = state.answer!;

  // ---- S6: a low score or a complaint opens a follow-up complaint for the household ----
  const followUp = needsFollowUp(policy, given);
  if (followUp) {
    const caseId = await activities.allocateCaseNumber({ prefix: 'C', propertyId: input.propertyId, idempotencyKey: `${workflowId}:follow-up` });
    const words = given.complaint ?? given.comment;
    try {
      await startChild<typeof complaint>('complaint', {
        workflowId: workflowIds.complaint(caseId),
        // The complaint lives on after this survey ends.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `投诉 ${caseId} ← 满意度调查 ${input.surveyId} · room ${input.room} · ${given.score}/${SCORE_MAX}`,
        args: [
          {
            caseId,
            propertyId: input.propertyId,
            areaId: input.areaId,
            householdId: input.householdId,
            room: input.room,
            channel: CHANNEL_OF[given.method],
            description: `满意度调查（${SURVEY_TOPICS[input.topic].zh}，${input.month}）评分 ${given.score}/${SCORE_MAX}${words ? `：${words}` : ''}`,
            receivedAt: new Date().toISOString(),
            receivedBy: { staffId: 'system', role: 'system' },
            source: { caseId: input.surveyId, relation: 'survey', reason: followUp.reason },
          },
        ],
      });
    } catch (error) {
      // A replayed start after a worker crash: the complaint is already there under the same number.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    state.followUpCaseId = caseId;
    refresh();
    await activities.linkSurveyFollowUp({ surveyId: input.surveyId, caseId });
  }
  return { surveyId: input.surveyId, status: 'answered', score: given.score, method: given.method, followUpCaseId: state.followUpCaseId };
}
