/**
 * The reports of docs/rules.md §7 end to end: a generated past month of cases and events written
 * straight into Postgres (as the workflows would have left them), plus real cases run on the dev
 * server this month. P1 is started by its Temporal Schedule, stored, and mailed to the managers as
 * HTML with the CSV attached; P1–P3 are read through the API as JSON and CSV. Every number of the
 * generated month is worked out by hand below.
 */
import request from 'supertest';
import { Case, CaseEvent, StoredReport } from '../../db/entities';
import { compressPolicy, DEFAULT_POLICY, HOUR, MINUTE } from '../../domain/policy';
import { dayRange, localMonth, monthRange, previousMonth } from '../../domain/reports';
import { localDate } from '../../domain/calendar';
import { complaintReportScheduleId, ensureSchedules } from '../../schedules';
import { complain, complaintAct } from '../helpers/complaints';
import { as, assigneeOf, repairAction, report } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const TZ = 'Asia/Shanghai';
const PROPERTY = { id: 'P001', timeZone: TZ };
/** The month the schedule's run analyses: the one before now, locally. */
const MONTH = previousMonth(new Date(), TZ);
const { from: MONTH_START, to: MONTH_END } = monthRange(MONTH, TZ);
/** Local wall-clock time on a day of MONTH, e.g. day(3, 10) = the 3rd at 10:00 in Shanghai. */
const day = (d: number, hour = 10, minute = 0) => new Date(MONTH_START.getTime() + (d - 1) * 24 * HOUR + hour * HOUR + minute * MINUTE);

beforeAll(async () => {
  stack = await startTestStack({ policy: compressPolicy(DEFAULT_POLICY, 300) });
  await generateMonth();
});
afterAll(async () => stack?.close());

let seq = 0;
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
    status: 'archived',
    description: '生成的数据',
    contactName: null,
    contactPhone: null,
    assigneeId: null,
    dueAt: null,
    closedAt: null,
    links: [],
    eventSeq: 0,
    receivedBy: 'S-FD1',
    updatedAt: new Date(),
    ...row,
  } as never);
  await em.flush();
}

async function insertEvent(caseId: string, action: string, at: Date, ownerId: string | null) {
  const em = stack.orm.em.fork();
  seq += 1;
  em.create(CaseEvent, { caseId, seq, idempotencyKey: `generated:${caseId}:${seq}`, action, actorId: 'system', actorRole: 'system', at, payload: { deadline: 'accept', ownerId } });
  await em.flush();
}

const closedAfter = (received: Date, hours: number) => new Date(received.getTime() + hours * HOUR);

/**
 * The generated month. Complaints (P1): K01–K10 in the month; S01 the evening before it, N01 just
 * after it and E01 an employee complaint are not in the report.
 */
