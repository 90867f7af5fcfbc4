/**
 * Replays the history of a return visit that went every interesting way — waited for rain, had an
 * unanswered call, ended unsatisfied with a new need (a child repair) — against the current
 * workflow bundle: a change to `returnVisit` that breaks running visits fails here.
 */
import request from 'supertest';
import { Worker } from '@temporalio/worker';
import { compressPolicy, DEFAULT_POLICY } from '../../domain/policy';
import { returnVisitCaseId } from '../../domain/return-visit';
import type { returnVisit } from '../../workflows/return-visit';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

const policy = compressPolicy(DEFAULT_POLICY, 14_400);
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ policy });
});
afterAll(async () => stack?.close());

const call = (caseId: string, payload: Record<string, unknown>) =>
  request(stack.app).post(`/api/v1/return-visits/${caseId}/recordCall`).set('Authorization', `Bearer ${stack.keyOf('S-BT1')}`).send(payload).expect(200);

it('a completed return visit replays without nondeterminism', async () => {
  const caseId = returnVisitCaseId('R20261122-0001', 1);
  const handle = await stack.client.workflow.start<typeof returnVisit>('returnVisit', {
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    workflowId: `return-visit-${caseId}`,
    args: [
      {
        caseId,
        parentCaseId: 'R20261122-0001',
        propertyId: stack.seed.propertyId,
        areaId: 'A1',
        room: '1-1-301',
        contactName: '王先生',
        contactPhone: '13800138000',
        channel: 'phone',
        subject: { classification: 'general', tags: ['leak'], completedAt: new Date().toISOString() },
      },
    ],
  });
  await eventually(async () => (await handle.query<{ status: string; allowedActions: string[] }>('caseView')).allowedActions.includes('exempt'), { what: 'recorded' });
  await request(stack.app).post('/api/v1/properties/rainfall').set('Authorization', `Bearer ${stack.keyOf('S-BT1')}`).send({}).expect(200);
  await eventually(async () => (await handle.query<{ status: string }>('caseView')).status === 'open', { what: 'due after rain' });

  const unanswered = await call(caseId, { answered: false, method: 'phone' });
  await new Promise((r) => setTimeout(r, Date.parse(unanswered.body.nextCallFrom) - Date.now() + 100));
  const answered = await call(caseId, {
    answered: true,
    method: 'phone',
    satisfied: false,
    comments: '仍然渗水',
    newNeed: { description: '客厅灯不亮', classification: 'general', tags: ['electricity'] },
  });
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'unsatisfied', attempts: 2, followUpCaseIds: answered.body.followUpCaseIds });
  await stack.client.workflow.getHandle(`repair-${result.followUpCaseIds[0]}`).terminate('test over');

  const history = await handle.fetchHistory();
  process.stderr.write(`[replay] ${caseId}: ${history.events?.length} history events\n`);
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, history, handle.workflowId),
  ).resolves.toBeUndefined();
});
