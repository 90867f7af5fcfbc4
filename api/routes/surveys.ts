/**
 * Satisfaction surveys for staff (docs/rules.md §5): start a month's sampling run by hand (S1), read a
 * run and a household's survey, record an answer taken by visit, phone, outdoor chat, paper or forum
 * (S2), the month's results per area and topic (S3, from Postgres only), and the half-yearly
 * questionnaire campaign (S4/S5).
 */
import { ACCESS } from '../../domain/access';
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Property, SurveyCampaign, SurveyInvitation, SurveyResponse, SurveyRun, SurveyRunArea, SurveyTopicChoice } from '../../db/entities';
import { surveyRunId } from '../../domain/survey';
import { halfYearOf, halfYearSchema, monthOf, monthSchema, monthTopic, SCORE_MAX, topicOf, SCORE_MIN, SURVEY_TOPIC_NAMES, SURVEY_TOPICS, type SurveyTopic } from '../../domain/survey';
import { actorFor, type StaffPrincipal } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf, withIdempotency } from '../idempotency';
import { HttpProblem } from '../problem';
import { refusalProblem, refusalText } from '../refusal-words';
import { visibleAreaIds } from '../scope';
import type { surveyCampaign } from '../../workflows/survey-campaign';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import {
  campaignCountsSchema,
  campaignCountsUpdate,
  staffSurveyAnswerSchema,
  surveyAnswerUpdate,
  type SurveyView,
} from '../../workflows/survey-messages';
import type { RouteDeps } from './repairs';
import { workflowIds } from '../../domain/workflow-ids';

const topicSchema = () => z.enum(SURVEY_TOPIC_NAMES).describe(`S2: ${SURVEY_TOPIC_NAMES.map((t) => `${t} (${SURVEY_TOPICS[t].zh})`).join(', ')}`);
const topicOfMonthSchema = z.object({
  month: z.string(),
  topic: z.string(),
  chosen: z.boolean().describe('the centre chose it; otherwise the rotation’s'),
  chosenBy: z.string().optional(),
  chosenAt: z.string().optional(),
  fixed: z.boolean().describe('the month’s run has planned it: it no longer changes'),
});

const runIdParam = z.object({ runId: z.string().regex(/^[A-Za-z0-9-]{1,48}$/) });
const surveyIdParam = z.object({ surveyId: z.string().regex(/^[A-Za-z0-9-]{1,96}$/) });
const campaignIdParam = z.object({ campaignId: z.string().regex(/^[A-Za-z0-9-]{1,48}$/) });

const runStartedSchema = z.object({ runId: z.string(), workflowId: z.string(), month: z.string() });
const runSchema = z.object({
  runId: z.string(),
  month: z.string(),
  halfYear: z.string(),
  topic: z.string(),
  seed: z.number().describe('S1: recomputes the choice of the month (domain/survey.ts sampleMonth)'),
  status: z.string(),
  chosen: z.number(),
  requestedBy: z.string().optional(),
  closedAt: z.string().optional().describe('S1: when the month’s answers were counted against each area’s 10 %'),
  areas: z.array(
    z.object({
      areaId: z.string(),
      occupied: z.number(),
      notConsulted: z.number().describe('occupied households that had not answered this half-year, less those with an invitation still open'),
      minimum: z.number(),
      chosen: z.number(),
      toppedUp: z.number(),
      answered: z.number(),
      short: z.boolean().optional().describe('S1: fewer answers than the minimum when the month closed (reported to the supervisor)'),
    }),
  ),
});
const surveySchema = z.object({
  surveyId: z.string(),
  month: z.string(),
  topic: z.string(),
  areaId: z.string(),
  room: z.string(),
  status: z.string(),
  closesAt: z.string().optional(),
  answer: z.object({ score: z.number(), method: z.string(), comment: z.string().optional(), complaint: z.string().optional(), recordedBy: z.string(), answeredAt: z.string() }).optional(),
  followUpCaseId: z.string().optional(),
});
const resultsSchema = z.object({
  month: z.string(),
  topic: z.string(),
  areas: z.array(
    z.object({
      areaId: z.string(),
      topic: z.string(),
      surveyed: z.number(),
      answered: z.number(),
      responseRate: z.number().describe('answered / surveyed'),
      averageScore: z.number().nullable(),
      distribution: z.record(z.string(), z.number()).describe('answers per score 1…5'),
      suggestions: z.number().describe('S3: answers with a comment or suggestion, for the supervisor to weigh'),
      followUps: z.number(),
      openFollowUps: z.number().describe('S6 follow-up complaints not closed yet'),
    }),
  ),
});
const campaignSchema = z.object({
  campaignId: z.string(),
  halfYear: z.string(),
  status: z.string(),
  occupied: z.number(),
  occupancyYears: z.number(),
  rate: z.number(),
  quota: z.number(),
  distributed: z.number(),
  collected: z.number(),
  recoveryRate: z.number(),
  releasedAt: z.string(),
  distributeBy: z.string(),
  distributedAt: z.string().optional(),
  collectBy: z.string().optional(),
  alerts: z.array(z.object({ kind: z.string(), at: z.string() })),
  notes: z.array(z.string()).optional().describe('how the campaign counts working days, e.g. a year assumed Mon–Fri'),
});