async function generateMonth(): Promise<void> {
  const complaints: [string, string, string, string, string, string | null, string | null, string, Date, number | null][] = [
    // id    category         severity     area  channel   household         issue     status      received          hours to close
    ['K01', 'engineering', 'general', 'A1', 'phone', 'P001-1-1-301', 'lift-3', 'archived', day(3), 10],
    ['K02', 'engineering', 'major', 'A1', 'wechat', 'P001-1-1-302', 'lift-3', 'archived', day(4), 50],
    ['K03', 'engineering', 'major', 'A2', 'phone', 'P001-3-1-101', 'lift-3', 'handling', day(5), null],
    ['K04', 'environment', 'general', 'A1', 'phone', 'P001-1-1-301', null, 'archived', day(8), 4],
    ['K05', 'environment', 'general', 'A2', 'app', 'P001-3-1-102', null, 'archived', day(9), 6],
    ['K06', 'safety', 'important', 'A2', 'phone', 'P001-3-1-201', null, 'archived', day(12), 20],
    ['K07', 'safety', 'important', 'A1', 'visit', 'P001-2-1-101', null, 'closed', day(15), 30],
    ['K08', 'staff-conduct', 'general', 'A1', 'phone', 'P001-2-1-102', null, 'invalid', day(16), 1],
    ['K09', 'environment', 'general', 'A2', 'wechat', 'P001-4-1-101', 'gate-a', 'archived', day(20), 8],
    // 23:00 on the month's last day, closed 4 h later — in the next month: open at the month's end.
    ['K10', 'environment', 'general', 'A2', 'phone', 'P001-4-1-102', 'gate-a', 'archived', new Date(MONTH_END.getTime() - HOUR), 4],
    ['S01', 'safety', 'general', 'A1', 'phone', 'P001-1-1-301', 'lift-3', 'archived', new Date(MONTH_START.getTime() - 30 * MINUTE), 1],
    ['N01', 'safety', 'general', 'A1', 'phone', 'P001-1-1-301', 'lift-3', 'archived', new Date(MONTH_END.getTime() + 30 * MINUTE), 1],
  ];
  for (const [id, category, severity, areaId, channel, householdId, issueKey, status, receivedAt, hours] of complaints) {
    await insertCase({ id, kind: 'complaint', category, severity, areaId, channel, householdId, issueKey, status, receivedAt, closedAt: hours === null ? null : closedAfter(receivedAt, hours) });
  }
  await insertCase({ id: 'E01', kind: 'complaint', complaintKind: 'employee', category: 'staff-conduct', receivedAt: day(10), closedAt: day(11) });

  // Repairs and their recorded deadline outcomes (P3): X1 held by S-EN1, X2 by S-EN2.
  await insertCase({ id: 'X1', kind: 'repair', assigneeId: 'S-EN1', status: 'closed', receivedAt: day(3, 9), closedAt: day(4) });
  await insertCase({ id: 'X2', kind: 'repair', assigneeId: 'S-EN2', status: 'closed', receivedAt: day(3, 9), closedAt: day(4) });
  await insertEvent('X1', 'deadline-met', day(3, 9, 20), 'S-EN1');
  await insertEvent('X1', 'deadline-met', day(3, 11), 'S-EN1');
  await insertEvent('X1', 'deadline-missed', day(6), 'S-EN1');
  await insertEvent('X1', 'escalated', day(6), 'S-EN1');
  await insertEvent('X1', 'sla-warning', day(6), 'S-EN1'); // a warning is not a result
  await insertEvent('X2', 'deadline-missed', day(7), 'S-EN2');
  await insertEvent('X2', 'escalated', day(7), 'S-EN2');
  await insertEvent('X2', 'deadline-met', day(7, 12), 'S-EN2');
  await insertEvent('X2', 'deadline-met', new Date(MONTH_END.getTime() + 30 * MINUTE), 'S-EN2'); // next month
  await insertEvent('X2', 'deadline-met', new Date(MONTH_START.getTime() - 30 * MINUTE), 'S-EN2'); // the month before
  await insertEvent('E01', 'escalated', day(10, 12), 'S-SV1'); // an employee complaint: hr's, not in P3
  // Return visits of those repairs, credited to the repair's engineer.
  const visit = (id: string, parent: string, outcome: string, closedAt: Date) =>
    insertCase({ id, kind: 'return_visit', status: 'closed', outcome, receivedAt: day(4), closedAt, links: [{ caseId: parent, relation: 'parent' }] });
  await visit('RV-X1-1', 'X1', 'satisfied', day(8));
  await visit('RV-X1-2', 'X1', 'unreachable', day(13));
  await visit('RV-X2-1', 'X2', 'unsatisfied', day(9));
  await visit('RV-X2-2', 'X2', 'satisfied', day(12));

  // P2 on the 15th: Y1 received and closed that day, Y2 urgent and breached still on site, Y3 open
  // since the day before in the west area, Y4 the next day.
  await insertCase({ id: 'Y1', kind: 'repair', status: 'closed', assigneeId: 'S-EN1', receivedAt: day(15, 9), closedAt: day(15, 12) });
  await insertCase({ id: 'Y2', kind: 'repair', status: 'on_site', severity: 'urgent', slaState: 'breached', escalated: true, assigneeId: 'S-EN2', receivedAt: day(15, 10) });
  await insertCase({ id: 'Y3', kind: 'repair', status: 'dispatched', areaId: 'A2', assigneeId: 'S-EN1', receivedAt: day(14, 15) });
  await insertCase({ id: 'Y4', kind: 'repair', status: 'dispatched', assigneeId: 'S-EN1', receivedAt: day(16, 9) });
}

const get = (path: string, staffId = 'S-MG1') => request(stack.app).get(`/api/v1/${path}`).set(as(stack, staffId));

