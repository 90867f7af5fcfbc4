/**
 * R9/V4: the monthly return-visit report on the real stack — a generated past month of repairs,
 * their return visits and resolved complaints written straight into Postgres as the workflows would
 * have left them, every number worked out by hand below; and this month, a real repair whose visit
 * a supervisor waives and a real complaint visited to the customer's satisfaction, run on the dev
 * server and read back through the same report.
 */
import request from 'supertest';
import { Case, CaseEvent } from '../../db/entities';
import { DEFAULT_POLICY, HOUR, MINUTE } from '../../domain/policy';
import { localMonth, monthRange, previousMonth } from '../../domain/reports';
import { returnVisitCaseId } from '../../domain/return-visit';
import { complain, complaintAct, handleToReturnVisit } from '../helpers/complaints';
import { as, caseRow, repairAction, report, workUntilCompleted } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const TZ = 'Asia/Shanghai';
/** The month a supervisor looks at: the one before now, locally. */
const MONTH = previousMonth(new Date(), TZ);
const { from: MONTH_START } = monthRange(MONTH, TZ);
/** Local wall-clock time on a day of MONTH, e.g. day(3, 10) = the 3rd at 10:00 in Shanghai. */
const day = (d: number, hour = 10, minute = 0) => new Date(MONTH_START.getTime() + (d - 1) * 24 * HOUR + hour * HOUR + minute * MINUTE);

beforeAll(async () => {
  // The documents' own numbers: a complaint's visit is due a week after its handling (C7). Nothing here waits on a deadline.
  stack = await startTestStack({ policy: DEFAULT_POLICY });
  await generateMonth();
});
afterAll(async () => stack?.close());

async function insertCase(row: Partial<Record<keyof typeof Case.meta.properties, unknown>> & { id: string; kind: string; receivedAt: Date }) {
  const em = stack.orm.em.fork();
  em.create(Case, {
    workflowId: `${row.kind}-${row.id}`,
    propertyId: 'P001',
    areaId: 'A1',
    householdId: null,
    room: null,
    channel: 'phone',
    severity: 'general',
    category: null,
    complaintKind: row.kind === 'complaint' ? 'customer' : null,
    issueKey: null,
    status: 'closed',
    description: '生成的数据',
    contactName: null,
    contactPhone: null,
    assigneeId: null,
    dueAt: null,
    closedAt: null,
    outcome: null,
    links: [],
    eventSeq: 0,
    receivedBy: 'S-FD1',
    updatedAt: new Date(),
    ...row,
  } as never);
  await em.flush();
}

let seq = 0;
async function insertEvent(caseId: string, action: string, at: Date, payload: Record<string, unknown> = {}) {
  const em = stack.orm.em.fork();
  seq += 1;
  em.create(CaseEvent, { caseId, seq, idempotencyKey: `generated:${caseId}:${seq}`, action, actorId: 'S-SV1', actorRole: 'supervisor', at, payload });
  await em.flush();
}

/** A repair's return visit as the returnVisit workflow leaves its row. */
const visitOf = (repairId: string, n: number, row: Partial<Record<keyof typeof Case.meta.properties, unknown>> & { receivedAt?: Date }) =>
  insertCase({ status: 'closed', links: [{ caseId: repairId, relation: 'parent' }], ...row, id: returnVisitCaseId(repairId, n), kind: 'return_visit', receivedAt: row.receivedAt ?? day(2) });

/**
 * The generated month.
 * Repairs received in it (R9): G1 visited, satisfied; G2 unsatisfied, repaired again (R10) and then
 * satisfied — it counts by its latest visit; G3 unreachable (V2) after its due on the 6th; G4 waived
 * by the supervisor with a reason; G5 still open, due on the 20th; G6 a leak waiting for rain; G7
 * not done yet; G8 not even dispatched (no engineer). Not in the report: G9 invalid (R1), G0 received
 * the evening before the month.
 * Complaints resolved in it (C7): H1 satisfied; H2 three unanswered calls; H3 exempt as sensitive;
 * H4 not visited, its week missed on the 27th; H5 anonymous (a quiet week, nobody to visit); H6
 * unsatisfied, handled again (C8) and satisfied on the 25th, three days after that visit was due.
 * Not in it: H7 first handled the month before, H8 an employee complaint (hr's).
 */
