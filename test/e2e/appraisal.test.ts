/**
 * P3 staff appraisal on the real stack (policy compressed 300×: a complaint's 30-minute first
 * response is due in 6 s). A generated past month of deadline outcomes and return visits, written
 * into Postgres as the workflows leave them, is stored by the property's appraisal schedule and
 * appraised through the API, every score worked out by hand below; this month's real complaints
 * show a general complaint nobody was assigned credited to its area's butler, an important one to
 * the supervisor.
 */
import request from 'supertest';
import { Case, CaseEvent, StaffAppraisal, StaffAppraisalYear } from '../../db/entities';
import { keptFrom, monthsBefore } from '../../domain/appraisal';
import { compressPolicy, DEFAULT_POLICY, HOUR, MINUTE } from '../../domain/policy';
import { localMonth, monthRange, previousMonth } from '../../domain/reports';
import { appraisalScheduleId, ensureSchedules } from '../../schedules';
import { complain, complaintAct } from '../helpers/complaints';
import { as } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const TZ = 'Asia/Shanghai';
const MONTH = previousMonth(new Date(), TZ);
const THIS_MONTH = localMonth(new Date(), TZ);
const { from: MONTH_START } = monthRange(MONTH, TZ);
const day = (d: number, hour = 10, minute = 0) => new Date(MONTH_START.getTime() + (d - 1) * 24 * HOUR + hour * HOUR + minute * MINUTE);
/** The oldest month kept (24 months before this one) and the one before it, which goes. */
const FIRST_KEPT = keptFrom(THIS_MONTH, 24);
const GONE = monthsBefore(FIRST_KEPT, 1);
/** A year that has ended and is kept. */
const LAST_YEAR = Number(THIS_MONTH.slice(0, 4)) - 1;

beforeAll(async () => {
  stack = await startTestStack({ policy: compressPolicy(DEFAULT_POLICY, 300) });
  await generateMonth();
});
afterAll(async () => stack?.close());

async function insertCase(row: Partial<Record<keyof typeof Case.meta.properties, unknown>> & { id: string; kind: string; receivedAt: Date }) {
  const em = stack.orm.em.fork();
  em.create(Case, {
    workflowId: `${row.kind}-${row.id}`, propertyId: 'P001', areaId: 'A1', householdId: null, room: null, channel: 'phone', severity: 'general', category: null,
    complaintKind: row.kind === 'complaint' ? 'customer' : null, issueKey: null, status: 'closed', description: '生成的数据', contactName: null, contactPhone: null,
    assigneeId: null, dueAt: null, closedAt: null, outcome: null, links: [], eventSeq: 0, receivedBy: 'S-FD1', updatedAt: new Date(), ...row,
  } as never);
  await em.flush();
}

let seq = 0;
async function insertEvent(caseId: string, action: string, at: Date, payload: Record<string, unknown>) {
  const em = stack.orm.em.fork();
  seq += 1;
  em.create(CaseEvent, { caseId, seq, idempotencyKey: `generated:${caseId}:${seq}`, action, actorId: 'system', actorRole: 'system', at, payload });
  await em.flush();
}

/**
 * The generated month, as the workflows record it:
 * - S-EN1 held repair X1: 2 deadlines met, 1 missed and escalated; its visit satisfied.
 *   Results 100 × (0.6 × 2/3 + 0.4 × 1) − 5 = 75.
 * - S-EN2 held X2: 1 met, 1 missed and escalated; one visit satisfied, one not: 100 × (0.3 + 0.2) − 5 = 45.
 * - K1, a general complaint in the east area nobody was assigned: 3 deadlines met, 1 missed — the
 *   area's butler S-BT1's: 100 × 3/4 = 75.
 * - K2, an important complaint in the west area: its first response met and its return visit
 *   satisfied — the supervisor S-SV1's: 100 × (0.6 + 0.4) = 100.
 * - S-BT2 counted nothing: no results score.
 */