/** P1 of the generated month, worked out by hand from the table above. */
const EXPECTED_P1 = {
  report: 'P1',
  propertyId: 'P001',
  month: MONTH,
  timeZone: TZ,
  // K01–K10; resolved in the month: 10, 50, 4, 6, 20, 30, 8 h (K08 invalid, K03 open, K10 closed next month) → mean 128/7 = 18.3, median 10.
  total: { key: 'all', complaints: 10, resolved: 7, meanResolutionHours: 18.3, medianResolutionHours: 10 },
  invalid: 1,
  openAtMonthEnd: 2,
  byCategory: [
    { key: 'environment', complaints: 4, resolved: 3, meanResolutionHours: 6, medianResolutionHours: 6 },
    { key: 'engineering', complaints: 3, resolved: 2, meanResolutionHours: 30, medianResolutionHours: 30 },
    { key: 'safety', complaints: 2, resolved: 2, meanResolutionHours: 25, medianResolutionHours: 25 },
    { key: 'staff-conduct', complaints: 1, resolved: 0, meanResolutionHours: null, medianResolutionHours: null },
  ],
  bySeverity: [
    { key: 'general', complaints: 6, resolved: 4, meanResolutionHours: 7, medianResolutionHours: 7 },
    { key: 'important', complaints: 2, resolved: 2, meanResolutionHours: 25, medianResolutionHours: 25 },
    { key: 'major', complaints: 2, resolved: 1, meanResolutionHours: 50, medianResolutionHours: 50 },
  ],
  byArea: [
    { key: 'A1', complaints: 5, resolved: 4, meanResolutionHours: 23.5, medianResolutionHours: 20 },
    { key: 'A2', complaints: 5, resolved: 3, meanResolutionHours: 11.3, medianResolutionHours: 8 },
  ],
  byChannel: [
    { key: 'phone', complaints: 6, resolved: 3, meanResolutionHours: 11.3, medianResolutionHours: 10 },
    { key: 'wechat', complaints: 2, resolved: 2, meanResolutionHours: 29, medianResolutionHours: 29 },
    { key: 'app', complaints: 1, resolved: 1, meanResolutionHours: 6, medianResolutionHours: 6 },
    { key: 'visit', complaints: 1, resolved: 1, meanResolutionHours: 30, medianResolutionHours: 30 },
  ],
  repeatIssues: [
    { issueKey: 'lift-3', complaints: 3, households: 3, caseIds: ['K01', 'K02', 'K03'] },
    { issueKey: 'gate-a', complaints: 2, households: 2, caseIds: ['K09', 'K10'] },
  ],
  repeatHouseholds: [{ householdId: 'P001-1-1-301', complaints: 2, caseIds: ['K01', 'K04'] }],
};

