/**
 * Replays the recorded histories of the survey workflows (the monthly run across a continueAsNew,
 * a survey answered with a low score that opened a complaint, a survey that was reminded and
 * expired, the month's close that found its areas short of 10 %, a half-yearly campaign) against
 * the current workflow bundle.
 *
 * To record them again: `RECORD_HISTORIES=1 npx jest test/replay --selectProjects stack` (test/replay/histories.ts).
 */
import { join } from 'node:path';
import request from 'supertest';
import { SurveyInvitation } from '../../db/entities';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { historyFiles, RECORDING, replayDirectory, saveHistory } from './histories';

const DIR = join(__dirname, 'histories', 'surveys');
const save = (stack: TestStack, workflowId: string, name: string, runId?: string) => saveHistory(stack, DIR, workflowId, name, runId);

if (RECORDING) describe('recording survey histories (RECORD_HISTORIES=1)', () => {
  let stack: TestStack;
  const as = (staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}` });
  beforeAll(async () => {
    stack = await startTestStack({
      policy: {
        ...DEFAULT_POLICY,
        survey: { ...DEFAULT_POLICY.survey, windowMs: 10_000, reminderBeforeMs: 5000, startBatchSize: 5, runHistoryEventsBeforeContinue: 100, campaign: { ...DEFAULT_POLICY.survey.campaign, workingDayMs: 1000 } },
      },
    });
  });
  afterAll(async () => stack?.close());

  it('records a monthly run that continues as new, a low-score survey with its complaint, an expired survey, the month’s close and a campaign', async () => {
    const started = await request(stack.app).post('/api/v1/survey-runs').set(as('S-SV1')).send({ month: '2026-01' }).expect(202);
    const first = await stack.client.workflow.getHandle(started.body.workflowId).describe();
    const summary = await stack.client.workflow.getHandle<typeof surveyMonthlyRun>(started.body.workflowId).result();
    expect(summary.generations).toBeGreaterThan(1);
    await save(stack, started.body.workflowId, 'survey-monthly-run-first', first.runId);
    await save(stack, started.body.workflowId, 'survey-monthly-run-last');

    const rows = await eventually(async () => {
      const all = await stack.orm.em.fork().find(SurveyInvitation, { month: '2026-01' }, { orderBy: { id: 'asc' } });
      return all.every((r) => r.status !== 'chosen') && all;
    }, { timeoutMs: 120_000, what: 'invited' });
    await request(stack.app).post(`/api/v1/surveys/${rows[0].id}/answers`).set(as('S-BT1')).send({ method: 'phone', score: 1, complaint: '夜间噪音' }).expect(200);
    await save(stack, rows[0].workflowId, 'survey-low-score-follow-up');
    await save(stack, rows[1].workflowId, 'survey-reminded-expired');
    // The month closes when its invitations have (10 s after the last was sent): one answer of 18 per area is short of 10 %.
    await save(stack, `survey-month-close-${started.body.runId}`, 'survey-month-close-short');

    const campaign = await request(stack.app).post('/api/v1/survey-campaigns').set(as('S-SV1')).send({ halfYear: '2027-H1' }).expect(202);
    await eventually(async () => (await request(stack.app).get(`/api/v1/survey-campaigns/${campaign.body.campaignId}`).set(as('S-SV1'))).status === 200, { what: 'campaign' });
    await request(stack.app).post(`/api/v1/survey-campaigns/${campaign.body.campaignId}/counts`).set(as('S-SV1')).send({ distributed: 32 }).expect(200);
    await eventually(async () => (await request(stack.app).get(`/api/v1/survey-campaigns/${campaign.body.campaignId}`).set(as('S-SV1'))).body.status === 'collecting', { what: 'collecting' });
    await request(stack.app).post(`/api/v1/survey-campaigns/${campaign.body.campaignId}/counts`).set(as('S-SV1')).send({ collected: 25 }).expect(200);
    await save(stack, campaign.body.workflowId, 'survey-campaign-recovery-behind');
  });
});

describe('recorded survey histories', () => {
  it('S1–S6: every recorded monthly run, survey and campaign history replays on the current code without nondeterminism', async () => {
    const files = historyFiles(DIR);
    expect(files).toEqual(
      expect.arrayContaining([
        'survey-campaign-recovery-behind.json',
        'survey-low-score-follow-up.json',
        'survey-month-close-short.json',
        'survey-monthly-run-first.json',
        'survey-monthly-run-last.json',
        'survey-reminded-expired.json',
      ]),
    );
    expect(await replayDirectory(DIR)).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
