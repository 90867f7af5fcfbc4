/**
 * The working-day calendar never stops a case. chinese-days 1.5.7 knows holidays up to 2026 only:
 * from 1 January 2027 every complaint used to answer 201 and then hang (its calendar activity threw
 * a RangeError and was retried for ever). Here the worker's clock is in January 2027, on the real
 * dev server, Postgres and SMTP, with the documents' real (uncompressed) policy.
 */
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { AdminAuditEvent, Case, CaseEvent, NationalCalendarYear, Property } from '../../db/entities';
import { announceMissingCalendars } from '../../activities/calendar';
import type { ComplaintInput } from '../../workflows/complaint';
import { createMailer } from '../../worker';
import { caseViewQuery, type CaseView } from '../../workflows/messages';
import { as } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

/** Saturday 2 January 2027, 10:00 in Shanghai: the worker lives here. */
const WORKER_NOW = new Date('2027-01-02T10:00:00+08:00');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock: () => WORKER_NOW });
});
afterAll(async () => stack?.close());

let opened = 0;
/** A general customer complaint received at `receivedAt` (2027), started as the API starts it. */
async function complaintAt(receivedAt: string, extra: Partial<ComplaintInput> = {}): Promise<string> {
  const caseId = `C20270102-${String(++opened).padStart(4, '0')}`;
  const household = await stack.orm.em.fork().getConnection().execute<{ id: string }[]>(`select id from household where room = '1-1-301'`);
  const input: ComplaintInput = {
    caseId,
    propertyId: stack.seed.propertyId,
    areaId: 'A1',
    householdId: household[0].id,
    room: '1-1-301',
    contactName: '王先生',
    contactPhone: '13800138000',
    channel: 'phone',
    description: '电梯频繁故障',
    severity: 'general',
    receivedAt,
    receivedBy: { staffId: 'S-FD1', role: 'frontdesk' },
    ...extra,
  };
  await stack.client.workflow.start('complaint', { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId: `complaint-${caseId}`, args: [input] });
  return caseId;
}

const viewOf = (caseId: string) =>
  eventually(async () => {
    const view = await stack.client.workflow.getHandle(`complaint-${caseId}`).query(caseViewQuery);
    return view.deadlines.some((d) => d.name === 'firstReply') ? view : undefined;
  }, { what: `${caseId} first reply deadline` });

const firstReplyOf = (view: CaseView) => view.deadlines.find((d) => d.name === 'firstReply')!.dueAt;
const calendarMails = () => stack.mails.filter((m) => m.subject.includes('2027 年国家节假日安排未加载'));
const manager = () => as(stack, 'S-MG1');

