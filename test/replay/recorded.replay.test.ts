/**
 * Replays every recorded history in test/replay/histories against the current workflow bundle.
 * The histories are committed: a change to repair, returnVisit or complaint that would break a case
 * already running in production fails here (put such a change behind `patched()`).
 *
 * To record them again (after an intended, patched change): `RECORD_HISTORIES=1 npx jest test/replay/recorded`.
 * Keep the previous recordings beside them (`*.before-<patch>.json`): cases started before the
 * patch are still running somewhere and must keep replaying.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { execFileSync } from 'node:child_process';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { act, assigneeOf, caseRow, repairAction, report, usePolicy, workUntilCompleted } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { complain, complaintAct, handleToReturnVisit } from '../helpers/complaints';

const DIR = join(__dirname, 'histories');
const recording = process.env.RECORD_HISTORIES === '1';

/** Saves a finished workflow's history in the Temporal CLI's canonical JSON (what `temporal workflow show --output json` prints). */
async function save(stack: TestStack, workflowId: string, name: string): Promise<void> {
  await stack.client.workflow.getHandle(workflowId).result();
  const cli = resolveTemporalCli();
  if (cli.kind !== 'path') throw new Error('recording needs a local Temporal CLI');
  const json = execFileSync(
    cli.path,
    ['workflow', 'show', '--output', 'json', '--workflow-id', workflowId, '--address', stack.config.TEMPORAL_ADDRESS!, '--namespace', stack.config.TEMPORAL_NAMESPACE],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(join(DIR, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
}

// Recording is a tool, not a check: it exists only when asked for.
if (recording) describe('recording histories (RECORD_HISTORIES=1)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await usePolicy(stack, 600, (p) => {
      p.returnVisit.retryAfterMs = 1000;
    });
  });
  afterAll(async () => stack?.close());

  it('records an urgent repair with a late arrival, an unanswered call and a satisfied customer', async () => {
    const caseId = await report(stack, { room: '1-1-301', classification: 'urgent', tags: ['water'] });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    await new Promise((r) => setTimeout(r, 2500));
    await repairAction(stack, caseId, 'arrive', engineer).expect(200);
    await repairAction(stack, caseId, 'complete', engineer, { summary: '更换水管', feeCents: 3000, feeDescription: '材料费' }).expect(200);
    await repairAction(stack, caseId, 'signOff', 'S-BT1', { accepted: true }).expect(200);
    const visit = `RV-${caseId}-1`;
    await caseRow(stack, visit, () => true, 'visit');
    await act(stack, `return-visits/${visit}`, 'recordCall', 'S-BT1', { answered: false, method: 'phone' }).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    await act(stack, `return-visits/${visit}`, 'recordCall', 'S-BT1', { answered: true, method: 'phone', satisfied: true }).expect(200);
    await save(stack, `repair-${caseId}`, 'repair-urgent-late-satisfied');
    await save(stack, `return-visit-${visit}`, 'return-visit-second-call-satisfied');
  });

  it('records a repair that fails twice, its major complaint, a reschedule and an invalid request', async () => {
    const caseId = await report(stack, { room: '3-1-502', classification: 'general' });
    const first = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', first).expect(200);
    await repairAction(stack, caseId, 'customerNotHome', first).expect(200);
    await repairAction(stack, caseId, 'reschedule', 'S-BT2', { appointmentAt: new Date(Date.now() + 1000).toISOString(), reached: true }).expect(200);
    await repairAction(stack, caseId, 'arrive', first).expect(200);
    await repairAction(stack, caseId, 'recordMeasures', first, { explanation: '缺配件', promisedAt: new Date(Date.now() + 60_000).toISOString() }).expect(200);
    await repairAction(stack, caseId, 'complete', first, { summary: '已修' }).expect(200);
    await repairAction(stack, caseId, 'signOff', 'S-BT2', { accepted: false }).expect(200);
    await caseRow(stack, caseId, (r) => r.status === 'dispatched', 'second attempt');
    await workUntilCompleted(stack, caseId);
    await repairAction(stack, caseId, 'signOff', 'S-BT2', { accepted: false }).expect(200);
    const row = await caseRow(stack, caseId, (r) => r.links.length > 0, 'complaint');
    const complaintId = row.links[0].caseId;
    await caseRow(stack, caseId, (r) => r.status === 'dispatched' && r.eventSeq > 12, 'third attempt');
    await repairAction(stack, caseId, 'markInvalid', 'S-SV1', { reason: '经鉴定为业主改装所致' }).expect(200);
    await eventually(async () => (await act(stack, `complaints/${complaintId}`, 'classify', 'S-SV1', { severity: 'major', category: 'engineering', department: '工程部' })).status === 200 || undefined, { what: 'complaint classified' });
    await act(stack, `complaints/${complaintId}`, 'agreeHandling', 'S-SV1', { method: '更换整套线路', dueAt: new Date(Date.now() + 600_000).toISOString() }).expect(200);
    await eventually(async () => (await act(stack, `complaints/${complaintId}`, 'closeWithoutAgreement', 'S-SV1', { ground: 'beyond-authority', reason: '已解释' })).status === 200 || undefined, { what: 'complaint closable' });
    await act(stack, `complaints/${complaintId}`, 'closingReply', 'S-SV1', { note: '已书面回复' }).expect(200);
    await save(stack, `repair-${caseId}`, 'repair-failed-twice-complaint-invalid');
    await save(stack, `complaint-${complaintId}`, 'complaint-major-from-repair');
  });

  it('records a general complaint handled twice without satisfying the customer (C8 → major), then explained, archived and replied to', async () => {
    const caseId = await complain(stack, { room: '1-1-302', severity: 'general', category: 'environment' });
    await complaintAct(stack, caseId, 'respond', 'S-FD1', { note: '已致电客户' }).then((r) => expect(r.status).toBe(200));
    await complaintAct(stack, caseId, 'classify', 'S-BT1', { severity: 'general', category: 'environment', department: '环境部', issueKey: 'bin-area-smell' }).then((r) => expect(r.status).toBe(200));
    await complaintAct(stack, caseId, 'firstReply', 'S-BT1', { note: '已安排清理' }).then((r) => expect(r.status).toBe(200));
    await handleToReturnVisit(stack, caseId);
    await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: false }).then((r) => expect(r.status).toBe(200));
    await handleToReturnVisit(stack, caseId, 'S-BT1', 'S-MG1', '清洁排班遗漏');
    await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: false }).then((r) => expect(r.body.severity).toBe('major'));
    await complaintAct(stack, caseId, 'explain', 'S-SV1', { explanation: '垃圾站位置由规划确定，已加密清运' }).then((r) => expect(r.status).toBe(200));
    await complaintAct(stack, caseId, 'archive', 'S-MG1', {}).then((r) => expect(r.status).toBe(200));
    await complaintAct(stack, caseId, 'closingReply', 'S-BT1', { note: '已书面回复客户' }).then((r) => expect(r.body.status).toBe('closed'));
    await save(stack, `complaint-${caseId}`, 'complaint-general-unsatisfied-twice-major');
  });

  it('records a monthly complaint analysis (P1) for a given month', async () => {
    const workflowId = 'complaint-report-P001-recorded';
    await stack.client.workflow.start('monthlyComplaintReport', { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId, args: [{ propertyId: 'P001', month: '2026-10' }] });
    await save(stack, workflowId, 'complaint-report-monthly');
  });
});

describe('recorded histories', () => {
  it('R1–R11, V1–V4: every recorded repair, return-visit and complaint history replays on the current code without nondeterminism', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    const types = new Set(files.map((f) => f.split('-').slice(0, f.startsWith('return-visit') ? 2 : 1).join('-')));
    expect([...types].sort()).toEqual(['complaint', 'repair', 'return-visit']);
    const histories = files.map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));
    const bundle = process.env.TEST_WORKFLOW_BUNDLE!;
    const results: { file: string; error?: unknown }[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundle } }, histories)) {
      results.push({ file: result.workflowId, error: result.error });
    }
    expect(results).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
