/**
 * The complaint rules as the company's documents write them (revised 2026-12), on the real dev
 * server with the documents' policy compressed 600× and the clock under test shortened further:
 * major by definition (C4), the manager's approval before action (C6), the return visit within a
 * week told in advance (C7), the closing reply from the end of handling (C11), the deadlines an
 * anonymous complaint can meet (C1/C3), and new needs at its return visit (V3).
 */
import { deadlineWords } from '../../domain/words';
import request from 'supertest';
import { Case, CaseEvent } from '../../db/entities';
import { as, usePolicy, caseRow } from '../helpers/repairs';
import { complain, complaintAct, complaintView, handleToReturnVisit, inMs, mailTo, writtenEvents } from '../helpers/complaints';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

/** The escalation mails of a deadline, which name it in words. */
const escalated = (caseId: string, deadline: string) => mailTo(stack, caseId, `超时升级】${caseId} ${deadlineWords(deadline, undefined, 'zh-CN')}`);
const deadlineNames = async (caseId: string) => (await complaintView(stack, caseId).expect(200)).body.deadlines.map((d: { name: string }) => d.name);

/** Classified, handled with the manager's approval, and recorded done: awaiting the supervisor's return visit. */
async function handled(caseId: string, butler = 'S-BT1'): Promise<void> {
  const steps: [string, string, Record<string, unknown>][] = [
    ['classify', butler, { severity: 'general', category: 'engineering', department: '工程部' }],
    ['agreeHandling', butler, { method: '更换门禁读卡器', dueAt: inMs(600_000) }],
    ['proposeCorrective', butler, { causeAnalysis: '读卡器受潮', correctiveAction: '更换并加装防水罩' }],
    ['approveCorrective', 'S-MG1', { approved: true }],
    ['recordHandling', butler, { result: '已更换' }],
  ];
  for (const [action, who, body] of steps) {
    const res = await complaintAct(stack, caseId, action, who, body);
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

describe('C4: major by definition', () => {
  it('C4: serious financial loss or personal injury makes a complaint major — recorded at intake, or at classification', async () => {
    await usePolicy(stack, 600);
    const atIntake = await complain(stack, { severity: 'general', category: 'safety', seriousLossOrInjury: true, description: '电梯故障致业主摔伤' });
    const upgraded = await writtenEvents(stack, atIntake, 'upgraded-to-major');
    expect(upgraded.map((e) => [e.payload.reason, e.payload.rule])).toEqual([['serious-loss-or-injury', 'C4']]);

    const later = await complain(stack, { severity: 'general', category: 'engineering', room: '1-1-302', contactPhone: '13700137001' });
    const res = await complaintAct(stack, later, 'classify', 'S-BT1', { severity: 'general', category: 'engineering', department: '工程部', seriousLossOrInjury: true });
    expect(res.status).toBe(200);
    await caseRow(stack, later, (r) => r.severity === 'major', 'major after classification');
    expect((await writtenEvents(stack, later, 'upgraded-to-major')).map((e) => e.payload.reason)).toEqual(['serious-loss-or-injury']);
    for (const caseId of [atIntake, later]) {
      await eventually(async () => (mailTo(stack, caseId, '【重大投诉】').length === 2 ? true : undefined), { what: `${caseId} major mails` });
      expect(mailTo(stack, caseId, '【重大投诉】')).toEqual(['s-mg1', 's-sv1']);
    }
  });

  it('C4: any complaint still unresolved a month after it was made becomes major, even one recorded as not our fault', async () => {
    await usePolicy(stack, 600, (p) => {
      p.complaint.unresolvedAnyMajorAfterMs = 2000;
    });
    const caseId = await complain(stack, { severity: 'general', category: 'developer-related', room: '2-1-101', contactPhone: '13700137002' });
    await complaintAct(stack, caseId, 'classify', 'S-BT1', { severity: 'general', category: 'developer-related', department: '客服部', ourFault: false });
    const upgrade = await writtenEvents(stack, caseId, 'upgraded-to-major');
    expect(upgrade[0].payload).toMatchObject({ reason: 'unresolved-a-month', rule: 'C4' });
    // The week's rule (our fault only) did not fire: one upgrade, for the month.
    expect((await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'upgraded-to-major' })).length).toBe(1);
  });
});