describe('a year without national data', () => {
  it('C3: a general complaint opened on 2 January 2027 with no 2027 data opens, counts Monday–Friday, says so, and each manager is mailed once', async () => {
    const first = await complaintAt('2027-01-02T10:00:00+08:00');
    const second = await complaintAt('2027-01-02T10:05:00+08:00');

    // The case row exists (the bug left none), with the assumption in its audit log.
    const row = await eventually(() => stack.orm.em.fork().findOne(Case, { id: first }), { what: 'case row' });
    expect(row.status).toBe('received');
    const assumed = await eventually(async () => (await stack.orm.em.fork().find(CaseEvent, { caseId: first, action: 'calendar-assumed' }))[0], { what: 'calendar-assumed event' });
    expect(assumed.payload).toEqual({ years: [2027, 2028], note: 'working days assumed Mon–Fri: national calendar for 2027, 2028 not loaded' });

    // C3 general: 2 working days; Saturday → counting starts Monday 4 January; the end of Tuesday.
    const view = await viewOf(first);
    expect(firstReplyOf(view)).toBe(new Date('2027-01-06T00:00:00+08:00').toISOString());
    expect(view.notes).toEqual(['working days assumed Mon–Fri: national calendar for 2027, 2028 not loaded']);

    // …in the API's case view and in the Temporal UI's current details.
    const api = await request(stack.app).get(`/api/v1/complaints/${first}`).set(as(stack, 'S-SV1')).expect(200);
    expect(api.body.notes).toEqual(view.notes);
    const metadata = await eventually(async () => {
      const m = (await stack.client.workflow.getHandle(`complaint-${first}`).query('__temporal_workflow_metadata')) as { currentDetails?: string };
      return m.currentDetails?.includes('assumed') ? m : undefined;
    }, { what: 'current details' });
    expect(metadata.currentDetails).toContain('working days assumed Mon–Fri: national calendar for 2027, 2028 not loaded');

    // Each manager is told once per year, though two complaints were opened.
    await viewOf(second);
    await eventually(async () => (calendarMails().length >= 1 && stack.mails.some((m) => m.subject.includes('2028 年')) ? true : undefined), { what: 'calendar mails' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(calendarMails().map((m) => m.to[0])).toEqual(['s-mg1@demo.wuye.local']);
    expect(stack.mails.filter((m) => m.subject.includes('2028 年国家节假日安排未加载')).map((m) => m.to[0])).toEqual(['s-mg1@demo.wuye.local']);
    expect(calendarMails()[0].text).toContain('PUT ');
  });

  it('S4: a questionnaire campaign released under an assumed year opens and says so', async () => {
    const res = await request(stack.app).post('/api/v1/survey-campaigns').set(as(stack, 'S-SV1')).send({ halfYear: '2027-H1' }).expect(202);
    // The campaign's row is planned first; its first save, a moment later, carries the note.
    const campaign = await eventually(async () => {
      const r = await request(stack.app).get(`/api/v1/survey-campaigns/${res.body.campaignId}`).set(as(stack, 'S-SV1'));
      return r.status === 200 && r.body.notes ? r.body : undefined;
    }, { what: 'campaign with its note' });
    expect(campaign.notes).toEqual(['working days assumed Mon–Fri: national calendar for 2027, 2028 not loaded']);
  });

  it('C3: the worker logs the missing years at start and mails nobody twice', async () => {
    const warnings: { meta: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: (meta: Record<string, unknown>, message: string) => void warnings.push({ meta, message }) };
    const mailsBefore = stack.mails.length;
    const missing = await announceMissingCalendars({ orm: stack.orm, mailer: createMailer(stack.config.SMTP_URL!), config: stack.config, clock: () => WORKER_NOW }, logger);
    expect(missing.filter((m) => m.propertyId === stack.seed.propertyId).map((m) => m.year)).toEqual([2027, 2028]);
    expect(warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('working days assumed Mon–Fri: national calendar for 2027 not loaded: load it with PUT /api/v1/calendar/national/2027')]),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.mails.length).toBe(mailsBefore); // the cases already told the managers
  });

  it('C3: /readyz stays 200 and lists the missing years', async () => {
    const res = await request(stack.app).get('/readyz').expect(200);
    expect(res.body.status).toBe('ready');
    // /readyz reads the real clock: the properties' next year is at least 2027, which nobody has loaded yet.
    expect(res.body.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ propertyId: stack.seed.propertyId, year: 2027, warning: expect.stringContaining('not loaded') })]));
  });
});