async function generateMonth(): Promise<void> {
  const repairs: [string, string, string | null, string][] = [
    ['G1', 'A1', 'S-EN1', 'closed'],
    ['G2', 'A1', 'S-EN1', 'closed'],
    ['G3', 'A1', 'S-EN2', 'closed'],
    ['G4', 'A2', 'S-EN2', 'closed'],
    ['G5', 'A2', 'S-EN1', 'awaiting_return_visit'],
    ['G6', 'A2', 'S-EN2', 'awaiting_return_visit'],
    ['G7', 'A1', 'S-EN1', 'on_site'],
    ['G8', 'A2', null, 'received'],
    ['G9', 'A1', 'S-EN1', 'invalid'],
  ];
  for (const [id, areaId, assigneeId, status] of repairs) await insertCase({ id, kind: 'repair', areaId, assigneeId, status, receivedAt: day(1, 9) });
  await insertCase({ id: 'G0', kind: 'repair', assigneeId: 'S-EN1', receivedAt: new Date(MONTH_START.getTime() - 30 * MINUTE) });
  await visitOf('G0', 1, { outcome: 'satisfied', closedAt: day(2) });

  await visitOf('G1', 1, { outcome: 'satisfied', closedAt: day(3) });
  await visitOf('G2', 1, { outcome: 'unsatisfied', closedAt: day(5) });
  await visitOf('G2', 2, { outcome: 'satisfied', closedAt: day(9), receivedAt: day(8) });
  await visitOf('G3', 1, { areaId: 'A1', outcome: 'unreachable', closedAt: day(7) });
  await insertEvent(returnVisitCaseId('G3', 1), 'deadline-missed', day(6), { deadline: 'visit', rule: 'R9', dueAt: day(6).toISOString(), ownerId: null });
  await visitOf('G4', 1, { areaId: 'A2', outcome: 'exempt', closedAt: day(8) });
  await insertEvent(returnVisitCaseId('G4', 1), 'exempt', day(8), { reason: '业主长期出差' });
  await visitOf('G5', 1, { areaId: 'A2', status: 'open', dueAt: day(20) });
  await visitOf('G6', 1, { areaId: 'A2', status: 'awaiting_rain' });

  const complaints: [string, string, string, string | null][] = [
    ['H1', 'A1', 'closed', 'satisfied'],
    ['H2', 'A1', 'awaiting_return_visit', 'unreachable'],
    ['H3', 'A2', 'quiet_period', null],
    ['H4', 'A2', 'awaiting_return_visit', null],
    ['H5', 'A2', 'quiet_period', null],
    ['H6', 'A1', 'closed', 'satisfied'],
    ['H7', 'A1', 'closed', 'satisfied'],
  ];
  for (const [id, areaId, status, outcome] of complaints) await insertCase({ id, kind: 'complaint', areaId, status, outcome, receivedAt: day(1) });
  await insertCase({ id: 'H8', kind: 'complaint', complaintKind: 'employee', status: 'closed', receivedAt: day(1) });

  await insertEvent('H1', 'recordHandling', day(3), { result: '已处理' });
  await insertEvent('H1', 'recordReturnVisit', day(5), { method: 'phone', satisfied: true });
  await insertEvent('H2', 'recordHandling', day(10), { result: '已处理' });
  for (const d of [11, 12, 13]) await insertEvent('H2', 'recordReturnVisit', day(d), { method: 'phone', answered: false });
  await insertEvent('H3', 'recordHandling', day(12), { result: '已处理' });
  await insertEvent('H3', 'exempt', day(12, 11), { ground: 'sensitive', reason: '涉及隐私' });
  await insertEvent('H4', 'recordHandling', day(20), { result: '已处理' });
  await insertEvent('H4', 'deadline-missed', day(27), { deadline: 'returnVisit', rule: 'C7', ownerId: null });
  await insertEvent('H5', 'recordHandling', day(25), { result: '已处理' });
  await insertEvent('H6', 'recordHandling', day(4), { result: '已处理' });
  await insertEvent('H6', 'recordReturnVisit', day(6), { method: 'phone', satisfied: false });
  await insertEvent('H6', 'recordHandling', day(15), { result: '改进后处理' });
  await insertEvent('H6', 'recordReturnVisit', day(25), { method: 'home-visit', satisfied: true });
  await insertEvent('H7', 'recordHandling', new Date(MONTH_START.getTime() - 2 * 24 * HOUR), { result: '已处理' });
  await insertEvent('H7', 'recordHandling', day(3), { result: '再次处理' });
  await insertEvent('H8', 'recordHandling', day(3), { result: '已处理' });
}

