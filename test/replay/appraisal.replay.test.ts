/**
 * Replays the recorded history of the P3 monthly appraisal (its results stored, older appraisals
 * deleted) against the current workflow bundle.
 *
 * To record it again: `RECORD_HISTORIES=1 npx jest test/replay/appraisal.replay.test.ts` (test/replay/histories.ts).
 */
import { join } from 'node:path';
import type { monthlyAppraisal } from '../../workflows/appraisal';
import { startTestStack, type TestStack } from '../helpers/stack';
import { historyFiles, RECORDING, replayDirectory, saveHistory } from './histories';

const DIR = join(__dirname, 'histories', 'appraisal');

if (RECORDING) describe('recording the appraisal history (RECORD_HISTORIES=1)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => stack?.close());

  it('records a month’s appraisal stored by its run', async () => {
    const handle = await stack.client.workflow.start<typeof monthlyAppraisal>('monthlyAppraisal', {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: 'appraisal-P001-recorded',
      args: [{ propertyId: 'P001', month: '2026-10' }],
    });
    expect(await handle.result()).toMatchObject({ month: '2026-10', staff: 5 });
    await saveHistory(stack, DIR, handle.workflowId, 'monthly-appraisal');
  });
});

describe('recorded appraisal history', () => {
  it('P3: the recorded monthly appraisal replays on the current code without nondeterminism', async () => {
    const files = historyFiles(DIR);
    expect(files).toEqual(['monthly-appraisal.json']);
    expect(await replayDirectory(DIR)).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