async function generateMonth(): Promise<void> {
  await insertCase({ id: 'X1', kind: 'repair', assigneeId: 'S-EN1', receivedAt: day(3, 9), closedAt: day(4) });
  await insertCase({ id: 'X2', kind: 'repair', assigneeId: 'S-EN2', receivedAt: day(3, 9), closedAt: day(4) });
  for (const [caseId, action, d, ownerId] of [
    ['X1', 'deadline-met', 3, 'S-EN1'],
    ['X1', 'deadline-met', 3, 'S-EN1'],
    ['X1', 'deadline-missed', 6, 'S-EN1'],
    ['X1', 'escalated', 6, 'S-EN1'],
    ['X2', 'deadline-met', 7, 'S-EN2'],
    ['X2', 'deadline-missed', 7, 'S-EN2'],
    ['X2', 'escalated', 7, 'S-EN2'],
  ] as const) {
    await insertEvent(caseId, action, day(d), { deadline: 'repair', ownerId });
  }
  const visit = (id: string, parent: string, outcome: string, closedAt: Date) =>
    insertCase({ id, kind: 'return_visit', outcome, receivedAt: day(4), closedAt, links: [{ caseId: parent, relation: 'parent' }] });
  await visit('RV-X1-1', 'X1', 'satisfied', day(8));
  await visit('RV-X2-1', 'X2', 'satisfied', day(9));
  await visit('RV-X2-2', 'X2', 'unsatisfied', day(12));

  await insertCase({ id: 'K1', kind: 'complaint', areaId: 'A1', severity: 'general', receivedAt: day(5) });
  for (const [action, d] of [['deadline-met', 5], ['deadline-met', 6], ['deadline-met', 7], ['deadline-missed', 8]] as const) {
    await insertEvent('K1', action, day(d), { deadline: 'resolve', ownerId: null });
  }
  await insertCase({ id: 'K2', kind: 'complaint', areaId: 'A2', severity: 'important', receivedAt: day(10) });
  await insertEvent('K2', 'deadline-met', day(10, 10, 20), { deadline: 'respond', rule: 'C1', ownerId: null });
  await insertEvent('K2', 'recordReturnVisit', day(14), { method: 'phone', satisfied: true });

  // Appraisals kept two years: the oldest month kept stays, the one before it goes, and a year-end two years back goes.
  const em = stack.orm.em.fork();
  const stored = (month: string) => em.create(StaffAppraisal, {
    propertyId: 'P001', month, staffId: 'S-EN1', results: { deadlinesMet: 1, deadlinesMissed: 0, returnVisitsSatisfied: 0, returnVisitsUnsatisfied: 0, escalationsCaused: 0 },
    resultsScore: 100, resultsAt: new Date(), conduct: 80, diligence: 80, ability: 80, checks: null, composite: 86, enteredBy: 'S-SV1', enteredAt: new Date(),
  });
  stored(FIRST_KEPT);
  stored(GONE);
  em.create(StaffAppraisalYear, { propertyId: 'P001', year: Number(FIRST_KEPT.slice(0, 4)) - 1, staffId: 'S-EN1', yearEnd: 70, enteredBy: 'S-MG1', enteredAt: new Date() });
  await em.flush();
}

const get = (path: string, staffId = 'S-SV1') => request(stack.app).get(`/api/v1/${path}`).set(as(stack, staffId));
const put = (path: string, body: unknown, staffId = 'S-SV1') => request(stack.app).put(`/api/v1/${path}`).set(as(stack, staffId)).send(body as object);

type Line = { staffId: string; resultsScore: number | null; composite: number | null; results: Record<string, number>; resultsAt: string | null; missing: string[] };
const lineOf = (body: { staff: Line[] }, staffId: string) => body.staff.find((s) => s.staffId === staffId);