const get = (path: string, staffId = 'S-SV1') => request(stack.app).get(`/api/v1/${path}`).set(as(stack, staffId));

const counts = (subjects: number, visited: number, satisfied: number, unsatisfied: number, unreachable: number, exempted: number, open: number, notYet: number, overdue: number) => {
  const share = (n: number) => (subjects ? Math.round((n / subjects) * 1000) / 1000 : null);
  return { subjects, visited, satisfied, unsatisfied, unreachable, exempted, open, notYet, overdue, visitedShare: share(visited), satisfiedShare: share(satisfied), unreachableShare: share(unreachable), exemptedShare: share(exempted) };
};

describe('the return-visit report (R9/V4)', () => {
  it('R9/V4: of last month’s valid repairs and resolved complaints, how many were visited, satisfied, unreachable, exempted (with the reasons) and overdue — per area and engineer, as JSON and CSV', async () => {
    const res = await get(`reports/return-visits/${MONTH}`).expect(200);
    expect(res.body).toMatchObject({ report: 'V4', propertyId: 'P001', month: MONTH, timeZone: TZ });
    // 8 valid repairs; 2 got their visit and were satisfied (G1, G2), 1 unreachable (G3), 1 waived (G4),
    // 2 visits open (G5, G6), 2 not done yet (G7, G8); overdue: G3 (done after its due) and G5 (open past it).
    expect(res.body.repairs).toEqual({
      total: counts(8, 2, 2, 0, 1, 1, 2, 2, 2),
      byArea: [
        { areaId: 'A1', ...counts(4, 2, 2, 0, 1, 0, 0, 1, 1) }, // G1 G2 G3 G7
        { areaId: 'A2', ...counts(4, 0, 0, 0, 0, 1, 2, 1, 1) }, // G4 G5 G6 G8
      ],
      byEngineer: [
        { engineerId: 'S-EN1', ...counts(4, 2, 2, 0, 0, 0, 1, 1, 1) }, // G1 G2 G5 G7
        { engineerId: 'S-EN2', ...counts(3, 0, 0, 0, 1, 1, 1, 0, 1) }, // G3 G4 G6
        { engineerId: null, ...counts(1, 0, 0, 0, 0, 0, 0, 1, 0) }, // G8
      ],
    });
    expect(res.body.repairs.total).toMatchObject({ visitedShare: 0.25, satisfiedShare: 0.25, unreachableShare: 0.125, exemptedShare: 0.125 });
    // 6 resolved complaints: H1, H6 satisfied; H2 unreachable; H3, H5 exempt; H4 open; overdue H4 and H6.
    expect(res.body.complaints).toEqual({
      total: counts(6, 2, 2, 0, 1, 2, 1, 0, 2),
      byArea: [
        { areaId: 'A1', ...counts(3, 2, 2, 0, 1, 0, 0, 0, 1) }, // H1 H2 H6
        { areaId: 'A2', ...counts(3, 0, 0, 0, 0, 2, 1, 0, 1) }, // H3 H4 H5
      ],
    });
    expect(res.body.exemptions).toEqual([
      { kind: 'repair', subjectCaseId: 'G4', visitCaseId: 'RV-G4-1', areaId: 'A2', engineerId: 'S-EN2', reason: '业主长期出差' },
      { kind: 'complaint', subjectCaseId: 'H3', visitCaseId: 'H3', areaId: 'A2', engineerId: null, reason: 'sensitive: 涉及隐私' },
      { kind: 'complaint', subjectCaseId: 'H5', visitCaseId: 'H5', areaId: 'A2', engineerId: null, reason: 'anonymous' },
    ]);
    // A week after handling (C7): H4 due on the 27th, H6's second visit on the 22nd (done the 25th).
    expect(res.body.overdue.map((o: { visitCaseId: string; dueAt: string; doneAt: string | null }) => [o.visitCaseId, o.dueAt, o.doneAt])).toEqual([
      ['RV-G3-1', day(6).toISOString(), day(7).toISOString()],
      ['RV-G5-1', day(20).toISOString(), null],
      ['H4', day(27).toISOString(), null],
      ['H6', day(22).toISOString(), day(25).toISOString()],
    ]);

    const csv = (await get(`reports/return-visits/${MONTH}/csv`, 'S-MG1').expect(200)).text.split('\r\n');
    expect(csv[0]).toBe('\ufeffmonth,kind,dimension,key,subjects,visited,satisfied,unsatisfied,unreachable,exempted,open,not_yet,overdue,visited_share,satisfied_share,unreachable_share,exempted_share,reason');
    expect(csv).toEqual(
      expect.arrayContaining([
        `${MONTH},repair,total,all,8,2,2,0,1,1,2,2,2,0.25,0.25,0.125,0.125,`,
        `${MONTH},repair,engineer,S-EN1,4,2,2,0,0,0,1,1,1,0.5,0.5,0,0,`,
        `${MONTH},complaint,total,all,6,2,2,0,1,2,1,0,2,0.333,0.333,0.167,0.333,`,
        `${MONTH},repair,exemption,RV-G4-1,,,,,,,,,,,,,,业主长期出差`,
      ]),
    );
    for (const staffId of ['S-BT1', 'S-EN1', 'S-FD1']) await get(`reports/return-visits/${MONTH}`, staffId).expect(403);
    await get('reports/return-visits/2026-13').expect(400);
  });

  it('R9/V4: this month on the dev server — a repair whose visit the supervisor waives is counted exempt with the reason, a complaint visited to the customer’s satisfaction is counted satisfied', async () => {
    const repairId = await report(stack, { room: '2-1-201', classification: 'general', description: '卫生间灯不亮' });
    const engineer = await workUntilCompleted(stack, repairId);
    expect((await repairAction(stack, repairId, 'signOff', 'S-BT1', { accepted: true })).status).toBe(200);
    const visitId = returnVisitCaseId(repairId, 1);
    await caseRow(stack, visitId, (r) => r.eventSeq >= 1, 'the return visit opened');
    const waived = await request(stack.app).post(`/api/v1/return-visits/${visitId}/exempt`).set(as(stack, 'S-SV1')).send({ reason: '业主要求免回访' });
    expect(waived.status).toBe(200);

    const complaintId = await complain(stack, { room: '1-1-401' });
    expect((await complaintAct(stack, complaintId, 'classify', 'S-BT1', { severity: 'general', category: 'engineering', department: '工程部' })).status).toBe(200);
    await handleToReturnVisit(stack, complaintId);
    expect((await complaintAct(stack, complaintId, 'recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: true })).status).toBe(200);

    const thisMonth = localMonth(new Date(), TZ);
    const live = await eventually(async () => {
      const body = (await get(`reports/return-visits/${thisMonth}`).expect(200)).body;
      return body.repairs.total.exempted === 1 && body.complaints.total.satisfied === 1 ? body : undefined;
    }, { what: 'the waived visit and the satisfied complaint in the report' });
    expect(live.repairs.total).toEqual(counts(1, 0, 0, 0, 0, 1, 0, 0, 0));
    expect(live.repairs.byEngineer).toEqual([{ engineerId: engineer, ...counts(1, 0, 0, 0, 0, 1, 0, 0, 0) }]);
    expect(live.exemptions).toEqual([{ kind: 'repair', subjectCaseId: repairId, visitCaseId: visitId, areaId: 'A1', engineerId: engineer, reason: '业主要求免回访' }]);
    expect(live.complaints.total).toEqual(counts(1, 1, 1, 0, 0, 0, 0, 0, 0));
    expect(live.complaints.byArea).toEqual([{ areaId: 'A1', ...counts(1, 1, 1, 0, 0, 0, 0, 0, 0) }]);
  });
});