describe('C7: the return visit of a resolved complaint', () => {
  it('C7: due within a week of resolution; recorded only after the customer was told its time; missed, the manager hears of it', async () => {
    await usePolicy(stack, 600, (p) => {
      p.complaint.returnVisitWithinMs = 2000;
    });
    const caseId = await complain(stack, { severity: 'general', category: 'engineering', room: '1-2-301', contactPhone: '13700137003' });
    await handled(caseId);
    expect(await deadlineNames(caseId)).toContain('returnVisit');
    const unannounced = await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: true });
    expect(unannounced.status).toBe(409);
    await eventually(async () => (escalated(caseId, 'returnVisit').length ? true : undefined), { what: 'C7 escalation', timeoutMs: 15_000 });
    expect(escalated(caseId, 'returnVisit')).toEqual(['s-mg1']);

    const told = await complaintAct(stack, caseId, 'scheduleReturnVisit', 'S-SV1', { visitAt: inMs(3_600_000), method: 'home-visit' });
    expect(told.status).toBe(200);
    const notice = await eventually(async () => stack.mails.find((m) => m.subject.includes(caseId) && m.subject.includes('投诉回访预约')), { what: 'visit notice' });
    expect(notice.to[0]).toMatch(/^owner-1-2-301@/);
    expect((await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'home-visit', satisfied: true })).body.status).toBe('awaiting_archive');
    const view = (await complaintView(stack, caseId).expect(200)).body;
    expect(view.deadlines.find((d: { name: string }) => d.name === 'returnVisit').state).toBe('missed');
  });
});

describe('C11: the closing reply', () => {
  it('C11: due within 1 working day of the end of handling, while the return visit is still to come; sent, the archive then closes the complaint', async () => {
    await usePolicy(stack, 600, (p) => {
      p.complaint.workingDayMs = 2000;
    });
    const caseId = await complain(stack, { severity: 'general', category: 'engineering', room: '2-1-102', contactPhone: '13700137004' });
    await handled(caseId);
    await eventually(async () => (escalated(caseId, 'closingReply').length ? true : undefined), { what: 'C11 escalation from the end of handling', timeoutMs: 15_000 });
    const row = await stack.orm.em.fork().findOneOrFail(Case, { id: caseId });
    expect(row.status).toBe('awaiting_return_visit');
    const replied = await complaintAct(stack, caseId, 'closingReply', 'S-BT1', { note: '门禁已修复，感谢监督' });
    expect([replied.body.status, replied.body.allowedActions.includes('closingReply')]).toEqual(['awaiting_return_visit', false]);
    await complaintAct(stack, caseId, 'scheduleReturnVisit', 'S-SV1', { visitAt: inMs(60_000), method: 'phone' });
    await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: true });
    expect((await complaintAct(stack, caseId, 'archive', 'S-MG1', {})).body.status).toBe('closed');
  });
});

describe('an anonymous complaint', () => {
  it('C1/C3: with no contact it carries no response and no first-reply deadline — nobody could meet them — but is still resolved in time', async () => {
    await usePolicy(stack, 600);
    const caseId = await complain(stack, { anonymous: true, contactName: undefined, contactPhone: undefined, room: undefined, areaId: 'A1', severity: 'general', category: 'environment' });
    await complaintAct(stack, caseId, 'classify', 'S-SV1', { severity: 'general', category: 'environment', department: '环境部' });
    const names = await eventually(async () => {
      const running = await deadlineNames(caseId);
      return running.includes('resolve') ? running : undefined;
    }, { what: 'resolve clock' });
    expect(names).not.toContain('respond');
    expect(names).not.toContain('firstReply');
    const view = (await complaintView(stack, caseId).expect(200)).body;
    expect(view.allowedActions).not.toContain('respond');
    expect(view.allowedActions).not.toContain('firstReply');
  });
});

describe('V3: new needs at a complaint’s return visit', () => {
  it('V3: a need raised at the supervisor’s visit becomes a request of its kind — a help request, or a repair — linked to the complaint', async () => {
    await usePolicy(stack, 600);
    const caseId = await complain(stack, { severity: 'general', category: 'engineering', room: '1-1-301', contactPhone: '13800138000' });
    await complaintAct(stack, caseId, 'classify', 'S-BT1', { severity: 'general', category: 'engineering', department: '工程部' });
    await handleToReturnVisit(stack, caseId);
    const res = await complaintAct(stack, caseId, 'recordReturnVisit', 'S-SV1', {
      method: 'home-visit',
      satisfied: true,
      newNeed: { kind: 'repair', classification: 'general', description: '阳台地漏堵塞' },
    });
    expect(res.status).toBe(200);
    const row = await caseRow(stack, caseId, (r) => r.links.some((l) => l.relation === 'follow-up'), 'follow-up linked');
    const repairId = row.links.find((l) => l.relation === 'follow-up')!.caseId;
    const repair = await caseRow(stack, repairId, () => true, 'the repair opened');
    expect([repair.kind, repair.room, repair.severity]).toEqual(['repair', '1-1-301', 'general']);

    const other = await complain(stack, { severity: 'general', category: 'other', room: '1-1-302', contactPhone: '13700137005' });
    await complaintAct(stack, other, 'classify', 'S-BT1', { severity: 'general', category: 'other', department: '客服部' });
    await handleToReturnVisit(stack, other);
    await complaintAct(stack, other, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: true, newNeed: { kind: 'help', description: '想了解充电桩安装流程' } });
    const linked = await caseRow(stack, other, (r) => r.links.some((l) => l.relation === 'follow-up'), 'follow-up linked');
    const help = await caseRow(stack, linked.links.find((l) => l.relation === 'follow-up')!.caseId, () => true, 'the help request opened');
    expect([help.kind, help.severity]).toEqual(['request', 'help']);

    // A repair named without its R1 class is refused at the door, naming the field.
    const refused = await complaintAct(stack, other, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: true, newNeed: { kind: 'repair', description: '漏水' } });
    expect(refused.status).toBe(400);
    expect(refused.body['invalid-params']).toEqual([expect.objectContaining({ name: 'newNeed.classification' })]);
  });
});