describe('P1 monthly complaint analysis', () => {
  it('P1: a schedule per property runs on the 2nd at 08:00 local time, ready well before the 10th', async () => {
    await ensureSchedules(stack.client, stack.config, [PROPERTY]);
    const d = await stack.client.schedule.getHandle(complaintReportScheduleId('P001')).describe();
    expect(d.spec.timezone).toBe(TZ);
    expect(d.spec.calendars![0]).toMatchObject({ dayOfMonth: [{ start: 2, end: 2 }], hour: [{ start: 8, end: 8 }], minute: [{ start: 0, end: 0 }] });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyComplaintReport', args: [{ propertyId: 'P001' }] });
    const next = d.info.nextActionTimes[0];
    expect(localDate(next, TZ).slice(8)).toBe('02');
    expect(next.toLocaleTimeString('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit' })).toBe('08:00');
    // Ensured again, nothing changes.
    await ensureSchedules(stack.client, stack.config, [PROPERTY]);
    expect((await stack.client.schedule.getHandle(complaintReportScheduleId('P001')).describe()).info.lastUpdatedAt).toEqual(d.info.lastUpdatedAt);
  });

  it('P1: the scheduled run analyses the previous month by category, severity, area and channel with resolution times and repeat issues, stores it and mails the managers HTML with the CSV attached', async () => {
    const schedule = stack.client.schedule.getHandle(complaintReportScheduleId('P001'));
    await schedule.trigger();
    const workflowId = await eventually(async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId, { what: 'the scheduled run' });
    expect(await stack.client.workflow.getHandle(workflowId).result()).toEqual({ month: MONTH, total: 10, resolved: 7 });

    const stored = await stack.orm.em.fork().findOneOrFail(StoredReport, { kind: 'P1', propertyId: 'P001', period: MONTH });
    expect(stored.data).toEqual(EXPECTED_P1);

    const mail = await eventually(async () => stack.mails.find((m) => m.subject.includes('月度投诉分析报告') && m.subject.includes(MONTH)), { what: 'P1 mail' });
    expect(mail.to).toEqual(['s-mg1@demo.wuye.local']);
    expect(stack.mails.filter((m) => m.subject.includes('月度投诉分析报告'))).toHaveLength(1);
    expect(mail.subject).toBe(`【月度投诉分析报告】P001 ${MONTH} · 10 件`);
    expect(mail.html).toContain('<td>环境</td><td>4</td><td>3</td><td>6</td><td>6</td>');
    expect(mail.html).toContain('lift-3：3 件，3 户');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: `complaints-P001-${MONTH}.csv` });
    expect(mail.attachments[0].contentType).toMatch(/^text\/csv/);
    const csv = mail.attachments[0].content.split('\r\n');
    expect(csv.slice(0, 6)).toEqual([
      '\ufeffdimension,key,complaints,resolved,mean_resolution_hours,median_resolution_hours',
      'total,all,10,7,18.3,10',
      'category,environment,4,3,6,6',
      'category,engineering,3,2,30,30',
      'category,safety,2,2,25,25',
      'category,staff-conduct,1,0,,',
    ]);
    expect(csv).toEqual(expect.arrayContaining(['area,A2,5,3,11.3,8', 'channel,visit,1,1,30,30', 'repeat_issue,lift-3,3,,,', 'invalid,all,1,,,', 'open_at_month_end,all,2,,,']));
    // No resident's name or phone reaches a manager's report.
    expect(mail.html).not.toMatch(/王先生|13800138000/);
  });

  it('P1: the API answers the stored report as JSON and CSV for supervisors and managers, and no one else', async () => {
    const json = await get(`reports/complaints/${MONTH}`).expect(200);
    expect(json.body).toEqual({ ...EXPECTED_P1, generatedAt: expect.any(String) });
    const csv = await get(`reports/complaints/${MONTH}/csv`, 'S-SV1').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe((await stack.orm.em.fork().findOneOrFail(StoredReport, { kind: 'P1', propertyId: 'P001', period: MONTH })).csv);
    for (const staffId of ['S-BT1', 'S-FD1', 'S-HR1', 'S-EN1']) await get(`reports/complaints/${MONTH}`, staffId).expect(403);
    const bad = await get('reports/complaints/2026-13').expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('P1: this month, computed live, counts the real customer complaint (and N01, received at 00:30 on the 1st) and leaves the employee complaint out', async () => {
    const customer = await complain(stack, { room: '1-1-401' });
    expect((await complaintAct(stack, customer, 'classify', 'S-SV1', { severity: 'important', category: 'safety', department: '安保部' })).status).toBe(200);
    await complain(stack, { room: '1-1-402', kind: 'employee', description: '某员工态度恶劣' });
    const thisMonth = localMonth(new Date(), TZ);
    const live = await eventually(async () => {
      const res = await get(`reports/complaints/${thisMonth}`).expect(200);
      return res.body.bySeverity.some((b: { key: string }) => b.key === 'important') ? res.body : undefined;
    }, { what: 'classified complaint in P1' });
    expect(live).toMatchObject({
      month: thisMonth,
      total: { complaints: 2 },
      bySeverity: [{ key: 'general', complaints: 1 }, { key: 'important', complaints: 1 }],
      byCategory: [{ key: 'safety', complaints: 2 }],
    });
    expect(live.generatedAt).toBeUndefined();
  });
});

describe('P3 per-staff results', () => {
  it('P3: deadlines met and missed, return-visit satisfaction and escalations per staff member of the generated month, as JSON and CSV', async () => {
    const res = await get(`reports/staff/${MONTH}`).expect(200);
    // S-EN1: met 2, missed 1, escalated 1, visits satisfied 1 (the unreachable one is not counted).
    // S-EN2: met 1 (one before and one after the month left out), missed 1, escalated 1, visits 1 satisfied + 1 unsatisfied.
    // S-SV1's escalation is on an employee complaint: not in the report.
    expect(res.body).toEqual({
      report: 'P3',
      propertyId: 'P001',
      month: MONTH,
      timeZone: TZ,
      staff: [
        { staffId: 'S-EN1', deadlinesMet: 2, deadlinesMissed: 1, metRate: 0.667, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 0, satisfactionRate: 1, escalationsCaused: 1 },
        { staffId: 'S-EN2', deadlinesMet: 1, deadlinesMissed: 1, metRate: 0.5, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 1, satisfactionRate: 0.5, escalationsCaused: 1 },
      ],
    });
    const csv = await get(`reports/staff/${MONTH}/csv`, 'S-SV1').expect(200);
    expect(csv.text.split('\r\n')).toEqual([
      '\ufeffmonth,staff_id,deadlines_met,deadlines_missed,met_rate,return_visits_satisfied,return_visits_unsatisfied,satisfaction_rate,escalations_caused',
      `${MONTH},S-EN1,2,1,0.667,1,0,1,1`,
      `${MONTH},S-EN2,1,1,0.5,1,1,0.5,1`,
      '',
    ]);
    await get(`reports/staff/${MONTH}`, 'S-EN1').expect(403);
  });

  it('P3: a real repair accepted in time is a met deadline of its engineer this month', async () => {
    const caseId = await report(stack, { room: '2-1-201', classification: 'general' });
    const engineer = await assigneeOf(stack, caseId);
    const thisMonth = localMonth(new Date(), TZ);
    type Result = { staffId: string; deadlinesMet: number; deadlinesMissed: number };
    const resultOf = async () => ((await get(`reports/staff/${thisMonth}`).expect(200)).body.staff as Result[]).find((s) => s.staffId === engineer);
    const before = (await resultOf())?.deadlinesMet ?? 0;
    expect((await repairAction(stack, caseId, 'accept', engineer)).status).toBe(200);
    await eventually(async () => ((await resultOf())?.deadlinesMet ?? 0) === before + 1, { what: `${engineer} met the accept deadline` });
  });
});