/** The failures of a survey's or campaign's validator, as staff hear them. */
function updateProblem(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const status = error.cause.type === 'InvalidPayload' ? 400 : 409;
    throw refusalProblem(status, status === 400 ? 'Invalid request' : 'Action not allowed', error.cause);
  }
  if (error instanceof WorkflowNotFoundError) throw new HttpProblem(409, 'Closed', 'it no longer takes answers');
  throw error;
}

export function surveyOperations({ orm, temporal, config }: RouteDeps): Operation[] {
  const invitationFor = async (surveyId: string, staff: StaffPrincipal) => {
    const row = await orm.em.fork().findOne(SurveyInvitation, { id: surveyId });
    if (!row || row.propertyId !== staff.propertyId) return null;
    const areas = await visibleAreaIds(orm, staff);
    return !areas || areas.includes(row.areaId) ? row : null;
  };

  /** A month's topic as it stands: fixed by its run, chosen by the centre, or the rotation's. */
  const topicOfMonth = async (propertyId: string, month: string) => {
    const em = orm.em.fork();
    const [run, choice] = await Promise.all([
      em.findOne(SurveyRun, { id: surveyRunId(propertyId, month) }, { fields: ['topic'] }),
      orm.em.fork().findOne(SurveyTopicChoice, { propertyId, month }),
    ]);
    const topic = run ? run.topic : monthTopic(month, choice?.topic as SurveyTopic | undefined);
    const byChoice = choice?.topic === topic;
    return { month, topic, chosen: byChoice || topic !== topicOf(month), ...(byChoice ? { chosenBy: choice.chosenBy, chosenAt: choice.chosenAt.toISOString() } : {}), fixed: !!run };
  };

  return [
    operation({
      method: 'post',
      path: '/survey-runs',
      operationId: 'startSurveyRun',
      summary: 'S1: run the monthly survey sampling now (月度意见征询) — once per month, whoever starts it',
      description:
        'Starts the sampling of the caller’s property for `month` (default: this month, property-local), besides the schedule on the 1st at 09:00. ' +
        'A month is chosen once: a second request, or the scheduled run, finds the same choice and starts no survey twice. ' +
        'A past month can be run late; a month that has not begun cannot.',
      tags: ['surveys'],
      roles: ACCESS.surveys.run,
      idempotent: true,
      body: z.object({ month: monthSchema().optional().describe("'YYYY-MM'"), topic: topicSchema().optional() }).strict(),
      bodyExample: {},
      responses: {
        202: { description: 'Started (or already started); the surveys follow', schema: runStartedSchema },
        409: { description: 'The month was already planned with another topic' },
        422: { description: 'A month that has not begun' },
      },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const property = await em.findOneOrFail(Property, { id: staff.propertyId });
        const thisMonth = monthOf(new Date(), property.timeZone);
        const month = body.month ?? thisMonth;
        if (month > thisMonth) {
          // A month is chosen once, from who lives there by its 1st: choosing it early would fix it on the wrong households.
          throw new HttpProblem(422, 'Month not begun', `${month} has not begun (this month is ${thisMonth})`, {
            'invalid-params': [{ name: 'month', in: 'body', reason: 'must not be after this month' }],
          });
        }
        const runId = surveyRunId(property.id, month);
        const workflowId = workflowIds.surveyRun(runId);
        const planned = body.topic && (await em.findOne(SurveyRun, { id: runId }, { fields: ['topic'] }));
        if (planned && planned.topic !== body.topic) {
          throw new HttpProblem(409, 'Topic already fixed', `${month} was planned with the topic ${planned.topic}`, { 'invalid-params': [{ name: 'topic', in: 'body', reason: `the month’s topic is ${planned.topic}` }] });
        }
        return withIdempotency(
          em,
          { staffId: staff.id, key: idempotencyKeyOf(req.get('Idempotency-Key')), body, ttlDays: config.IDEMPOTENCY_TTL_DAYS },
          async () => runId,
          async () => {
            try {
              await temporal.workflow.start<typeof surveyMonthlyRun>('surveyMonthlyRun', {
                taskQueue: config.TEMPORAL_TASK_QUEUE,
                workflowId,
                workflowIdConflictPolicy: 'USE_EXISTING',
                workflowIdReusePolicy: 'REJECT_DUPLICATE',
                args: [{ propertyId: property.id, month, requestedBy: staff.id, topic: body.topic }],
                staticSummary: `S1 survey sampling ${runId}, started by ${staff.id}`,
              });
            } catch (error) {
              // This month's run finished already: the surveys were started.
              if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
            }
            return { status: 202, body: { runId, workflowId, month } };
          },
        );
      },
    }),

    operation({
      method: 'get',
      path: '/survey-runs/:runId',
      operationId: 'getSurveyRun',
      summary: 'S1/S3: a month’s run — its seed, and per area how many were occupied, due, chosen and answered (a butler sees their own areas)',
      tags: ['surveys'],
      roles: ACCESS.surveys.read,
      params: runIdParam,
      responses: { 200: { description: 'The run', schema: runSchema }, 404: { description: 'No such run' } },
      handler: async ({ params, staff }) => {
        const em = orm.em.fork();
        const run = await em.findOne(SurveyRun, { id: params.runId, propertyId: staff.propertyId });
        if (!run) throw new HttpProblem(404, 'Not found', `no survey run ${params.runId}`);
        const visible = await visibleAreaIds(orm, staff);
        const areas = (await em.find(SurveyRunArea, { runId: run.id }, { orderBy: { areaId: 'asc' } })).filter((a) => !visible || visible.includes(a.areaId));
        return {
          status: 200,
          body: {
            runId: run.id,
            month: run.month,
            halfYear: run.halfYear,
            topic: run.topic,
            seed: Number(run.seed),
            status: run.status,
            chosen: run.chosen,
            requestedBy: run.requestedBy ?? undefined,
            closedAt: run.closedAt?.toISOString(),
            areas: areas.map((a) => ({
              areaId: a.areaId,
              occupied: a.occupied,
              notConsulted: a.notConsulted,
              minimum: a.minimum,
              chosen: a.chosen,
              toppedUp: a.toppedUp,
              answered: a.answered,
              ...(run.closedAt ? { short: a.answered < a.minimum } : {}),
            })),
          },
        };
      },
    }),

    operation({
      method: 'get',
      path: '/survey-topics/:month',
      operationId: 'getSurveyTopic',
      summary: 'S1/S2: a month’s survey topic — the one the centre chose, or the rotation’s',
      tags: ['surveys'],
      roles: ACCESS.surveys.read,
      params: z.object({ month: monthSchema() }).strict(),
      responses: { 200: { description: 'The topic', schema: topicOfMonthSchema } },
      handler: async ({ params, staff }) => ({ status: 200, body: await topicOfMonth(staff.propertyId, params.month) }),
    }),

    operation({
      method: 'put',
      path: '/survey-topics/:month',
      operationId: 'chooseSurveyTopic',
      summary: 'S1: choose a month’s survey topic (可视实际情况选择主题) before its run plans it; without a choice the topic rotates',
      tags: ['surveys'],
      roles: ACCESS.surveys.run,
      params: z.object({ month: monthSchema() }).strict(),
      body: z.object({ topic: topicSchema() }).strict(),
      bodyExample: { topic: 'cleaning' },
      responses: { 200: { description: 'The month’s topic now', schema: topicOfMonthSchema }, 409: { description: 'The month’s run has already planned it' } },
      handler: async ({ params, body, staff }) => {
        const em = orm.em.fork();
        const run = await em.findOne(SurveyRun, { id: surveyRunId(staff.propertyId, params.month) }, { fields: ['topic'] });
        if (run) throw new HttpProblem(409, 'Topic already fixed', `${params.month} was planned with the topic ${run.topic}`);
        await em.upsert(SurveyTopicChoice, { propertyId: staff.propertyId, month: params.month, topic: body.topic, chosenBy: staff.id, chosenAt: new Date() });
        return { status: 200, body: await topicOfMonth(staff.propertyId, params.month) };
      },
    }),

    operation({
      method: 'get',
      path: '/surveys/:surveyId',
      operationId: 'getSurvey',
      summary: 'A household’s survey of a month: status, window, answer and S6 follow-up',
      tags: ['surveys'],
      roles: ACCESS.surveys.readOne,
      params: surveyIdParam,
      responses: { 200: { description: 'The survey', schema: surveySchema }, 404: { description: 'No such survey' } },
      handler: async ({ params, staff }) => {
        const row = await invitationFor(params.surveyId, staff);
        if (!row) throw new HttpProblem(404, 'Not found', `no survey ${params.surveyId}`);
        const answer = await orm.em.fork().findOne(SurveyResponse, { surveyId: row.id });
        return {
          status: 200,
          body: {
            surveyId: row.id,
            month: row.month,
            topic: row.topic,
            areaId: row.areaId,
            room: row.room,
            status: row.status,
            closesAt: row.closesAt?.toISOString(),
            answer: answer
              ? { score: answer.score, method: answer.method, comment: answer.comment ?? undefined, complaint: answer.complaint ?? undefined, recordedBy: answer.recordedBy, answeredAt: answer.answeredAt.toISOString() }
              : undefined,
            followUpCaseId: row.followUpCaseId ?? undefined,
          },
        };
      },
    }),

    operation({
      method: 'post',
      path: '/surveys/:surveyId/answers',
      operationId: 'recordSurveyAnswer',
      summary: 'S2: record the answer taken by home visit, phone, outdoor chat, paper questionnaire or owners’ forum (上门/电话/户外/问卷/论坛)',
      description: 'The survey takes one answer: a second one (or one after its window closed) is 409. A low score or a complaint opens a follow-up complaint (S6).',
      tags: ['surveys'],
      roles: ACCESS.surveys.recordAnswer,
      idempotent: true,
      params: surveyIdParam,
      body: staffSurveyAnswerSchema(),
      bodyExample: { method: 'phone', score: 4, comment: '保洁很及时' },
      responses: {
        200: { description: 'Recorded; the survey as it is now', schema: surveySchema },
        404: { description: 'No such survey' },
        409: { description: 'Already answered, or closed' },
      },
      handler: async ({ params, body, staff, req }) => {
        const key = idempotencyKeyOf(req.get('Idempotency-Key'));
        const row = await invitationFor(params.surveyId, staff);
        if (!row) throw new HttpProblem(404, 'Not found', `no survey ${params.surveyId}`);
        // A finished survey's workflow may be gone: Postgres knows why it takes no answer.
        if (row.status === 'answered') throw new HttpProblem(409, 'Action not allowed', { 'zh-CN': refusalText({ refusal: 'already-answered' }, 'zh-CN')!, en: `survey ${row.id} was already answered` });
        if (row.status === 'expired') {
          const closesAt = row.closesAt?.toISOString();
          throw new HttpProblem(409, 'Action not allowed', { 'zh-CN': refusalText({ refusal: 'survey-closed', closesAt }, 'zh-CN')!, en: `survey ${row.id} closed at ${closesAt}` });
        }
        const actor = actorFor(staff, ACCESS.surveys.recordAnswer);
        const { method, ...answer } = body;
        const view = (await temporal.workflow
          .getHandle(row.workflowId)
          .executeUpdate(surveyAnswerUpdate, {
            args: [{ method, answer, by: { kind: 'staff', staffId: actor.staffId, role: actor.role as never } }],
            // A retried request with the same key is the same update: answered once.
            updateId: key ? `staff:${staff.id}:${key}` : randomUUID(),
          })
          .catch(updateProblem)) as SurveyView;
        return {
          status: 200,
          body: {
            surveyId: view.surveyId,
            month: view.month,
            topic: view.topic,
            areaId: view.areaId,
            room: view.room,
            status: view.status,
            closesAt: view.closesAt,
            answer: view.answer,
            followUpCaseId: view.followUpCaseId,
          },
        };
      },
    }),

    operation({
      method: 'get',
      path: '/survey-results',
      operationId: 'getSurveyResults',
      summary: 'S3: the month’s results per area and topic — response rate, average score, distribution, open follow-ups',
      tags: ['surveys'],
      roles: ACCESS.surveys.read,
      query: z.object({ month: monthSchema().describe("'YYYY-MM'") }).strict(),
      responses: { 200: { description: 'Results per area (a butler sees their own areas)', schema: resultsSchema } },
      handler: async ({ query, staff }) => {
        const connection = orm.em.fork().getConnection();
        const areas = await visibleAreaIds(orm, staff);
        const rows = await connection.execute<
          { area_id: string; topic: string; surveyed: string; answered: string; average: string | null; s1: string; s2: string; s3: string; s4: string; s5: string; suggestions: string; follow_ups: string; open_follow_ups: string }[]
        >(
          `select i.area_id, i.topic, count(*) as surveyed, count(r.survey_id) as answered, avg(r.score) as average,
                  count(*) filter (where r.score = 1) as s1, count(*) filter (where r.score = 2) as s2, count(*) filter (where r.score = 3) as s3,
                  count(*) filter (where r.score = 4) as s4, count(*) filter (where r.score = 5) as s5,
                  count(r.comment) as suggestions, count(i.follow_up_case_id) as follow_ups,
                  count(c.id) filter (where c.closed_at is null) as open_follow_ups
           from survey_invitation i
           left join survey_response r on r.survey_id = i.id
           left join service_case c on c.id = i.follow_up_case_id
           where i.property_id = ? and i.month = ?
           group by i.area_id, i.topic order by i.area_id, i.topic`,
          [staff.propertyId, query.month],
        );
        const visible = rows.filter((r) => !areas || areas.includes(r.area_id));
        const n = (v: string | number) => Number(v);
        return {
          status: 200,
          body: {
            month: query.month,
            topic: visible[0]?.topic ?? '',
            areas: visible.map((r) => ({
              areaId: r.area_id,
              topic: r.topic,
              surveyed: n(r.surveyed),
              answered: n(r.answered),
              responseRate: n(r.surveyed) ? n(r.answered) / n(r.surveyed) : 0,
              averageScore: r.average === null ? null : Math.round(Number(r.average) * 100) / 100,
              distribution: Object.fromEntries(Array.from({ length: SCORE_MAX - SCORE_MIN + 1 }, (_, i) => [String(i + 1), n(r[`s${i + 1}` as 's1'])])),
              suggestions: n(r.suggestions),
              followUps: n(r.follow_ups),
              openFollowUps: n(r.open_follow_ups),
            })),
          },
        };
      },
    }),

    operation({
      method: 'post',
      path: '/survey-campaigns',
      operationId: 'releaseSurveyCampaign',
      summary: 'S4/S5: release the half-yearly questionnaire (管理工作征询意见表) — distribute within 7 working days, collect within 15',
      tags: ['surveys'],
      roles: ACCESS.surveys.run,
      idempotent: true,
      body: z.object({ halfYear: halfYearSchema().optional().describe("'YYYY-H1' or 'YYYY-H2'; default this half-year") }).strict(),
      bodyExample: {},
      responses: { 202: { description: 'Released (or already released this half-year)', schema: z.object({ campaignId: z.string(), workflowId: z.string() }) } },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const property = await em.findOneOrFail(Property, { id: staff.propertyId });
        const halfYear = body.halfYear ?? halfYearOf(monthOf(new Date(), property.timeZone));
        const campaignId = `${property.id}-${halfYear}`;
        const workflowId = workflowIds.surveyCampaign(campaignId);
        return withIdempotency(
          em,
          { staffId: staff.id, key: idempotencyKeyOf(req.get('Idempotency-Key')), body, ttlDays: config.IDEMPOTENCY_TTL_DAYS },
          async () => campaignId,
          async () => {
            try {
              await temporal.workflow.start<typeof surveyCampaign>('surveyCampaign', {
                taskQueue: config.TEMPORAL_TASK_QUEUE,
                workflowId,
                workflowIdConflictPolicy: 'USE_EXISTING',
                workflowIdReusePolicy: 'REJECT_DUPLICATE',
                args: [{ campaignId, propertyId: property.id, halfYear, requestedBy: staff.id }],
                staticSummary: `S4/S5 半年度征询意见表 ${campaignId}, released by ${staff.id}`,
              });
            } catch (error) {
              if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
            }
            return { status: 202, body: { campaignId, workflowId } };
          },
        );
      },
    }),

    operation({
      method: 'get',
      path: '/survey-campaigns/:campaignId',
      operationId: 'getSurveyCampaign',
      summary: 'S4/S5: a questionnaire campaign — quota, distributed, collected, recovery, deadlines and alerts',
      tags: ['surveys'],
      roles: ACCESS.surveys.campaign,
      params: campaignIdParam,
      responses: { 200: { description: 'The campaign', schema: campaignSchema }, 404: { description: 'No such campaign' } },
      handler: async ({ params, staff }) => {
        const row = await orm.em.fork().findOne(SurveyCampaign, { id: params.campaignId, propertyId: staff.propertyId });
        if (!row) throw new HttpProblem(404, 'Not found', `no campaign ${params.campaignId}`);
        return {
          status: 200,
          body: {
            campaignId: row.id,
            halfYear: row.halfYear,
            status: row.status,
            occupied: row.occupied,
            occupancyYears: row.occupancyYears,
            rate: Number(row.rate),
            quota: row.quota,
            distributed: row.distributed,
            collected: row.collected,
            recoveryRate: row.distributed ? row.collected / row.distributed : 0,
            releasedAt: row.releasedAt.toISOString(),
            distributeBy: row.distributeBy.toISOString(),
            distributedAt: row.distributedAt?.toISOString(),
            collectBy: row.collectBy?.toISOString(),
            alerts: row.alerts,
            ...(row.notes.length ? { notes: row.notes } : {}),
          },
        };
      },
    }),

    operation({
      method: 'post',
      path: '/survey-campaigns/:campaignId/counts',
      operationId: 'reportSurveyCampaignCounts',
      summary: 'S4/S5: questionnaires distributed and collected so far (running totals)',
      tags: ['surveys'],
      roles: ACCESS.surveys.campaign,
      params: campaignIdParam,
      body: campaignCountsSchema(),
      bodyExample: { distributed: 42 },
      responses: {
        200: { description: 'The campaign as it is now', schema: campaignSchema },
        404: { description: 'No such campaign' },
        409: { description: 'Totals that shrink, more collected than distributed, or a closed campaign' },
      },
      handler: async ({ params, body, staff }) => {
        const row = await orm.em.fork().findOne(SurveyCampaign, { id: params.campaignId, propertyId: staff.propertyId });
        if (!row) throw new HttpProblem(404, 'Not found', `no campaign ${params.campaignId}`);
        const view = await temporal.workflow
          .getHandle(row.workflowId)
          .executeUpdate(campaignCountsUpdate, { args: [{ staffId: staff.id, counts: body }] })
          .catch(updateProblem);
        return { status: 200, body: view };
      },
    }),
  ];
}
