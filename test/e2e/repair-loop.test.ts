/**
 * The repair rules as the company's documents write them (revised 2026-12), on the real dev server
 * with the documents' policy compressed 600× and the clock under test shortened further: whose clock
 * runs from when (R2/R3), the customer not at home (R6), the leak visit with no rain (R9), the return
 * visits listed (R9), the non-conformity's deadline (V4), and a case's first actions (I2).
 */
import request from 'supertest';
import { Case, CaseEvent, Notification } from '../../db/entities';
import { act, as, assigneeOf, caseRow, mailsFor, repairAction, report, usePolicy, workUntilCompleted, writtenEvents } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const view = async (caseId: string) => (await request(stack.app).get(`/api/v1/repairs/${caseId}`).set(as(stack, 'S-SV1')).expect(200)).body;
const deadline = (v: { deadlines: { name: string; state: string; dueAt: string }[] }, name: string) => v.deadlines.find((d) => d.name === name && d.state !== 'cancelled');
const escalationSteps = async (caseId: string) =>
  (await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'escalated' }, { orderBy: { seq: 'asc' } })).map((e) => [e.payload.rule, e.payload.step]);

describe('R2/R3: whose clock runs from when', () => {
  it('R2/R3: an urgent repair’s on-site and repair clocks run from the report; its work order is accepted within 5 minutes, before the 20 run out; a re-dispatch restarts neither', async () => {
    await usePolicy(stack, 600, (p) => {
      p.repair.urgentArriveWithinMs = 6000; // 20 min on site → 6 s here
      p.repair.urgentAcceptWithinMs = 1500; // 5 min to accept → 1.5 s
    });
    const receivedAt = new Date(Date.now() - 2000).toISOString(); // logged 2 s after the call
    const caseId = await report(stack, { classification: 'urgent', tags: ['water'], receivedAt });
    const first = await eventually(async () => {
      const v = await view(caseId);
      return deadline(v, 'arrive') && deadline(v, 'accept') ? v : undefined;
    }, { what: 'clocks running' });
    const arriveDue = deadline(first, 'arrive')!.dueAt;
    expect(Date.parse(arriveDue) - Date.parse(receivedAt)).toBe(6000);
    expect(Date.parse(deadline(first, 'repair')!.dueAt) - Date.parse(receivedAt)).toBe(8 * 3_600_000 / 600);
    expect(Date.parse(deadline(first, 'accept')!.dueAt)).toBeLessThan(Date.parse(arriveDue));

    // Nobody accepts: the order goes to another engineer, the customer's promise stays where it was.
    const engineer = first.assigneeId;
    const redispatched = await eventually(async () => {
      const v = await view(caseId);
      return v.assigneeId !== engineer ? v : undefined;
    }, { what: 're-dispatch', timeoutMs: 10_000 });
    expect(deadline(redispatched, 'arrive')!.dueAt).toBe(arriveDue);
    expect((await escalationSteps(caseId))[0]).toEqual(['R2', 'accept:1.1']);
  });
});

describe('R6: the customer is not at home', () => {
  it('R6: the butler is told at once and has 2 h to agree a new time; missed, the supervisor hears; the customer’s clocks pause with the reason and run again from the new appointment', async () => {
    await usePolicy(stack, 600, (p) => {
      p.repair.rescheduleWithinMs = 1500;
    });
    const caseId = await report(stack, { classification: 'general', room: '1-1-401' });
    const engineer = await assigneeOf(stack, caseId);
    await repairAction(stack, caseId, 'accept', engineer).expect(200);
    const notHome = await repairAction(stack, caseId, 'customerNotHome', engineer, { note: '敲门无人应答' }).expect(200);
    expect(notHome.body.deadlines.filter((d: { state: string }) => d.state === 'pending').map((d: { name: string }) => d.name)).toEqual(['reschedule']);
    const told = await eventually(async () => mailsFor(stack, caseId, '客户不在家')[0], { what: 'the butler told' });
    expect(told.to).toEqual([expect.stringMatching(/^s-bt1@/)]);
    expect(told.text).toContain('敲门无人应答');
    const [event] = await writtenEvents(stack, caseId, 'customerNotHome');
    expect(event.payload).toMatchObject({ clocksPaused: ['repair'], reason: 'customer not home (R6)' });

    await eventually(async () => ((await escalationSteps(caseId)).some(([rule]) => rule === 'R6') ? true : undefined), { what: 'R6 escalation', timeoutMs: 10_000 });
    const mail = await eventually(async () => mailsFor(stack, caseId, '超时升级】').find((m) => m.subject.includes('与客户改约')), { what: 'R6 mail' });
    expect(mail.to).toEqual([expect.stringMatching(/^s-sv1@/)]);

    const appointmentAt = inMs(60_000);
    const res = await repairAction(stack, caseId, 'reschedule', 'S-BT1', { appointmentAt, reached: true }).expect(200);
    expect(res.body.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'arrive', rule: 'R6', dueAt: appointmentAt, state: 'pending' })]));
    expect(res.body.deadlines.find((d: { name: string; state: string }) => d.name === 'reschedule').state).toBe('missed');
  });
});

