/**
 * S1 as the revised rules read it, on the real stack over the demo property (104 occupied households
 * per area; a survey's window shortened to 20 s so a month can close during the test): a household
 * counts as consulted once it answered — an invitation that closed unanswered leaves it in the
 * half-year's pool; the centre may choose a month's topic; and at the month's close an area whose
 * answers fall short of its 10 % is reported to the supervisor.
 */
import request from 'supertest';
import { Household, SurveyInvitation } from '../../db/entities';
import { DEFAULT_POLICY } from '../../domain/policy';
import { sampleMonth, topicOf, type AreaPool } from '../../domain/survey';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import type { surveyMonthClose } from '../../workflows/survey-close';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const WINDOW_MS = 20_000;

beforeAll(async () => {
  stack = await startTestStack({ policy: { ...DEFAULT_POLICY, survey: { ...DEFAULT_POLICY.survey, windowMs: WINDOW_MS, reminderBeforeMs: 5_000 } } });
});
afterAll(async () => stack?.close());

// The assertions read the API's English refusals; the zh-CN default is proven in test/unit/messages.test.ts and repair-lifecycle.
const as = (staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}`, 'Accept-Language': 'en' });
const invitations = (where: Record<string, unknown>) => stack.orm.em.fork().find(SurveyInvitation, where as never, { orderBy: { id: 'asc' } });

async function runMonth(month: string, body: Record<string, unknown> = {}) {
  const res = await request(stack.app).post('/api/v1/survey-runs').set(as('S-SV1')).send({ month, ...body }).expect(202);
  const summary = await stack.client.workflow.getHandle<typeof surveyMonthlyRun>(res.body.workflowId).result();
  return { runId: res.body.runId as string, summary };
}

const allInvited = (month: string) =>
  eventually(async () => {
    const rows = await invitations({ month });
    return rows.length > 0 && rows.every((r) => r.status !== 'chosen') && rows;
  }, { timeoutMs: 120_000, what: `every survey of ${month} invited` });

/** The demo property's households per area. */
async function areaHouseholds(): Promise<Record<string, string[]>> {
  const households = await stack.orm.em.fork().find(Household, { propertyId: 'P001' }, { populate: ['building'] });
  const areaOf = (h: (typeof households)[number]) => (h.building as unknown as { area: { id: string } }).area.id;
  return { A1: households.filter((h) => areaOf(h) === 'A1').map((h) => h.id), A2: households.filter((h) => areaOf(h) === 'A2').map((h) => h.id) };
}

describe('S1 consulted means answered, and the month’s close', () => {
  const JULY = '2026-07';
  const AUGUST = '2026-08';
  let answered: string[] = [];

  it('S1: at the month’s close an area whose answers fall short of its 10 % is reported to the supervisor, once; the run shows it', async () => {
    const { runId, summary } = await runMonth(JULY);
    expect(summary.areas.map((a) => [a.areaId, a.occupied, a.minimum, a.chosen])).toEqual([
      ['A1', 104, 11, 18],
      ['A2', 104, 11, 18],
    ]);
    const rows = await allInvited(JULY);
    // Three of A1 answer (short of its 11), eleven of A2 (its 10 % exactly).
    const chosen = [...rows.filter((r) => r.areaId === 'A1').slice(0, 3), ...rows.filter((r) => r.areaId === 'A2').slice(0, 11)];
    for (const row of chosen) {
      await request(stack.app).post(`/api/v1/surveys/${row.id}/answers`).set(as(row.areaId === 'A1' ? 'S-BT1' : 'S-BT2')).send({ method: 'phone', score: 4 }).expect(200);
    }
    answered = chosen.map((r) => r.householdId);

    // July ended long ago; its invitations close 20 s after they were sent, and then it is counted.
    const closeHandle = stack.client.workflow.getHandle<typeof surveyMonthClose>(`survey-month-close-${runId}`);
    expect(await closeHandle.result()).toEqual({ short: ['A1'] });
    const mail = await eventually(async () => stack.mails.find((m) => m.subject.includes('意见征询未达标') && m.subject.includes(JULY)), { what: 'the shortfall mail' });
    expect(mail.to).toEqual(['s-sv1@demo.wuye.local']);
    expect(mail.subject).toBe(`【意见征询未达标】${JULY} · 1 个片区答复不足 10%`);
    expect(mail.text).toContain('片区 A1：已答复 3 户，应至少 11 户（入住 104 户），差 8 户');
    expect(mail.text).not.toContain('片区 A2');

    const view = (await request(stack.app).get(`/api/v1/survey-runs/${runId}`).set(as('S-SV1')).expect(200)).body;
    expect(view.closedAt).toEqual(expect.any(String));
    expect(view.areas.map((a: { areaId: string; answered: number; short: boolean }) => [a.areaId, a.answered, a.short])).toEqual([
      ['A1', 3, true],
      ['A2', 11, false],
    ]);
    // The run again (the schedule and a supervisor both) closes nothing twice.
    await runMonth(JULY);
    expect(stack.mails.filter((m) => m.subject.includes('意见征询未达标') && m.subject.includes(JULY))).toHaveLength(1);
  });

  it('S1: a household counts as consulted once it answered — those whose invitation closed unanswered are in the next month’s pool, those who answered are not', async () => {
    // Every July invitation not answered has closed by now.
    await eventually(async () => (await invitations({ month: JULY })).every((r) => r.status === 'answered' || r.status === 'expired'), { timeoutMs: 60_000, what: 'July closed' });
    const expired = (await invitations({ month: JULY, status: 'expired' })).map((r) => r.householdId);
    expect(expired).toHaveLength(36 - 14);

    const { summary } = await runMonth(AUGUST);
    // Not consulted: 104 − 3 answered in A1, 104 − 11 in A2 (the 15 and 7 unanswered are back in the pool).
    expect(summary.areas.map((a) => [a.areaId, a.notConsulted])).toEqual([
      ['A1', 101],
      ['A2', 93],
    ]);
    const august = await allInvited(AUGUST);
    const households = august.map((r) => r.householdId);
    for (const h of answered) expect(households).not.toContain(h);
    // The audit: the recorded seed over the pools of who answered recomputes August's choice exactly.
    const byArea = await areaHouseholds();
    const pools: AreaPool[] = ['A1', 'A2'].map((areaId) => ({ areaId, occupied: byArea[areaId], consulted: answered.filter((h) => byArea[areaId].includes(h)) }));
    expect(sampleMonth(pools, { month: AUGUST, seed: summary.seed, minFraction: 0.1 }).flatMap((s) => s.chosen).sort()).toEqual([...households].sort());
  });

  it('S1: the centre may choose a month’s topic before its run; without a choice it rotates; once planned it is fixed', async () => {
    const SEPTEMBER = '2026-09';
    const rotating = (await request(stack.app).get(`/api/v1/survey-topics/${SEPTEMBER}`).set(as('S-BT1')).expect(200)).body;
    expect(rotating).toEqual({ month: SEPTEMBER, topic: topicOf(SEPTEMBER), chosen: false, fixed: false });
    const topic = topicOf(SEPTEMBER) === 'cleaning' ? 'greening' : 'cleaning';
    await request(stack.app).put(`/api/v1/survey-topics/${SEPTEMBER}`).set(as('S-BT1')).send({ topic }).expect(403);
    const bad = await request(stack.app).put(`/api/v1/survey-topics/${SEPTEMBER}`).set(as('S-SV1')).send({ topic: 'weather' }).expect(400);
    expect(bad.body['invalid-params']).toEqual([expect.objectContaining({ name: 'topic', in: 'body' })]);
    const chosen = (await request(stack.app).put(`/api/v1/survey-topics/${SEPTEMBER}`).set(as('S-SV1')).send({ topic }).expect(200)).body;
    expect(chosen).toMatchObject({ month: SEPTEMBER, topic, chosen: true, chosenBy: 'S-SV1', fixed: false });

    const { summary } = await runMonth(SEPTEMBER);
    expect(summary.topic).toBe(topic);
    expect(new Set((await allInvited(SEPTEMBER)).map((r) => r.topic))).toEqual(new Set([topic]));
    expect((await request(stack.app).get(`/api/v1/survey-topics/${SEPTEMBER}`).set(as('S-SV1')).expect(200)).body).toMatchObject({ topic, chosen: true, fixed: true });
    await request(stack.app).put(`/api/v1/survey-topics/${SEPTEMBER}`).set(as('S-SV1')).send({ topic: 'repairs' }).expect(409);
    const again = await request(stack.app).post('/api/v1/survey-runs').set(as('S-MG1')).send({ month: SEPTEMBER, topic: 'repairs' }).expect(409);
    expect(again.body.detail).toContain(topic);

    // Starting a month by hand may name its topic too.
    const { summary: october } = await runMonth('2026-10', { topic: 'community' });
    expect(october.topic).toBe('community');
  });
});