describe('P2 daily lists', () => {
  it('P2: the repair progress of a day — received, closed, open at the end of the day by status, class and area — as JSON and CSV', async () => {
    const date = localDate(day(15), TZ);
    const res = await get(`reports/repair-progress/${date}`, 'S-SV1').expect(200);
    const midnight = dayRange(date, TZ).to;
    expect(res.body).toEqual({
      report: 'P2-repair-progress',
      propertyId: 'P001',
      date,
      timeZone: TZ,
      received: 2, // Y1, Y2
      closed: 1, // Y1
      openAtEndOfDay: 2, // Y3 (since the 14th), Y2
      openBreached: 1,
      openByStatus: { dispatched: 1, on_site: 1 },
      openByClassification: { general: 1, urgent: 1 },
      byArea: [
        { areaId: 'A1', received: 2, closed: 1, open: 1 },
        { areaId: 'A2', received: 0, closed: 0, open: 1 },
      ],
      open: [
        { caseId: 'Y3', areaId: 'A2', classification: 'general', status: 'dispatched', assigneeId: 'S-EN1', slaState: 'ok', ageHours: 33 },
        { caseId: 'Y2', areaId: 'A1', classification: 'urgent', status: 'on_site', assigneeId: 'S-EN2', slaState: 'breached', ageHours: 14 },
      ],
    });
    expect(midnight.getTime() - day(15, 10).getTime()).toBe(14 * HOUR);
    const csv = await get(`reports/repair-progress/${date}/csv`, 'S-FD1').expect(200);
    expect(csv.text.split('\r\n')[2]).toBe(`${date},Y2,A1,urgent,on_site,S-EN2,breached,14`);
    await get(`reports/repair-progress/${date}`, 'S-BT1').expect(403);
    await get('reports/repair-progress/2026-02-30').expect(400);
  });

  it('P2: the open-request list per butler — a butler gets only their own, the supervisor every list', async () => {
    const today = await report(stack, { room: '1-2-101', classification: 'general' });
    const west = await report(stack, { room: '3-2-101', classification: 'general' });
    const own = await eventually(async () => {
      const res = await get('reports/open-requests', 'S-BT1').expect(200);
      return res.body.butlers[0]?.requests.some((r: { caseId: string }) => r.caseId === today) ? res.body : undefined;
    }, { what: 'the butler’s list' });
    expect(own.butlers.map((b: { butlerId: string }) => b.butlerId)).toEqual(['S-BT1']);
    const ownIds = own.butlers[0].requests.map((r: { caseId: string }) => r.caseId);
    expect(ownIds).toEqual(expect.arrayContaining([today, 'Y2']));
    expect(ownIds).not.toContain(west);
    expect(ownIds).not.toContain('Y3');
    // The west repair's row is written by its workflow: wait for it too.
    const all = await eventually(async () => {
      const res = await get('reports/open-requests', 'S-SV1').expect(200);
      return res.body.butlers[1]?.requests.some((r: { caseId: string }) => r.caseId === west) ? res.body : undefined;
    }, { what: 'every list' });
    expect(all.butlers.map((b: { butlerId: string }) => b.butlerId)).toEqual(['S-BT1', 'S-BT2']);
    expect(all.butlers[1].requests.map((r: { caseId: string }) => r.caseId)).toEqual(expect.arrayContaining([west, 'Y3']));
    await get('reports/open-requests', 'S-EN1').expect(403);
  });
});
