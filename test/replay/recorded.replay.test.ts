/**
 * Replays every committed history in test/replay/histories against the current workflow bundle: a
 * change to repair, returnVisit, complaint or the reconciliation that would break a case already
 * running fails here. A tampered history must fail too (the negative control below), so a replay
 * that passes means something.
 *
 * Until the first release nothing runs in production: after an intended change, record the
 * histories again with `RECORD_HISTORIES=1 npx jest test/replay --selectProjects stack` and commit
 * them. From the first release on, a change to running workflows goes patched() → deprecatePatch()
 * → removed, and the histories recorded before it stay (docs/architecture.md, "Versioning").
 */
import { join } from 'node:path';
import request from 'supertest';
import { returnVisitCaseId } from '../../domain/return-visit';
import type { openRequestReconciliation } from '../../workflows/reconciliation';
import type { returnVisit } from '../../workflows/return-visit';
import { act, assigneeOf, caseRow, repairAction, report, usePolicy, workUntilCompleted } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { complain, complaintAct, handleToReturnVisit } from '../helpers/complaints';
import { historyFiles, readHistory, RECORDING, replay, replayDirectory, saveHistory } from './histories';

const DIR = join(__dirname, 'histories');
const save = (stack: TestStack, workflowId: string, name: string) => saveHistory(stack, DIR, workflowId, name);

// Recording is a tool, not a check: it exists only when asked for.
if (RECORDING) describe('recording histories (RECORD_HISTORIES=1)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  beforeEach(async () => {
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

  it('records a return visit that waited for rain, had an unanswered call and ended unsatisfied with a new need', async () => {
    await usePolicy(stack, 14_400);
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
    await eventually(async () => (await handle.query<{ allowedActions: string[] }>('caseView')).allowedActions.includes('exempt'), { what: 'recorded' });
    await request(stack.app).post('/api/v1/properties/rainfall').set('Authorization', `Bearer ${stack.keyOf('S-BT1')}`).send({}).expect(200);
    await eventually(async () => (await handle.query<{ status: string }>('caseView')).status === 'open', { what: 'due after rain' });
    const unanswered = await act(stack, `return-visits/${caseId}`, 'recordCall', 'S-BT1', { answered: false, method: 'phone' }).expect(200);
    await new Promise((r) => setTimeout(r, Date.parse(unanswered.body.nextCallFrom) - Date.now() + 100));
    await act(stack, `return-visits/${caseId}`, 'recordCall', 'S-BT1', {
      answered: true,
      method: 'phone',
      satisfied: false,
      comments: '仍然渗水',
      newNeed: { description: '客厅灯不亮', classification: 'general', tags: ['electricity'] },
    }).expect(200);
    const result = await handle.result();
    await stack.client.workflow.getHandle(`repair-${result.followUpCaseIds[0]}`).terminate('recording over');
    await save(stack, handle.workflowId, 'return-visit-rain-unanswered-unsatisfied');
  });

  it('records an afternoon reconciliation (R12), the supervisor’s summary included', async () => {
    await usePolicy(stack, 1);
    const created = await report(stack, { room: '3-1-502', classification: 'general' });
    await caseRow(stack, created, () => true, 'recorded');
    const handle = await stack.client.workflow.start<typeof openRequestReconciliation>('openRequestReconciliation', {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: 'reconcile-P001-afternoon-recorded',
      args: [{ propertyId: stack.seed.propertyId, slot: 'afternoon' }],
    });
    await handle.result();
    await save(stack, handle.workflowId, 'reconciliation-afternoon');
  });

  it('records a monthly complaint analysis (P1) for a given month', async () => {
    const workflowId = 'complaint-report-P001-recorded';
    await stack.client.workflow.start('monthlyComplaintReport', { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId, args: [{ propertyId: 'P001', month: '2026-10' }] });
    await save(stack, workflowId, 'complaint-report-monthly');
  });
});

describe('recorded histories', () => {
  it('R1–R12, V1–V4, C1–C11, P1: every committed repair, return-visit, complaint, reconciliation and report history replays on the current code', async () => {
    const files = historyFiles(DIR);
    const types = new Set(files.map((f) => f.split('-').slice(0, f.startsWith('return-visit') ? 2 : 1).join('-')));
    expect([...types].sort()).toEqual(['complaint', 'reconciliation', 'repair', 'return-visit']);
    expect(await replayDirectory(DIR)).toEqual(files.map((file) => ({ file, error: undefined })));
  });

  it('a history with a tampered event fails to replay (the negative control: these replays can fail)', async () => {
    const history = readHistory(DIR, 'repair-urgent-late-satisfied.json');
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    // The first activity the repair scheduled, as if the code had asked for another one.
    scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'loadPolicy' };
    const [result] = await replay([{ name: 'tampered', history }]);
    expect(result.error).toBeDefined();
    expect((result.error as Error).name).toBe('DeterminismViolationError');
  });
});
