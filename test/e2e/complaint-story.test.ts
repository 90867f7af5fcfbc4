/** The three stories of issue 4, on the real stack with the documents' policy compressed 600×. */
import request from 'supertest';
import { Notification } from '../../db/entities';
import { as, caseRow, usePolicy, visible } from '../helpers/repairs';
import { complain, complaintAct, complaintView, handleToReturnVisit, inMs, mailTo, writtenEvents } from '../helpers/complaints';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { CaseType } from '../../workflows/search-attributes';
import { workflowIds } from '../../domain/workflow-ids';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
beforeEach(async () => {
  await usePolicy(stack, 600, (p) => {
    p.complaint.workingDayMs = 600_000;
  });
});
afterAll(async () => stack?.close());

describe('complaint stories', () => {
  it('C4 story (a): three households complain about the same lift breakdown within a month → the third classification alone makes all three major (no re-classify); supervisor and manager get one mail per complaint upgrade', async () => {
    const rooms = ['1-1-301', '1-1-302', '1-2-301'];
    const ids: string[] = [];
    for (const [i, room] of rooms.entries()) {
      const caseId = await complain(stack, { room, contactPhone: `1380013800${i}`, description: '3 号楼电梯又停运了' });
      const res = await complaintAct(stack, caseId, 'classify', 'S-BT1', { severity: 'general', category: 'engineering', department: '工程部', issueKey: 'lift-b1-breakdown' });
      expect(res.status).toBe(200);
      ids.push(caseId);
    }
    // The third household's classification, and nothing after it, makes every complaint of the issue major.
    for (const caseId of ids) {
      await caseRow(stack, caseId, (r) => r.severity === 'major' && r.escalated, 'major');
      await eventually(async () => (mailTo(stack, caseId, '【重大投诉】').length === 2 ? true : undefined), { what: `${caseId} mails` });
    }
    // A second classification of the first household's complaint is not a fourth complainant, and upgrades nothing twice.
    await complaintAct(stack, ids[0], 'classify', 'S-BT1', { severity: 'major', category: 'engineering', department: '工程部', issueKey: 'lift-b1-breakdown' });
    await new Promise((r) => setTimeout(r, 1000));
    for (const caseId of ids) {
      expect(mailTo(stack, caseId, '【重大投诉】')).toEqual(['s-mg1', 's-sv1']);
      const upgrades = await writtenEvents(stack, caseId, 'upgraded-to-major');
      expect(upgrades.map((e) => [e.payload.reason, e.payload.rule])).toEqual([['same-issue', 'C4']]);
      expect(String(upgrades[0].payload.detail)).toContain('3 different complainants');
      const view = (await complaintView(stack, caseId).expect(200)).body;
      expect(view.owners).toEqual(['supervisor', 'manager']);
    }
    const listed = await request(stack.app).get('/api/v1/complaints?issueKey=lift-b1-breakdown&severity=major').set(as(stack, 'S-SV1')).expect(200);
    expect(listed.body.items.map((i: { caseId: string }) => i.caseId).sort()).toEqual([...ids].sort());
  });

  it('C8 story (b): a general complaint handled, the customer unsatisfied twice → major, with new owners and new deadlines', async () => {
    const caseId = await complain(stack, { severity: 'general', category: 'environment', room: '1-1-302', contactPhone: '13700137000' });
    await complaintAct(stack, caseId, 'classify', 'S-BT1', { severity: 'general', category: 'environment', department: '环境部' });
    await handleToReturnVisit(stack, caseId);
    const first = await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'home-visit', satisfied: false, comments: '垃圾仍未清理' });
    expect([first.body.status, first.body.severity, first.body.failedHandlings]).toEqual(['unsatisfied', 'general', 1]);
    expect(first.body.allowedActions).toEqual(expect.arrayContaining(['agreeHandling', 'explain']));
    // C8: analyse, then improve — agreeing an improvement without the analysis is refused.
    await complaintAct(stack, caseId, 'agreeHandling', 'S-BT1', { method: '再次清理', dueAt: inMs(600_000) }).then((r) => expect(r.status).toBe(400));
    await handleToReturnVisit(stack, caseId, 'S-BT1', 'S-MG1', '清洁排班遗漏了该垃圾点');
    const before = Date.now();
    const second = await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'home-visit', satisfied: false, comments: '还是没有解决' });
    expect(second.status).toBe(200);
    const view = await eventually(async () => {
      const v = (await complaintView(stack, caseId).expect(200)).body;
      return v.severity === 'major' && v.deadlines.some((d: { name: string; state: string }) => d.name === 'writtenReply') ? v : undefined;
    }, { what: 'major with new deadlines' });
    expect(view.owners).toEqual(['supervisor', 'manager']);
    expect(view.majorReasons.map((r: { reason: string; rule: string }) => [r.reason, r.rule])).toEqual([['handled-twice', 'C8']]);
    const resolve = view.deadlines.filter((d: { name: string; state: string }) => d.name === 'resolve' && d.state === 'pending');
    expect(resolve).toHaveLength(1);
    // C3: a major complaint is resolved within 10 days — counted from the upgrade (10 days / 600 = 1440 s).
    expect(Date.parse(resolve[0].dueAt)).toBeGreaterThanOrEqual(before + 1_440_000 - 1000);
    expect(view.deadlines.find((d: { name: string }) => d.name === 'writtenReply').state).toBe('pending');
    await eventually(async () => (mailTo(stack, caseId, '【重大投诉】').length === 2 ? true : undefined), { what: 'major mails' });
    expect(mailTo(stack, caseId, '【重大投诉】')).toEqual(['s-mg1', 's-sv1']);
    await complaintAct(stack, caseId, 'agreeHandling', 'S-SV1', { method: '主管牵头整改', dueAt: inMs(600_000), analysis: '两次整改未触及根因：清洁外包合同未覆盖该区域' }).then((r) => expect(r.status).toBe(200));
  });

  it('C2 story (c): an employee complaint is invisible to a butler through every route — list, view, actions, mails, Temporal summaries', async () => {
    const caseId = await complain(stack, { kind: 'employee', room: '1-1-301', contactName: '张女士', description: '管家陈静多次不回复业主电话' });
    const butler = as(stack, 'S-BT1');
    const list = await request(stack.app).get('/api/v1/complaints').set(butler).expect(200);
    expect(list.body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(caseId);
    expect((await request(stack.app).get('/api/v1/complaints?kind=employee').set(butler).expect(200)).body.items).toEqual([]);
    expect((await request(stack.app).get(`/api/v1/complaints/${caseId}`).set(butler)).status).toBe(404);
    for (const [action, body] of [['respond', { note: 'x' }], ['classify', { severity: 'general', category: 'staff-conduct', department: '客服部' }], ['markInvalid', { explanation: 'x' }]] as const) {
      const res = await request(stack.app).post(`/api/v1/complaints/${caseId}/${action}`).set(butler).send(body);
      expect([action, res.status]).toEqual([action, 404]);
    }
    for (const staffId of ['S-SV1', 'S-MG1', 'S-FD1', 'S-AU1']) expect((await complaintView(stack, caseId, staffId)).status).toBe(404);
    const hrView = (await complaintView(stack, caseId, 'S-HR1').expect(200)).body;
    expect(hrView.complaintKind).toBe('employee');
    expect((await request(stack.app).get('/api/v1/complaints?kind=employee').set(as(stack, 'S-HR1')).expect(200)).body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);
    // Escalations of a missed first response go to hr too, never the butler or the supervisor.
    await eventually(async () => (await stack.orm.em.fork().count(Notification, { caseId, template: 'escalation' })) > 0 || undefined, { what: 'C1 escalation', timeoutMs: 15_000 });
    const recipients = (await stack.orm.em.fork().find(Notification, { caseId })).map((n) => n.recipientId).sort();
    expect(new Set(recipients)).toEqual(new Set(['S-HR1']));
    expect(stack.mails.filter((m) => m.subject.includes(caseId)).every((m) => m.to[0].startsWith('s-hr1@'))).toBe(true);
    // Temporal: no name, room or content in the summary, the current details or the search attributes.
    // Its workflow ID names hr's key (C2, docs/personal-data.md): `complaint-hr-…`.
    const wf = await visible(stack, `WorkflowId = '${workflowIds.complaint(caseId, 'employee')}' AND ${CaseType.name} = 'complaint'`);
    const handle = stack.client.workflow.getHandle(wf.workflowId);
    const described = await handle.describe();
    const shown = JSON.stringify([await described.staticSummary, await described.staticDetails, described.typedSearchAttributes, (await handle.describe()).raw.workflowExtendedInfo]);
    for (const secret of ['张女士', '陈静', '1-1-301', '不回复']) expect(shown).not.toContain(secret);
    const metadata = JSON.stringify(await handle.query('__temporal_workflow_metadata'));
    expect(metadata).toContain('confidential');
    for (const secret of ['张女士', '陈静', '1-1-301', '不回复']) expect(metadata).not.toContain(secret);
  });
});