describe('C3/C10: who is told', () => {
  const setGroupContact = (email: string | null) => stack.orm.em.fork().getConnection().execute('update property set group_email = ? where id = ?', [email, stack.seed.propertyId]);
  const recipients = (caseId: string, subject: string) => mailTo(stack, caseId, subject);

  it('C3: every complaint record reaches the supervisor; a general one routed to a department reaches that department’s head, one of a department nobody heads the supervisor', async () => {
    await usePolicy(stack, 600);
    const caseId = await complain(stack, { severity: 'general', category: 'environment', room: '1-2-401', contactPhone: '13700137006' });
    expect(await eventually(async () => (recipients(caseId, '【投诉】').length >= 2 ? recipients(caseId, '【投诉】') : undefined), { what: 'received mails' })).toEqual(['s-bt1', 's-sv1']);
    await complaintAct(stack, caseId, 'classify', 'S-BT1', { severity: 'general', category: 'environment', department: '环境部' });
    expect(await eventually(async () => (recipients(caseId, '投诉转办').length ? recipients(caseId, '投诉转办') : undefined), { what: 'the head told' })).toEqual(['s-bt2']);

    const order = await complain(stack, { severity: 'important', category: 'safety', room: '1-2-402', contactPhone: '13700137007' });
    await complaintAct(stack, order, 'classify', 'S-SV1', { severity: 'important', category: 'safety', department: 'order' });
    expect(await eventually(async () => (recipients(order, '投诉转办').length ? recipients(order, '投诉转办') : undefined), { what: 'the supervisor told' })).toEqual(['s-sv1']);
  });

  it('C3: a major complaint is transferred to the group — the 8080 centre and the group’s complaint contact — with its facts; its progress report is due 2 working days later and escalates when missed', async () => {
    await usePolicy(stack, 600, (p) => {
      p.complaint.workingDayMs = 1500;
    });
    await setGroupContact('complaints@group.example');
    try {
      const caseId = await complain(stack, { severity: 'general', category: 'safety', room: '1-2-201', contactPhone: '13700137008', lawsuitOrMediaRisk: true, description: '业主称将向媒体投诉电梯安全问题' });
      const transfer = await eventually(async () => {
        const mails = stack.mails.filter((m) => m.subject.includes(`【重大投诉转集团】${caseId}`));
        return mails.length >= 2 ? mails : undefined;
      }, { what: 'transfer mails' });
      expect(transfer.map((m) => m.to[0]).sort()).toEqual(['complaints@group.example', 's-cc1@demo.wuye.local']);
      expect(transfer[0].text).toContain('业主称将向媒体投诉电梯安全问题');
      expect((await writtenEvents(stack, caseId, 'transferred-to-group'))[0].payload).toMatchObject({ rule: 'C3', to: ['callcenter'] });
      await eventually(async () => (escalated(caseId, 'reportToGroup').length ? true : undefined), { what: 'C3 group report escalation', timeoutMs: 15_000 });
    } finally {
      await setGroupContact(null);
    }
  });

  it('C10: a complaint pre-warning reaches the group’s 8080 centre as well as the supervisor and the manager', async () => {
    const res = await request(stack.app)
      .post('/api/v1/complaint-warnings')
      .set(as(stack, 'S-BT1'))
      .send({ areaId: 'A1', cause: '电梯改造将停运两周', actions: '已安排爬楼协助', wording: '电梯更新改造期间，物业提供上下楼协助' })
      .expect(201);
    expect(await eventually(async () => (mailTo(stack, res.body.caseId, '投诉预警').length === 3 ? mailTo(stack, res.body.caseId, '投诉预警') : undefined))).toEqual(['s-cc1', 's-mg1', 's-sv1']);
  });

  it('C3: an employee complaint, once closed, tells the 8080 centre its result — never its content', async () => {
    await usePolicy(stack, 600);
    const caseId = await complain(stack, { kind: 'employee', description: '保安 B 值班时饮酒', room: '1-2-202', contactPhone: '13700137009' });
    await complaintAct(stack, caseId, 'markInvalid', 'S-HR1', { explanation: '经核实为误会' });
    const told = await eventually(async () => stack.mails.find((m) => m.subject.includes(`保密投诉办结】${caseId}`)), { what: 'the result to 8080' });
    expect(told.to).toEqual(['s-cc1@demo.wuye.local']);
    expect(told.text).not.toContain('饮酒');
    expect(told.text).not.toContain('误会');
  });
});