describe('R9/V4: the return visit of every valid repair', () => {
  it('R9: a leak repaired under warranty (recorded at intake) waits for the first rainy day; with none recorded by the fallback it falls due anyway and says why', async () => {
    await usePolicy(stack, 600, (p) => {
      p.returnVisit.rainFallbackMs = 2500;
    });
    const caseId = await report(stack, { classification: 'general', room: '1-1-402', tags: ['leak'], underWarranty: true });
    await workUntilCompleted(stack, caseId);
    await repairAction(stack, caseId, 'signOff', 'S-BT1', { accepted: true }).expect(200);
    const visitId = `RV-${caseId}-1`;
    await caseRow(stack, visitId, (r) => r.status === 'awaiting_rain', 'waiting for rain');
    const fallen = await writtenEvents(stack, visitId, 'rain-fallback');
    expect(String(fallen[0].payload.reason)).toContain('no rainy day recorded');
    const row = await caseRow(stack, visitId, (r) => r.status === 'open' && !!r.dueAt, 'due after the fallback');
    expect(row.dueAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('R9: return visits are listed by status, due date and area for the staff who make them', async () => {
    await usePolicy(stack, 600);
    const caseId = await report(stack, { classification: 'general', room: '1-2-301' });
    await workUntilCompleted(stack, caseId);
    await repairAction(stack, caseId, 'signOff', 'S-BT1', { accepted: true }).expect(200);
    const visitId = `RV-${caseId}-1`;
    const row = await caseRow(stack, visitId, (r) => r.status === 'open' && !!r.dueAt, 'visit due');
    const list = (query: string, staffId = 'S-SV1') => request(stack.app).get(`/api/v1/return-visits?${query}`).set(as(stack, staffId));
    const open = (await list('status=open&areaId=A1').expect(200)).body.items;
    expect(open.map((i: { caseId: string }) => i.caseId)).toContain(visitId);
    expect(open.find((i: { caseId: string }) => i.caseId === visitId)).toMatchObject({ areaId: 'A1', room: '1-2-301', dueAt: row.dueAt!.toISOString() });
    const dueSoon = (await list(`dueBefore=${encodeURIComponent(new Date(row.dueAt!.getTime() + 1000).toISOString())}`).expect(200)).body.items;
    expect(dueSoon.map((i: { caseId: string }) => i.caseId)).toContain(visitId);
    const notYet = (await list(`dueBefore=${encodeURIComponent(new Date(row.dueAt!.getTime() - 1000).toISOString())}`).expect(200)).body.items;
    expect(notYet.map((i: { caseId: string }) => i.caseId)).not.toContain(visitId);
    expect((await list('areaId=A2').expect(200)).body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(visitId);
    // Another area's butler does not see it.
    expect((await list('status=open', 'S-BT2').expect(200)).body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(visitId);
  });

  it('V4: a customer unsatisfied at the return visit is a non-conformity — revisited and satisfied within 3 days, or the manager hears of it', async () => {
    await usePolicy(stack, 600, (p) => {
      p.returnVisit.nonConformityWithinMs = 2000;
    });
    const caseId = await report(stack, { classification: 'general', room: '1-2-302' });
    await workUntilCompleted(stack, caseId);
    await repairAction(stack, caseId, 'signOff', 'S-BT1', { accepted: true }).expect(200);
    const visit = `RV-${caseId}-1`;
    await caseRow(stack, visit, (r) => r.status === 'open', 'visit open');
    await act(stack, `return-visits/${visit}`, 'recordCall', 'S-BT1', { answered: true, method: 'phone', satisfied: false, comments: '仍然有异响' }).expect(200);
    await eventually(async () => mailsFor(stack, visit, '回访不满意')[0], { what: 'non-conformity to the supervisor' });
    // Nobody puts it right in time.
    await eventually(async () => ((await escalationSteps(caseId)).some(([rule]) => rule === 'V4') ? true : undefined), { what: 'V4 escalation', timeoutMs: 10_000 });
    const keys = (await stack.orm.em.fork().find(Notification, { caseId, template: 'escalation' })).map((n) => n.idempotencyKey);
    expect(keys.filter((k) => k.includes(':escalate:non-conformity:1:'))).toEqual([expect.stringMatching(/:S-MG1$/)]);
  });
});

describe('I2: a case’s first actions', () => {
  it('I2: a complaint takes the actions of its first state from the moment the API answered 201 — no 409 while it is being recorded', async () => {
    await usePolicy(stack, 600);
    const created = await request(stack.app)
      .post('/api/v1/complaints')
      .set(as(stack, 'S-FD1'))
      .send({ room: '1-1-301', contactName: '张女士', contactPhone: '13800138001', channel: 'phone', description: '夜间施工噪音' })
      .expect(201);
    const responded = await request(stack.app).post(`/api/v1/complaints/${created.body.caseId}/respond`).set(as(stack, 'S-FD1')).send({ note: '已致电' });
    expect(responded.status).toBe(200);
    const events = await writtenEvents(stack, created.body.caseId, 'respond');
    expect(events[0].seq).toBeGreaterThan(0);
    expect(await stack.orm.em.fork().count(Case, { id: created.body.caseId })).toBe(1);
  });
});

describe('I2: a case logged after the fact', () => {
  it('I2: a weekend’s call logged on Monday carries its real time with the reason why; beyond the policy’s bound, or without a reason, it is refused; its clocks run from the real time', async () => {
    await usePolicy(stack, 600);
    const post = (body: Record<string, unknown>) =>
      request(stack.app).post('/api/v1/repairs').set(as(stack, 'S-FD1')).send({ room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '门禁失灵', classification: 'urgent', ...body });
    const saturday = new Date(Date.now() - 2 * 86_400_000).toISOString(); // two days ago: within the 3 days of the default policy
    const noReason = await post({ receivedAt: saturday }).expect(422);
    expect(noReason.body['invalid-params']).toEqual([expect.objectContaining({ name: 'lateEntryReason' })]);
    const tooLate = await post({ receivedAt: new Date(Date.now() - 4 * 86_400_000).toISOString(), lateEntryReason: '周末来电补录' }).expect(422);
    expect(tooLate.body['invalid-params']).toEqual([expect.objectContaining({ name: 'receivedAt' })]);
    // Fifteen minutes' grace: a call logged ten minutes later needs no reason.
    await post({ receivedAt: new Date(Date.now() - 10 * 60_000).toISOString() }).expect(201);

    const created = await post({ receivedAt: saturday, lateEntryReason: '周末来电，周一补录' }).expect(201);
    const [received] = await writtenEvents(stack, created.body.caseId, 'received');
    expect(received.payload).toMatchObject({ lateEntryReason: '周末来电，周一补录' });
    expect(received.at.toISOString()).toBe(saturday);
    const v = await eventually(async () => {
      const view = (await request(stack.app).get(`/api/v1/repairs/${created.body.caseId}`).set(as(stack, 'S-SV1')).expect(200)).body;
      return view.deadlines.some((d: { name: string }) => d.name === 'arrive') ? view : undefined;
    }, { what: 'R3 arrival clock' });
    // R3 ran from Saturday's call: long missed by the time it was logged.
    expect(Date.parse(v.deadlines.find((d: { name: string }) => d.name === 'arrive').dueAt)).toBe(Date.parse(saturday) + 20 * 60_000 / 600);
  });
});

describe('a staff action sent again (a phone that lost its answer, a busy 503)', () => {
  it('with the same Idempotency-Key it is done once and the repeat gets the first answer; without one the repeat is refused; a malformed key is refused before anything is done', async () => {
    await usePolicy(stack, 600);
    const caseId = await report(stack, { classification: 'general' });
    const engineer = await assigneeOf(stack, caseId);
    const accept = (key?: string) => {
      const req = repairAction(stack, caseId, 'accept', engineer, { note: '收到' });
      return key ? req.set('Idempotency-Key', key) : req;
    };
    const before = (await view(caseId)).status;
    const bad = await accept('short').expect(400);
    expect(bad.body['invalid-params']).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]);
    expect((await view(caseId)).status).toBe(before);

    const first = await accept('accept-from-the-basement-1').expect(200);
    const again = await accept('accept-from-the-basement-1').expect(200);
    expect(first.body.status).not.toBe(before);
    expect(again.body.status).toBe(first.body.status);
    expect(again.body.deadlines).toEqual(first.body.deadlines);
    await accept().expect(409);
    await writtenEvents(stack, caseId, 'accept');
    await new Promise((r) => setTimeout(r, 500));
    expect(await stack.orm.em.fork().count(CaseEvent, { caseId, action: 'accept' })).toBe(1);
  });
});