describe('loading a year through the API', () => {
  // A made-up 2027: Wednesday 6 January off, Saturday 9 January worked.
  const test2027 = { holidays: [{ date: '2027-01-06', name: '测试假日' }], workdays: [{ date: '2027-01-09', name: '测试调休' }] };

  it('C3: a complaint opened after a manager loads 2027 counts its holiday and its adjusted Saturday; one opened before keeps its own calendar', async () => {
    const before = await complaintAt('2027-01-05T10:00:00+08:00');
    const beforeView = await viewOf(before);
    expect(firstReplyOf(beforeView)).toBe(new Date('2027-01-07T10:00:00+08:00').toISOString()); // Mon–Fri: Wed, Thu

    const res = await request(stack.app).put('/api/v1/calendar/national/2027').set(manager()).send(test2027).expect(200);
    expect(res.body.source).toBe('national');
    expect(res.body.days.find((d: { date: string }) => d.date === '2027-01-06')).toMatchObject({ working: false, source: 'national', name: '测试假日' });

    const tuesday = await complaintAt('2027-01-05T10:00:00+08:00');
    // Tuesday 10:00 + 2 working days: Wednesday is off → Thursday, Friday.
    expect(firstReplyOf(await viewOf(tuesday))).toBe(new Date('2027-01-08T10:00:00+08:00').toISOString());
    const friday = await complaintAt('2027-01-08T10:00:00+08:00');
    // Friday 10:00 + 2: the worked Saturday, then Monday.
    expect(firstReplyOf(await viewOf(friday))).toBe(new Date('2027-01-11T10:00:00+08:00').toISOString());
    expect((await viewOf(friday)).notes).toEqual(['working days assumed Mon–Fri: national calendar for 2028 not loaded']);

    // The complaint opened before the load keeps the snapshot it started with.
    expect(firstReplyOf(await viewOf(before))).toBe(firstReplyOf(beforeView));

    const audit = await stack.orm.em.fork().find(AdminAuditEvent, { action: 'calendar.national.load', subject: '2027' });
    expect(audit).toEqual([expect.objectContaining({ actorId: 'S-MG1', propertyId: null, detail: expect.objectContaining({ format: 'json', holidays: ['2027-01-06'], workdays: ['2027-01-09'] }) })]);
  });

  it('C3: the iCalendar file chinese-days publishes loads as its JSON does', async () => {
    const ics = readFileSync(require.resolve('chinese-days/dist/years/2026.ics'), 'utf8');
    const res = await request(stack.app).put('/api/v1/calendar/national/2026').set(manager()).set('Content-Type', 'text/calendar').send(ics).expect(200);
    expect(res.body.source).toBe('national');
    expect(res.body.days.find((d: { date: string }) => d.date === '2026-10-01')).toMatchObject({ working: false, source: 'national', name: '国庆节' });
    expect(res.body.days.find((d: { date: string }) => d.date === '2026-10-10')).toMatchObject({ working: true, kind: 'workday', source: 'national' });
    const stored = await stack.orm.em.fork().findOneOrFail(NationalCalendarYear, { year: 2026 });
    expect(stored.format).toBe('ics');
    expect(stored.workdays.map((d) => d.date)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  });

  it('C3: bad calendar input gets a clear 4xx and stores nothing', async () => {
    const stored = async () => ({
      years: await stack.orm.em.fork().count(NationalCalendarYear, { year: 2029 }),
      audits: await stack.orm.em.fork().count(AdminAuditEvent, { subject: { $like: '2029%' } }),
    });
    const put = (body: unknown, type = 'application/json', who = manager()) => request(stack.app).put('/api/v1/calendar/national/2029').set(who).set('Content-Type', type).send(body as object);

    const impossible = await put({ holidays: [{ date: '2029-02-30' }], workdays: [] }).expect(422);
    expect(impossible.body['invalid-params']).toEqual([{ name: 'holidays.0.date', in: 'body', reason: "'2029-02-30' is not a real date written YYYY-MM-DD" }]);
    const wrongYear = await put({ holidays: [{ date: '2028-10-01' }], workdays: [] }).expect(422);
    expect(wrongYear.body['invalid-params'][0].reason).toBe('2028-10-01 is not in 2029');
    const both = await put({ holidays: [{ date: '2029-01-06' }], workdays: [{ date: '2029-01-06' }] }).expect(422);
    expect(both.body['invalid-params'][0].reason).toBe('2029-01-06 is both a holiday and an adjusted working day');
    const notIcs = await put('this is not a calendar', 'text/calendar').expect(400);
    expect(notIcs.body['invalid-params'][0].reason).toMatch(/^not an iCalendar file/);
    const empty = await request(stack.app).put('/api/v1/calendar/national/2029').set(manager()).set('Content-Type', 'text/calendar').set('Content-Length', '0').send('');
    expect(empty.status).toBe(400);
    expect(empty.body['invalid-params'][0].reason).toBe('the body is empty: send the .ics file itself');
    await put({ holidays: 'tomorrow' }).expect(400);
    await put('<xml/>', 'application/xml').expect(415);
    await request(stack.app).put('/api/v1/calendar/national/1999').set(manager()).send({ holidays: [], workdays: [] }).expect(400);
    const supervisor = await put({ holidays: [{ date: '2029-01-01' }], workdays: [] }, 'application/json', as(stack, 'S-SV1')).expect(403);
    expect(supervisor.body.detail).toContain('manager');
    await request(stack.app).put('/api/v1/calendar/national/2029').send({ holidays: [], workdays: [] }).expect(401);
    expect(await stored()).toEqual({ years: 0, audits: 0 });
  });
});

describe("a property's own days", () => {
  it("C3: a manager sets and removes an override; each change is audited; the calendar shows each day's source", async () => {
    const set = await request(stack.app).put('/api/v1/properties/calendar-overrides/2028-03-06').set(manager()).send({ kind: 'holiday', name: '园区停业日' }).expect(200);
    expect(set.body.source).toBe('assumed');
    expect(set.body.note).toBe('working days assumed Mon–Fri: national calendar for 2028 not loaded');
    expect(set.body.days.find((d: { date: string }) => d.date === '2028-03-06')).toMatchObject({ working: false, source: 'override', name: '园区停业日' });
    expect(set.body.days.find((d: { date: string }) => d.date === '2028-03-07')).toMatchObject({ working: true, source: 'assumed' });

    const read = await request(stack.app).get('/api/v1/calendar/2028').set(as(stack, 'S-FD1')).expect(200);
    expect(read.body.days).toHaveLength(366);
    expect(read.body.changes).toEqual([expect.objectContaining({ by: 'S-MG1', action: 'calendar.override.set', subject: '2028-03-06' })]);

    await request(stack.app).delete('/api/v1/properties/calendar-overrides/2028-03-06').set(manager()).expect(204);
    await request(stack.app).delete('/api/v1/properties/calendar-overrides/2028-03-06').set(manager()).expect(404);
    const property = await stack.orm.em.fork().findOneOrFail(Property, { id: stack.seed.propertyId });
    expect(property.calendarOverrides).toEqual([]);
    const audits = await stack.orm.em.fork().find(AdminAuditEvent, { subject: '2028-03-06' }, { orderBy: { id: 'asc' } });
    expect(audits.map((a) => [a.action, a.actorId, a.propertyId])).toEqual([
      ['calendar.override.set', 'S-MG1', stack.seed.propertyId],
      ['calendar.override.delete', 'S-MG1', stack.seed.propertyId],
    ]);
    expect(audits[1].detail).toEqual({ previous: { date: '2028-03-06', kind: 'holiday', name: '园区停业日' } });

    await request(stack.app).put('/api/v1/properties/calendar-overrides/2028-02-30').set(manager()).send({ kind: 'holiday' }).expect(400);
    await request(stack.app).put('/api/v1/properties/calendar-overrides/2028-03-06').set(as(stack, 'S-BT1')).send({ kind: 'holiday' }).expect(403);
  });
});

describe('an activity that cannot succeed does not retry in silence', () => {
  it('a complaint whose record Postgres refuses fails at once, typed, and the supervisor and manager are told', async () => {
    // A channel longer than its column: no retry can store it (the API's schema would refuse it; a
    // workflow started by other code might not).
    const caseId = await complaintAt('2027-01-02T11:00:00+08:00', { channel: 'x'.repeat(40) as never });
    const handle = stack.client.workflow.getHandle(`complaint-${caseId}`);
    const failure = await handle.result().then(
      () => undefined,
      (error: Error & { cause?: Error & { cause?: { type?: string; nonRetryable?: boolean } } }) => error.cause?.cause,
    );
    expect(failure).toMatchObject({ type: 'InvalidData', nonRetryable: true });
    expect((await handle.describe()).status.name).toBe('FAILED');
    const told = await eventually(async () => {
      const mails = stack.mails.filter((m) => m.subject.includes(`【案件异常中止】${caseId}`));
      return mails.length >= 2 ? mails : undefined;
    }, { what: 'failure mails' });
    expect(told.map((m) => m.to[0]).sort()).toEqual(['s-mg1@demo.wuye.local', 's-sv1@demo.wuye.local']);
    expect(told[0].text).toContain('InvalidData');
  });
});
