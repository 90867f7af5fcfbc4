/**
 * Replays the recorded histories of the survey workflows (the monthly run across a continueAsNew,
 * a survey answered with a low score that opened a complaint, a survey that was reminded and
 * expired, a half-yearly campaign) against the current workflow bundle.
 *
 * To record them again (after an intended, patched change): `RECORD_HISTORIES=1 npx jest test/replay/survey`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { SurveyInvitation } from '../../db/entities';
import { DEFAULT_POLICY } from '../../domain/policy';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

const DIR = join(__dirname, 'histories', 'surveys');
const recording = process.env.RECORD_HISTORIES === '1';

async function save(stack: TestStack, workflowId: string, name: string, runId?: string): Promise<void> {
  if (!runId) await stack.client.workflow.getHandle(workflowId).result();
  const cli = resolveTemporalCli();
  if (cli.kind !== 'path') throw new Error('recording needs a local Temporal CLI');
  const json = execFileSync(
    cli.path,
    ['workflow', 'show', '--output', 'json', '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []), '--address', stack.config.TEMPORAL_ADDRESS!, '--namespace', stack.config.TEMPORAL_NAMESPACE],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
}

if (recording) describe('recording survey histories (RECORD_HISTORIES=1)', () => {
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

  it('records a monthly run that continues as new, a low-score survey with its complaint, an expired survey and a campaign', async () => {
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
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(
      expect.arrayContaining(['survey-campaign-recovery-behind.json', 'survey-low-score-follow-up.json', 'survey-monthly-run-first.json', 'survey-monthly-run-last.json', 'survey-reminded-expired.json']),
    );
    const histories = files.map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));
    const results: { file: string; error?: unknown }[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, histories)) {
      results.push({ file: result.workflowId, error: result.error });
    }
    expect(results).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