describe('P3 staff appraisal', () => {
  it('P3: a schedule per property stores the previous month’s appraisal on the 1st at 06:00 local time', async () => {
    await ensureSchedules(stack.client, stack.config, [{ id: 'P001', timeZone: TZ }]);
    const d = await stack.client.schedule.getHandle(appraisalScheduleId('P001')).describe();
    expect(d.spec.timezone).toBe(TZ);
    expect(d.spec.calendars![0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1 }], hour: [{ start: 6, end: 6 }], minute: [{ start: 0, end: 0 }] });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyAppraisal', args: [{ propertyId: 'P001' }] });
    expect(d.memo).toMatchObject({ rule: 'P3', propertyId: 'P001' });
  });

  it('P3: before it is stored the month is counted live; the scheduled run stores every case holder’s results — complaints credited to their owner — and deletes what is older than two years', async () => {
    const live = (await get(`appraisals/${MONTH}`).expect(200)).body;
    expect(lineOf(live, 'S-EN1')).toMatchObject({ resultsScore: 75, resultsAt: null });

    const schedule = stack.client.schedule.getHandle(appraisalScheduleId('P001'));
    await schedule.trigger();
    const workflowId = await eventually(async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId, { what: 'the scheduled run' });
    // Engineers, butlers and the supervisor: 5 case holders.
    expect(await stack.client.workflow.getHandle(workflowId).result()).toEqual({ month: MONTH, staff: 5, purgedMonths: 1, purgedYears: 1 });

    const res = await get(`appraisals/${MONTH}`).expect(200);
    expect(res.body).toMatchObject({ report: 'P3-appraisal', month: MONTH, weights: { conduct: 0.2, diligence: 0.2, ability: 0.3, results: 0.3 }, resultsFormula: { deadlinesWeight: 0.6, satisfactionWeight: 0.4, pointsPerEscalation: 5 } });
    expect(res.body.staff.map((s: Line) => [s.staffId, s.resultsScore, s.composite])).toEqual([
      ['S-BT1', 75, null],
      ['S-BT2', null, null],
      ['S-EN1', 75, null],
      ['S-EN2', 45, null],
      ['S-SV1', 100, null],
    ]);
    expect(lineOf(res.body, 'S-BT1')!.results).toEqual({ deadlinesMet: 3, deadlinesMissed: 1, returnVisitsSatisfied: 0, returnVisitsUnsatisfied: 0, escalationsCaused: 0 });
    expect(lineOf(res.body, 'S-SV1')!.results).toEqual({ deadlinesMet: 1, deadlinesMissed: 0, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 0, escalationsCaused: 0 });
    expect(lineOf(res.body, 'S-EN2')!.results).toEqual({ deadlinesMet: 1, deadlinesMissed: 1, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 1, escalationsCaused: 1 });
    for (const line of res.body.staff as Line[]) expect(line.resultsAt).not.toBeNull();

    const kept = await stack.orm.em.fork().find(StaffAppraisal, { propertyId: 'P001', month: { $lt: MONTH } });
    expect(kept.map((k) => k.month)).toEqual([FIRST_KEPT]);
    expect(await stack.orm.em.fork().count(StaffAppraisalYear, {})).toBe(0);
  });

  it('P3: a supervisor enters conduct, diligence and ability of an ended month; the composite is 20/20/30/30 with the results; the entry is audited; as JSON and CSV', async () => {
    // 0.2 × 90 + 0.2 × 85 + 0.3 × 80 + 0.3 × 75 = 81.5.
    const partial = await put(`appraisals/${MONTH}/S-EN1`, { conduct: 90, diligence: 85 }).expect(200);
    expect(partial.body).toMatchObject({ staffId: 'S-EN1', conduct: 90, diligence: 85, ability: null, composite: null, missing: ['ability'], enteredBy: 'S-SV1' });
    const whole = await put(`appraisals/${MONTH}/S-EN1`, { ability: 80, checks: 70 }, 'S-MG1').expect(200);
    expect(whole.body).toMatchObject({ conduct: 90, diligence: 85, ability: 80, checks: 70, resultsScore: 75, composite: 81.5, missing: [], enteredBy: 'S-MG1' });
    // A supervisor is appraised by the manager, never by themselves.
    await put(`appraisals/${MONTH}/S-SV1`, { conduct: 95, diligence: 90, ability: 90 }).expect(403);
    const supervisor = await put(`appraisals/${MONTH}/S-SV1`, { conduct: 95, diligence: 90, ability: 90 }, 'S-MG1').expect(200);
    // 19 + 18 + 27 + 30 = 94.
    expect(supervisor.body.composite).toBe(94);

    const audit = await stack.orm.em.fork().getConnection().execute<{ actor_id: string; action: string; subject: string; detail: Record<string, unknown> }[]>(
      `select actor_id, action, subject, detail from admin_audit_event where action like 'appraisal.%' order by id`,
    );
    expect(audit).toEqual([
      { actor_id: 'S-SV1', action: 'appraisal.month.enter', subject: `${MONTH} S-EN1`, detail: { conduct: 90, diligence: 85 } },
      { actor_id: 'S-MG1', action: 'appraisal.month.enter', subject: `${MONTH} S-EN1`, detail: { ability: 80, checks: 70 } },
      { actor_id: 'S-MG1', action: 'appraisal.month.enter', subject: `${MONTH} S-SV1`, detail: { conduct: 95, diligence: 90, ability: 90 } },
    ]);

    const csv = (await get(`appraisals/${MONTH}/csv`, 'S-MG1').expect(200)).text.split('\r\n');
    expect(csv[0]).toBe('\ufeffmonth,staff_id,roles,deadlines_met,deadlines_missed,return_visits_satisfied,return_visits_unsatisfied,escalations_caused,results,conduct,diligence,ability,composite,checks,results_stored_at,entered_by');
    expect(csv.find((l) => l.startsWith(`${MONTH},S-EN1,`))).toMatch(new RegExp(`^${MONTH},S-EN1,engineer,2,1,1,0,1,75,90,85,80,81.5,70,[^,]+,S-MG1$`));
  });

  it('P3: an entry is refused for a month not ended or no longer kept, for staff who hold no cases, and with scores outside 0–100', async () => {
    const notEnded = await put(`appraisals/${THIS_MONTH}/S-EN1`, { conduct: 90 }).expect(422);
    expect(notEnded.body['invalid-params']).toEqual([expect.objectContaining({ name: 'month', in: 'path' })]);
    await put(`appraisals/${GONE}/S-EN1`, { conduct: 90 }).expect(422);
    await put(`appraisals/${MONTH}/S-FD1`, { conduct: 90 }).expect(422);
    await put(`appraisals/${MONTH}/S-NOBODY`, { conduct: 90 }).expect(404);
    const bad = await put(`appraisals/${MONTH}/S-EN2`, { conduct: 120, ability: -1 }).expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual(['ability', 'conduct']);
    await put(`appraisals/${MONTH}/S-EN2`, {}).expect(400);
    for (const staffId of ['S-BT1', 'S-EN1', 'S-HR1']) await get(`appraisals/${MONTH}`, staffId).expect(403);
    await put(`appraisals/${MONTH}/S-EN2`, { conduct: 90 }, 'S-BT1').expect(403);
    // Nothing of that was stored.
    expect(await stack.orm.em.fork().findOneOrFail(StaffAppraisal, { propertyId: 'P001', month: MONTH, staffId: 'S-EN2' })).toMatchObject({ conduct: null, enteredBy: null });
  });

  it('P3: two entries of a month not stored yet, made at once, both land', async () => {
    const month = `${LAST_YEAR}-08`;
    const [a, b] = await Promise.all([put(`appraisals/${month}/S-BT2`, { conduct: 88 }), put(`appraisals/${month}/S-BT2`, { ability: 77 }, 'S-MG1')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await stack.orm.em.fork().findOneOrFail(StaffAppraisal, { propertyId: 'P001', month, staffId: 'S-BT2' })).toMatchObject({ conduct: 88, ability: 77, resultsScore: null });
  });

  it('P3: the year is the checks 20 %, the months’ composites 30 % and the year-end appraisal 50 %', async () => {
    const em = stack.orm.em.fork();
    for (const [month, composite, checks] of [[`${LAST_YEAR}-10`, 78.5, 90], [`${LAST_YEAR}-11`, 81.5, 80]] as const) {
      em.create(StaffAppraisal, {
        propertyId: 'P001', month, staffId: 'S-EN2', results: { deadlinesMet: 1, deadlinesMissed: 0, returnVisitsSatisfied: 0, returnVisitsUnsatisfied: 0, escalationsCaused: 0 },
        resultsScore: 100, resultsAt: new Date(), conduct: 80, diligence: 80, ability: 80, checks, composite, enteredBy: 'S-SV1', enteredAt: new Date(),
      });
    }
    await em.flush();
    const entered = await put(`appraisals/annual/${LAST_YEAR}/S-EN2`, { yearEnd: 88 }, 'S-MG1').expect(200);
    // Checks 85, months 80, year-end 88: 17 + 24 + 44 = 85.
    expect(entered.body).toEqual({ staffId: 'S-EN2', months: 2, composites: 2, checkedMonths: 2, checks: 85, monthly: 80, yearEnd: 88, annual: 85, missing: [] });
    const year = await get(`appraisals/annual/${LAST_YEAR}`).expect(200);
    expect(year.body).toMatchObject({ report: 'P3-annual', year: LAST_YEAR, weights: { checks: 0.2, monthly: 0.3, yearEnd: 0.5 } });
    const csv = (await get(`appraisals/annual/${LAST_YEAR}/csv`).expect(200)).text.split('\r\n');
    expect(csv).toContain(`${LAST_YEAR},S-EN2,2,85,80,88,85`);
    // A year whose December has not come yet takes no year-end appraisal.
    await put(`appraisals/annual/${LAST_YEAR + 2}/S-EN2`, { yearEnd: 88 }, 'S-MG1').expect(422);
  });

  it('P3: this month on the dev server — a general complaint nobody was assigned is its area butler’s result, an important one the supervisor’s', async () => {
    const before = (await get(`appraisals/${THIS_MONTH}`).expect(200)).body;
    const count = (body: { staff: Line[] }, staffId: string, key: string) => lineOf(body, staffId)?.results[key] ?? 0;
    // Nobody answers the general complaint within its 30 minutes (6 s here): the miss and its escalation are S-BT1's.
    await complain(stack, { room: '1-1-301', description: '楼道灯不亮' });
    // The important one is answered in time, by the supervisor who owns it.
    const important = await complain(stack, { room: '3-1-101', description: '电梯困人' });
    expect((await complaintAct(stack, important, 'classify', 'S-SV1', { severity: 'important', category: 'safety', department: '工程部' })).status).toBe(200);
    expect((await complaintAct(stack, important, 'respond', 'S-SV1', { note: '已到场处理' })).status).toBe(200);
    const after = await eventually(async () => {
      const body = (await get(`appraisals/${THIS_MONTH}`).expect(200)).body;
      return count(body, 'S-BT1', 'deadlinesMissed') > count(before, 'S-BT1', 'deadlinesMissed') && count(body, 'S-SV1', 'deadlinesMet') > count(before, 'S-SV1', 'deadlinesMet') ? body : undefined;
    }, { timeoutMs: 60_000, what: 'the complaints’ deadlines credited to their owners' });
    expect(count(after, 'S-BT1', 'deadlinesMissed')).toBe(count(before, 'S-BT1', 'deadlinesMissed') + 1);
    expect(count(after, 'S-BT1', 'escalationsCaused')).toBe(count(before, 'S-BT1', 'escalationsCaused') + 1);
    expect(count(after, 'S-SV1', 'deadlinesMet')).toBe(count(before, 'S-SV1', 'deadlinesMet') + 1);
    // The west area's butler had nothing to do with either.
    expect(count(after, 'S-BT2', 'deadlinesMissed')).toBe(count(before, 'S-BT2', 'deadlinesMissed'));
  });
});
