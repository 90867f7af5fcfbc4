/**
 * Replays an afternoon reconciliation (every mail, the supervisor's included) against the current
 * workflow bundle: a change to `openRequestReconciliation` that breaks a run in flight fails here.
 */
import request from 'supertest';
import { Worker } from '@temporalio/worker';
import { Case } from '../../db/entities';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { openRequestReconciliation } from '../../workflows/reconciliation';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ policy: DEFAULT_POLICY });
});
afterAll(async () => stack?.close());

it('R12: an afternoon reconciliation replays without nondeterminism', async () => {
  const created = await request(stack.app)
    .post('/api/v1/repairs')
    .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
    .send({ room: '3-1-502', contactName: '李女士', contactPhone: '13900139000', channel: 'phone', description: '客厅灯不亮', classification: 'general' })
    .expect(201);
  await eventually(() => stack.orm.em.fork().findOne(Case, { id: created.body.caseId }), { what: 'case row' });

  const handle = await stack.client.workflow.start<typeof openRequestReconciliation>('openRequestReconciliation', {
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    workflowId: 'reconcile-P001-afternoon-replay',
    args: [{ propertyId: stack.seed.propertyId, slot: 'afternoon' }],
  });
  const summary = await handle.result();
  expect(summary.butlers.find((b) => b.butlerId === 'S-BT2')).toEqual({ butlerId: 'S-BT2', open: 1, withoutReason: 1 });

  const history = await handle.fetchHistory();
  process.stderr.write(`[replay] ${handle.workflowId}: ${history.events?.length} history events\n`);
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, history, handle.workflowId),
  ).resolves.toBeUndefined();
});
