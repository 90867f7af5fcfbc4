/**
 * The repair rules R1–R11 on the real dev server, with the documents' policy compressed 600×
 * (30 min → 3 s, 2 h → 12 s) and, where a rule needs it, one duration shortened further.
 */
import request from 'supertest';
import { CaseEvent, Case, FinanceEntry, Notification } from '../../db/entities';
import { displayTime } from '../../domain/calendar';
import { act, as, assigneeOf, caseRow, mailsFor, repairAction, report, sleep, usePolicy, view, visible, workUntilCompleted, writtenEvents } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
beforeEach(async () => {
  await usePolicy(stack, 600);
});
afterAll(async () => stack?.close());

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
/** A staff action asked in Chinese, as the console's zh-CN users ask it: the refusal comes back in Chinese. */
const inChinese = (caseId: string, action: string, staffId: string, payload: Record<string, unknown>) =>
  request(stack.app).post(`/api/v1/repairs/${caseId}/${action}`).set({ ...as(stack, staffId), 'Accept-Language': 'zh-CN' }).send(payload);
const escalationKeys = async (caseId: string) =>
  (await stack.orm.em.fork().find(Notification, { caseId, template: 'escalation' }, { orderBy: { id: 'asc' } })).map((n) =>
    // `<workflowId>:escalate:<threshold>:<recipient>` → the threshold
    n.idempotencyKey.split(':escalate:')[1].replace(/:[^:]+$/, ''),
  );

