/**
 * Return visits (回访) on the real stack with the real policy compressed 14 400× (4 h → 1 s): a
 * 24 h visit is due in 6 s, the 2-day window is 12 s, and the next call after an unanswered one
 * (3 h) may be placed 750 ms later. Visits are started as their parent repair would start them and
 * driven through the HTTP API.
 */
import request from 'supertest';
import { Case, CaseEvent, Notification } from '../../db/entities';
import { displayTime, localDate } from '../../domain/calendar';
import { compressPolicy, DAY, DEFAULT_POLICY } from '../../domain/policy';
import { RETURN_VISIT_METHODS, returnVisitCaseId } from '../../domain/return-visit';
import type { ReturnVisitInput, returnVisit } from '../../workflows/return-visit';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

const FACTOR = 14_400;
const policy = compressPolicy(DEFAULT_POLICY, FACTOR);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ policy });
});
afterAll(async () => stack?.close());

const CONTACT = { contactName: '王先生', contactPhone: '13800138000' };
// The assertions read the API's English refusals; the zh-CN default is proven in test/unit/messages.test.ts and repair-lifecycle.
const as = (staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}`, 'Accept-Language': 'en' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let parents = 0;

/** Starts a return visit of a fictitious finished repair of room 1-1-301 and waits for its case row. */
async function startVisit(subject: Partial<ReturnVisitInput['subject']> = {}) {
  parents += 1;
  const parentCaseId = `R20261122-${String(9000 + parents)}`;
  const caseId = returnVisitCaseId(parentCaseId, 1);
  const handle = await stack.client.workflow.start<typeof returnVisit>('returnVisit', {
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    workflowId: `return-visit-${caseId}`,
    args: [
      {
        caseId,
        parentCaseId,
        propertyId: stack.seed.propertyId,
        areaId: 'A1',
        room: '1-1-301',
        householdId: `${stack.seed.propertyId}-1-1-301`,
        ...CONTACT,
        channel: 'phone',
        subject: { classification: 'general', tags: [], underWarranty: true, completedAt: new Date().toISOString(), ...subject },
      },
    ],
  });
  // The first event after the row: from then on the visit takes staff actions.
  await eventually(async () => ((await stack.orm.em.fork().findOne(Case, { id: caseId }))?.eventSeq ?? 0) >= 1, { what: `${caseId} recorded` });
  return { caseId, parentCaseId, handle };
}

const act = (caseId: string, action: string, staffId: string, payload: Record<string, unknown>) =>
  request(stack.app).post(`/api/v1/return-visits/${caseId}/${action}`).set(as(staffId)).send(payload);

const view = async (caseId: string) => (await request(stack.app).get(`/api/v1/return-visits/${caseId}`).set(as('S-SV1')).expect(200)).body;

const closedRow = (caseId: string) =>
  eventually(async () => {
    const row = await stack.orm.em.fork().findOne(Case, { id: caseId });
    return row?.status === 'closed' ? row : undefined;
  }, { what: `${caseId} closed` });

const mailsFor = (caseId: string, subject: string) => stack.mails.filter((m) => m.subject.includes(caseId) && m.subject.includes(subject));

describe('return visits', () => {
  it('V1: each method — phone, home visit, on-site check, online reply, questionnaire — is accepted and recorded', async () => {
    const visits = await Promise.all(RETURN_VISIT_METHODS.map(() => startVisit()));
    expect((await act(visits[0].caseId, 'recordCall', 'S-BT1', { answered: true, method: 'sms', satisfied: true })).status).toBe(400);
    expect((await act(visits[0].caseId, 'recordCall', 'S-FD1', { answered: true, method: 'phone', satisfied: true })).status).toBe(403);

    const callers = ['S-BT1', 'S-CC1', 'S-SV1'];
    for (const [i, method] of RETURN_VISIT_METHODS.entries()) {
      const answer = await act(visits[i].caseId, 'recordCall', callers[i % callers.length], { answered: true, method, satisfied: true, comments: '维修及时' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ caseId: visits[i].caseId, kind: 'return_visit', outcome: 'satisfied', attempts: 1, allowedActions: [] });
    }
    for (const [i, method] of RETURN_VISIT_METHODS.entries()) {
      const { caseId, parentCaseId, handle } = visits[i];
      expect(await handle.result()).toEqual({ outcome: 'satisfied', attempts: 1, comments: '维修及时', followUpCaseIds: [] });
      expect(await closedRow(caseId)).toMatchObject({ kind: 'return_visit', outcome: 'satisfied', severity: 'general', links: [{ caseId: parentCaseId, relation: 'parent' }] });
      const calls = await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'recordCall' });
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ actorId: callers[i % callers.length], payload: expect.objectContaining({ method, answered: true, satisfied: true }) });
    }
  });

  it('V2: an unanswered call is counted; calling again before another time of day is refused with 409; three unanswered calls close the visit as unreachable', async () => {
    const { caseId, handle } = await startVisit();
    const unanswered = { answered: false, method: 'phone' };

    const first = await act(caseId, 'recordCall', 'S-BT1', unanswered);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'open', attempts: 1, allowedActions: ['recordCall', 'exempt'] });
    const calledAt = Date.parse(first.body.recent.at(-1).at);
    expect(Date.parse(first.body.nextCallFrom) - calledAt).toBe(policy.returnVisit.retryAfterMs);

    const early = await act(caseId, 'recordCall', 'S-BT1', unanswered);
    expect(early.status).toBe(409);
    expect(early.headers['content-type']).toMatch(/problem\+json/);
    expect(early.body.detail).toContain('different time of day');
    expect(early.body.detail).toContain(`from `);
    expect(early.body.detail).toContain(first.body.nextCallFrom);
    // Asked in no language, the refusal says the same in Chinese, with the time to call from.
    const earlyZh = await request(stack.app).post(`/api/v1/return-visits/${caseId}/recordCall`).set({ Authorization: `Bearer ${stack.keyOf('S-BT1')}` }).send(unanswered);
    expect(earlyZh.status).toBe(409);
    expect(earlyZh.body.detail).toBe(`上次回访电话无人接听，请换一个时段再打：${displayTime(first.body.nextCallFrom, policy.timeZone)} 之后（V2）。`);

    let nextCallFrom: string = first.body.nextCallFrom;
    for (const attempt of [2, 3]) {
      await sleep(Date.parse(nextCallFrom) - Date.now() + 100);
      const again = await act(caseId, 'recordCall', attempt === 2 ? 'S-BT1' : 'S-CC1', unanswered);
      expect(again.status).toBe(200);
      expect(again.body.attempts).toBe(attempt);
      nextCallFrom = again.body.nextCallFrom;
    }
    expect(nextCallFrom).toBeUndefined();

    expect(await handle.result()).toEqual({ outcome: 'unreachable', attempts: 3, followUpCaseIds: [] });
    expect(await closedRow(caseId)).toMatchObject({ outcome: 'unreachable' });
    const calls = await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'recordCall' }, { orderBy: { seq: 'asc' } });
    expect(calls.map((c) => c.payload.unanswered)).toEqual([1, 2, 3]);
    expect((await act(caseId, 'recordCall', 'S-BT1', unanswered)).status).toBe(409);
  });

  it('V3: a new need raised at the visit opens a new repair case — in Postgres and as a running repair workflow', async () => {
    const { caseId, parentCaseId, handle } = await startVisit();
    const answer = await act(caseId, 'recordCall', 'S-BT1', {
      answered: true,
      method: 'home-visit',
      satisfied: true,
      newNeed: { description: '阳台推拉门关不严', classification: 'general' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.followUpCaseIds).toEqual([expect.stringMatching(/^R\d{8}-\d{4}$/)]);
    const [followUp] = answer.body.followUpCaseIds as string[];
    const repairHandle = stack.client.workflow.getHandle(`repair-${followUp}`);
    try {
      const row = await eventually(() => stack.orm.em.fork().findOne(Case, { id: followUp }), { what: 'follow-up repair row' });
      expect(row).toMatchObject({
        kind: 'repair',
        description: '阳台推拉门关不严',
        severity: 'general',
        channel: 'staff',
        receivedBy: 'S-BT1',
        room: '1-1-301',
        areaId: 'A1',
        contactPhone: CONTACT.contactPhone,
      });

      expect(await handle.result()).toEqual({ outcome: 'satisfied', attempts: 1, followUpCaseIds: [followUp] });
      const visitRow = await closedRow(caseId);
      expect(visitRow.links).toEqual([
        { caseId: parentCaseId, relation: 'parent' },
        { caseId: followUp, relation: 'follow-up' },
      ]);
      const opened = await stack.orm.em.fork().findOneOrFail(CaseEvent, { caseId, action: 'follow-up-opened' });
      expect(opened).toMatchObject({ actorId: 'S-BT1', payload: { caseId: followUp, rule: 'V3' } });

      // The new repair outlives the visit that opened it.
      const description = await repairHandle.describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.type).toBe('repair');
      expect(description.parentExecution?.workflowId).toBe(`return-visit-${caseId}`);
    } finally {
      await repairHandle.terminate('test over');
    }
  });

  it('V4: an unsatisfied customer is counted in Postgres and the supervisor is mailed once, with a deadline', async () => {
    const { caseId, parentCaseId, handle } = await startVisit();
    const answer = await act(caseId, 'recordCall', 'S-BT1', { answered: true, method: 'phone', satisfied: false, comments: '卫生间仍有渗水' });
    expect(answer.status).toBe(200);
    expect(await handle.result()).toMatchObject({ outcome: 'unsatisfied', comments: '卫生间仍有渗水' });
    expect(await closedRow(caseId)).toMatchObject({ outcome: 'unsatisfied' });

    const counts = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ outcome: string; visits: string }[]>(`select outcome, count(*) as visits from service_case where kind = 'return_visit' and closed_at is not null group by outcome`);
    expect(counts).toEqual(expect.arrayContaining([{ outcome: 'unsatisfied', visits: '1' }]));

    const mail = await eventually(async () => mailsFor(caseId, '回访不满意')[0], { what: 'non-conformity mail' });
    expect(mail.to).toEqual([expect.stringMatching(/^s-sv1@/)]);
    expect(mail.subject).toContain(parentCaseId);
    expect(mail.subject).not.toMatch(/王|13800138000/);
    expect(mail.text).toContain('卫生间仍有渗水');
    expect(mail.text).toMatch(/请跟进整改，并在 .+ 前再次回访/);
    await sleep(1000);
    expect(mailsFor(caseId, '回访不满意')).toHaveLength(1);
    expect(await stack.orm.em.fork().count(Notification, { caseId, template: 'nonConformity' })).toBe(1);
  });

  it('V4: only a supervisor exempts a visit; it closes with the reason and is counted as exempt', async () => {
    const { caseId, handle } = await startVisit();
    expect((await act(caseId, 'exempt', 'S-BT1', { reason: '现场已解决并经客户确认' })).status).toBe(403);
    const exempted = await act(caseId, 'exempt', 'S-SV1', { reason: '现场已解决并经客户确认' });
    expect(exempted.status).toBe(200);
    expect(exempted.body.outcome).toBe('exempt');
    expect(await handle.result()).toEqual({ outcome: 'exempt', attempts: 0, comments: '现场已解决并经客户确认', followUpCaseIds: [] });
    expect(await closedRow(caseId)).toMatchObject({ outcome: 'exempt' });
  });

  it('R9: a leak repair waits for the first rainy day; POST /properties/rainfall starts its clock', async () => {
    const { caseId, handle } = await startVisit({ tags: ['leak'] });
    const waiting = await view(caseId);
    expect(waiting).toMatchObject({ status: 'awaiting_rain', deadlines: [], allowedActions: ['exempt'] });
    expect((await stack.orm.em.fork().findOneOrFail(Case, { id: caseId })).status).toBe('awaiting_rain');
    const tooSoon = await act(caseId, 'recordCall', 'S-BT1', { answered: true, method: 'phone', satisfied: true });
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.detail).toContain('first rainy day');

    const tomorrow = localDate(new Date(Date.now() + DAY), 'Asia/Shanghai');
    await request(stack.app).post('/api/v1/properties/rainfall').set(as('S-FD1')).send({ date: tomorrow }).expect(422);
    await request(stack.app).post('/api/v1/properties/rainfall').set(as('S-EN1')).send({}).expect(403);

    const rain = await request(stack.app).post('/api/v1/properties/rainfall').set(as('S-BT1')).send({}).expect(200);
    expect(rain.body.date).toBe(localDate(new Date(), 'Asia/Shanghai'));
    expect(rain.body.moved).toContain(caseId);

    const due = await eventually(async () => {
      const v = await view(caseId);
      return v.status === 'open' ? v : undefined;
    }, { what: 'visit due after the rain' });
    const [deadline] = due.deadlines;
    expect(deadline).toMatchObject({ name: 'visit', rule: 'R9', state: 'pending' });
    expect(Date.parse(deadline.dueAt) - Date.parse(due.rainfallAt)).toBe(policy.repair.returnVisitWithinMs);
    const row = await eventually(async () => {
      const r = await stack.orm.em.fork().findOne(Case, { id: caseId });
      return r?.status === 'open' ? r : undefined;
    }, { what: 'read model open' });
    expect(row.dueAt?.toISOString()).toBe(deadline.dueAt);

    expect((await act(caseId, 'recordCall', 'S-BT1', { answered: true, method: 'on-site-check', satisfied: true })).status).toBe(200);
    expect(await handle.result()).toMatchObject({ outcome: 'satisfied', attempts: 1 });
  });

  it('R9: rain on a day before the leak repair was done does not start its clock, and the answer says it moved nothing', async () => {
    const { caseId } = await startVisit({ tags: ['leak'] });
    const yesterday = localDate(new Date(Date.now() - DAY), 'Asia/Shanghai');
    const rain = await request(stack.app).post('/api/v1/properties/rainfall').set(as('S-SV1')).send({ date: yesterday }).expect(200);
    expect(rain.body.moved).not.toContain(caseId);
    expect(rain.body.unmoved).toContainEqual({ caseId, reason: 'the rain came before the repair was done' });
    await sleep(500);
    expect(await view(caseId)).toMatchObject({ status: 'awaiting_rain', deadlines: [] });
    await act(caseId, 'exempt', 'S-SV1', { reason: '测试结束' }).expect(200);
  });

  it('R9: an urgent water repair is due within 24 h; a missed visit escalates to the supervisor exactly once and can still be done late', async () => {
    // Done long enough ago that the 24 h (6 s) window closes 2.5 s from now.
    const completedAt = new Date(Date.now() - policy.repair.returnVisitUrgentWithinMs + 2500);
    const { caseId, handle } = await startVisit({ classification: 'urgent', tags: ['water'], completedAt: completedAt.toISOString() });
    const [deadline] = (await view(caseId)).deadlines;
    expect(deadline).toMatchObject({ name: 'visit', rule: 'R9' });
    expect(Date.parse(deadline.dueAt) - completedAt.getTime()).toBe(policy.repair.returnVisitUrgentWithinMs);

    const escalation = await eventually(async () => mailsFor(caseId, '超时升级')[0], { what: 'escalation mail', timeoutMs: 15_000 });
    expect(escalation.to).toEqual([expect.stringMatching(/^s-sv1@/)]);
    await eventually(async () => {
      for await (const wf of stack.client.workflow.list({
        query: `WorkflowId='return-visit-${caseId}' AND CaseType='return_visit' AND AreaId='A1' AND Escalated=true AND SlaState='breached'`,
      }))
        return wf;
      return undefined;
    }, { what: 'escalated in visibility' });

    // Late is still better than never.
    await sleep(1000);
    expect((await act(caseId, 'recordCall', 'S-BT1', { answered: true, method: 'phone', satisfied: true })).status).toBe(200);
    expect(await handle.result()).toMatchObject({ outcome: 'satisfied' });
    expect(await closedRow(caseId)).toMatchObject({ escalated: true, slaState: 'breached', outcome: 'satisfied' });
    expect(mailsFor(caseId, '超时升级')).toHaveLength(1);
    const escalated = await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'escalated' });
    expect(escalated.map((e) => e.payload.rule)).toEqual(['R9']);

    // What supervisors see in the Temporal UI carries no personal data.
    const description = await handle.describe();
    expect(JSON.stringify(description.searchAttributes)).not.toMatch(/王|13800138000/);
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`### ${caseId} · return_visit · urgent`);
    expect(metadata.currentDetails).toMatch(/visit \(R9\), was due/);
    expect(metadata.currentDetails).not.toMatch(/王|13800138000/);
  });
});