describe('repair rules', () => {
  it('R1: a request caused by the owner is closed as invalid with its reason, sent back to the intake channel, and gets no return visit', async () => {
    const caseId = await report(stack, {});
    await assigneeOf(stack, caseId);
    const res = await repairAction(stack, caseId, 'markInvalid', 'S-BT2', { reason: '业主自行改装线路导致，不在保修范围' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('invalid');
    const row = await caseRow(stack, caseId, (r) => r.status === 'invalid' && !!r.closedAt, 'invalid and closed');
    expect(row.closedAt).toBeInstanceOf(Date);
    const mail = await eventually(async () => mailsFor(stack, caseId, '无效报修')[0], { what: 'invalid mail' });
    expect(mail.to).toEqual([expect.stringMatching(/^s-fd1@/)]);
    expect(mail.text).toContain('不在保修范围');
    expect(mail.text).toContain('请通过原渠道（微信）回复客户');
    expect((await stack.client.workflow.getHandle(`repair-${caseId}`).result()).status).toBe('invalid');
    expect(await stack.orm.em.fork().count(Case, { id: `RV-${caseId}-1` })).toBe(0);
    const after = await repairAction(stack, caseId, 'accept', row.assigneeId!);
    expect(after.status).toBe(409);
  });

  it('R3: an urgent repair not fixable in time records emergency measures and a new promised time, which becomes the deadline; the customer is told', async () => {
    const caseId = await report(stack, { classification: 'urgent', tags: ['water'] });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    await repairAction(stack, caseId, 'arrive', engineer).expect(200);
    // R3 wants the emergency measures, not only an explanation.
    await repairAction(stack, caseId, 'recordMeasures', engineer, { explanation: '需订购配件', promisedAt: inMs(60_000) }).expect(400);
    const refusedZh = await inChinese(caseId, 'recordMeasures', engineer, { explanation: '需订购配件', promisedAt: inMs(60_000) }).expect(400);
    expect(refusedZh.headers['content-language']).toBe('zh-CN');
    expect(refusedZh.body).toMatchObject({ title: '请求无效', detail: '急修须填写已采取的紧急处理措施（R3）。' });
    const promisedAt = inMs(2500);
    const res = await repairAction(stack, caseId, 'recordMeasures', engineer, { measures: '关闭总阀，临时封堵', promisedAt });
    expect(res.status).toBe(200);
    expect(res.body.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'repair', rule: 'R3', state: 'pending', dueAt: promisedAt })]));
    const told = await eventually(async () => mailsFor(stack, caseId, '新的承诺完成时间').find((m) => m.to[0].startsWith('owner-3-1-502')), { what: 'customer told' });
    expect(told.text).toContain('关闭总阀，临时封堵');
    // The new promise passes: one escalation for it; the original 8 h deadline never fell due.
    await eventually(async () => ((await escalationKeys(caseId)).includes('repair:1.2') ? true : undefined), { what: 'escalation of the new promise' });
    expect((await escalationKeys(caseId)).filter((k) => k.startsWith('repair'))).toEqual(['repair:1.2']);
  });

  it('R4: a general repair not done within 2 h of dispatch escalates; an explanation and a new promised time move the deadline', async () => {
    const caseId = await report(stack, { classification: 'general' });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    await repairAction(stack, caseId, 'arrive', engineer).expect(200);
    await eventually(async () => ((await escalationKeys(caseId)).includes('repair:1.1') ? true : undefined), { what: 'R4 escalation', timeoutMs: 30_000 });
    const escalation = await eventually(async () => {
      const found = mailsFor(stack, caseId, '超时升级');
      return found.length ? found : undefined;
    }, { what: 'R4 escalation mail' });
    expect(escalation).toHaveLength(1);
    expect(escalation[0].to).toEqual([expect.stringMatching(/^s-sv1@/)]);
    expect(escalation[0].text).toContain('R4');
    await repairAction(stack, caseId, 'recordMeasures', engineer, { explanation: '需订购配件，明日上午更换', promisedAt: inMs(1500) }).expect(200);
    await eventually(async () => ((await escalationKeys(caseId)).includes('repair:1.2') ? true : undefined), { what: 'escalation of the new promise' });
    await repairAction(stack, caseId, 'complete', engineer, { summary: '已更换配件' }).expect(200);
    await sleep(500);
    expect((await escalationKeys(caseId)).sort()).toEqual(['repair:1.1', 'repair:1.2']);
  });

  it('R5: a major repair by appointment reminds the customer one day before, and the appointment is a deadline', async () => {
    // One day before = 144 s before the appointment at 600×: an appointment 150 s away is reminded after ~6 s.
    const appointmentAt = inMs(150_000);
    const caseId = await report(stack, { classification: 'major', appointmentAt });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    await sleep(3000);
    expect(mailsFor(stack, caseId, '预约提醒')).toHaveLength(0);
    const reminders = await eventually(async () => {
      const found = mailsFor(stack, caseId, '预约提醒');
      return found.length >= 1 ? found : undefined;
    }, { what: 'reminders', timeoutMs: 15_000 });
    // The customer's reminder goes to the household; the butler, who follows the repair, gets the staff notice instead.
    expect(reminders.map((m) => m.to[0])).toEqual([expect.stringMatching(/^owner-3-1-502@/)]);
    expect(reminders[0].text).toContain('请安排家中有人');
    const notice = await eventually(async () => mailsFor(stack, caseId, '预约维修】')[0], { what: 'the butler told' });
    expect(notice.to).toEqual([expect.stringMatching(/^s-bt2@/)]);
    expect(notice.text).toContain('已提醒客户');
    expect(notice.text).not.toContain('请安排家中有人');
    const live = await view(stack, `repairs/${caseId}`);
    expect(live.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'arrive', rule: 'R5', dueAt: appointmentAt, state: 'pending' })]));
  });

  it('R5: an appointment kept late escalates once', async () => {
    const caseId = await report(stack, { classification: 'major', appointmentAt: inMs(4000) });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    await eventually(async () => ((await escalationKeys(caseId)).includes('arrive:1.1') ? true : undefined), { what: 'R5 escalation' });
    await repairAction(stack, caseId, 'arrive', engineer).expect(200);
    await sleep(500);
    expect(await escalationKeys(caseId)).toEqual(['arrive:1.1']);
  });

  it('R6: nobody home — the butler agrees a new time, or leaves a note when unreachable, and the case continues from the new appointment', async () => {
    const caseId = await report(stack, { classification: 'general' });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    const notHome = await repairAction(stack, caseId, 'customerNotHome', engineer, { note: '敲门无人应答' });
    expect(notHome.body.status).toBe('awaiting_reschedule');
    // The customer's clocks wait; only the butler's own R6 clock to agree a new time runs.
    expect(notHome.body.deadlines.filter((d: { state: string }) => d.state === 'pending').map((d: { name: string; rule: string }) => [d.name, d.rule])).toEqual([['reschedule', 'R6']]);
    await repairAction(stack, caseId, 'reschedule', 'S-BT2', { appointmentAt: inMs(60_000), reached: false }).expect(400);
    await repairAction(stack, caseId, 'reschedule', 'S-BT2', { appointmentAt: inMs(-60_000), reached: true }).expect(422);
    const past = inMs(-60_000);
    const pastZh = await inChinese(caseId, 'reschedule', 'S-BT2', { appointmentAt: past, reached: true }).expect(422);
    expect(pastZh.body).toMatchObject({ title: '时间不可能', detail: `预约上门时间（${displayTime(past, 'Asia/Shanghai')}）不在将来，请填写一个将来的时间。` });
    // Asked again in Chinese before it is allowed: the refusal names the action and what the case takes now in words.
    const tooEarlyZh = await inChinese(caseId, 'complete', engineer, { summary: '已修好' }).expect(409);
    expect(tooEarlyZh.body).toMatchObject({ title: '当前不能执行此操作', detail: expect.stringMatching(/^案件现在不能「[^」a-zA-Z]+」；现在可以：「[^a-zA-Z]+」。$/) });
    const appointmentAt = inMs(4000);
    const res = await repairAction(stack, caseId, 'reschedule', 'S-BT2', { appointmentAt, reached: false, note: '电话未接通，已在门上留言' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
    expect(res.body.deadlines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'arrive', rule: 'R6', dueAt: appointmentAt, state: 'pending' }),
        expect.objectContaining({ name: 'repair', rule: 'R4', dueAt: new Date(new Date(appointmentAt).getTime() + 12_000).toISOString(), state: 'pending' }),
      ]),
    );
    expect((await repairAction(stack, caseId, 'arrive', engineer)).body.status).toBe('on_site');
    const events = await writtenEvents(stack, caseId, 'reschedule');
    expect(events[0].payload).toMatchObject({ reached: false, note: '电话未接通，已在门上留言' });
    expect(await escalationKeys(caseId)).toEqual([]);
  });

  it('R7: a public-facility repair not started within 2 days goes to the supervisor', async () => {
    await usePolicy(stack, 600, (p) => {
      p.repair.publicFacilityStartWithinMs = 3000;
    });
    const caseId = await report(stack, { room: undefined, publicArea: true, areaId: 'A2', description: '3号楼大堂灯不亮' });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    await eventually(async () => ((await escalationKeys(caseId)).includes('start') ? true : undefined), { what: 'R7 escalation' });
    // The mail can come before the audit write behind it (CaseTracker.append).
    const [event] = await writtenEvents(stack, caseId, 'escalated');
    expect(event.payload).toMatchObject({ rule: 'R7', to: ['supervisor'], step: 'start' });
    await visible(stack, `WorkflowId='repair-${caseId}' AND Escalated=true AND SlaState='breached'`);
  });

  it('R8: the customer signs off; a paid service’s fee goes to finance once', async () => {
    const caseId = await report(stack, {});
    await repairAction(stack, caseId, 'accept', await assigneeOf(stack, caseId)).expect(200);
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'arrive', engineer).expect(200);
    await repairAction(stack, caseId, 'complete', engineer, { summary: '更换龙头', feeCents: 5000 }).expect(400);
    await repairAction(stack, caseId, 'complete', engineer, { summary: '更换龙头', feeCents: 5000, feeDescription: '特约服务：更换龙头' }).expect(200);
    const signed = await repairAction(stack, caseId, 'signOff', 'S-BT2', { accepted: true, note: '业主验收签字' });
    expect(signed.status).toBe(200);
    const entry = await eventually(() => stack.orm.em.fork().findOne(FinanceEntry, { caseId }), { what: 'finance entry' });
    expect(entry).toMatchObject({ amountCents: 5000, description: '特约服务：更换龙头', recordedBy: engineer });
    await caseRow(stack, caseId, (r) => r.status === 'awaiting_return_visit', 'return visit started');
    expect(await stack.orm.em.fork().count(FinanceEntry, { caseId })).toBe(1);
  });

  it('R10/R11: rejected twice at sign-off, the repair is dispatched again each time and the second failure opens a linked major complaint', async () => {
    const caseId = await report(stack, {});
    for (const attempt of [1, 2]) {
      await caseRow(stack, caseId, (r) => r.status === 'dispatched', `attempt ${attempt} dispatched`);
      await workUntilCompleted(stack, caseId);
      await repairAction(stack, caseId, 'signOff', 'S-BT2', { accepted: false, note: '仍然跳闸' }).expect(200);
    }
    const repairRow = await caseRow(stack, caseId, (r) => r.links.some((l) => l.relation === 'major-complaint'), 'linked complaint');
    const complaintId = repairRow.links.find((l) => l.relation === 'major-complaint')!.caseId;
    expect(complaintId).toMatch(/^C\d{8}-\d{4}$/);
    const complaint = await caseRow(stack, complaintId, (r) => r.severity === 'major', 'major complaint row');
    expect(complaint).toMatchObject({ kind: 'complaint', severity: 'major', category: 'engineering', room: '3-1-502' });
    expect(complaint.links).toEqual([{ caseId, relation: 'repair' }]);
    await visible(stack, `WorkflowId='complaint-${complaintId}' AND CaseType='complaint' AND Severity='major'`);
    const announced = await eventually(async () => {
      const found = mailsFor(stack, complaintId, '【重大投诉】');
      return found.length >= 2 ? found : undefined;
    }, { what: 'major complaint mails' });
    expect(announced.map((m) => m.to[0]).sort()).toEqual([expect.stringMatching(/^s-mg1@/), expect.stringMatching(/^s-sv1@/)]);
    // The repair goes on: a third dispatch, and no second complaint.
    await caseRow(stack, caseId, (r) => r.status === 'dispatched', 'third dispatch');
    const failures = await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'attempt-failed' });
    expect(failures.map((e) => e.payload.failures)).toEqual([1, 2]);
    expect(await stack.orm.em.fork().count(Case, { kind: 'complaint' })).toBe(1);
    // The complaint is a full major complaint (C3–C11): the supervisor owns it and takes it on through the API.
    const classified = await act(stack, `complaints/${complaintId}`, 'classify', 'S-SV1', { severity: 'major', category: 'engineering', department: '工程部' });
    expect(classified.status).toBe(200);
    expect(classified.body).toMatchObject({ severity: 'major', owners: ['supervisor', 'manager'], majorReasons: [expect.objectContaining({ reason: 'repair-failed-twice', rule: 'R11' })] });
    expect(classified.body.allowedActions).toEqual(expect.arrayContaining(['agreeHandling', 'writtenReply', 'reportToGroup']));
  });
});
