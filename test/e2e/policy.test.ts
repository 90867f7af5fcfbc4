/**
 * The service policy without SQL, on the real stack: read in its own units, changed with PATCH
 * (validated, versioned, audited), previewed over a recorded month before it is saved, the
 * schedules moved at once by a time or time-zone change — and no running case touched.
 */
import request from 'supertest';
import { MINUTE } from '../../domain/policy';
import { reconciliationScheduleId } from '../../domain/reconciliation';
import { complaintReportScheduleId, ensureSchedules, scheduledProperties, surveyRunScheduleId } from '../../schedules';
import { generatedMonth, HAND_WORKED, PROPOSAL } from '../helpers/policy-month';
import { as, report } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  // As the worker does at its start.
  await ensureSchedules(stack.client, stack.config, await scheduledProperties(stack.orm));
});
afterAll(async () => stack?.close());

const patchPolicy = (body: Record<string, unknown>, staffId = 'S-MG1') => request(stack.app).patch('/api/v1/properties/policy').set(as(stack, staffId)).send(body);

/** `window` is `minutes` long, counted from the receipt: the dispatch follows it within seconds. */
const within = (window: number, minutes: number) => expect({ window, ok: window >= minutes * MINUTE && window < minutes * MINUTE + 10_000 }).toEqual({ window, ok: true });

/** A case's acceptance window, from its live view: due time minus the time it was received. */
async function acceptWindow(caseId: string): Promise<number> {
  const accept = await eventually(async () => {
    const res = await request(stack.app).get(`/api/v1/repairs/${caseId}`).set(as(stack, 'S-SV1'));
    const deadline = (res.body.deadlines as { name: string; dueAt: string; state: string }[] | undefined)?.find((d) => d.name === 'accept');
    return deadline ? { dueAt: deadline.dueAt, receivedAt: res.body.receivedAt as string } : undefined;
  }, { what: `${caseId}'s acceptance deadline` });
  return new Date(accept.dueAt).getTime() - new Date(accept.receivedAt).getTime();
}

describe('the service policy through the API', () => {
  it('R2, R3, R4, C1, C3: the preview of a proposal over a recorded month gives the figures worked out by hand, and saves nothing', async () => {
    const db = stack.orm.em.getConnection();
    for (const c of generatedMonth()) {
      await db.execute(
        `insert into service_case (id, workflow_id, kind, property_id, area_id, room, channel, severity, status, description, received_at, received_by, links, event_seq, updated_at)
         values (?, ?, ?, ?, ?, ?, 'phone', ?, 'closed', 'generated', ?, 'S-FD1', '[]', ?, now())`,
        [c.caseId, `generated-${c.caseId}`, c.kind, stack.seed.propertyId, c.areaId, c.room, c.severity, c.receivedAt, c.events.length - 1],
      );
      for (const e of c.events) {
        await db.execute('insert into case_event (case_id, seq, idempotency_key, action, actor_id, actor_role, at, payload) values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)', [
          c.caseId,
          e.seq,
          `generated-${c.caseId}:${e.seq}`,
          e.action,
          e.actorId,
          e.actorRole,
          e.at,
          JSON.stringify(e.payload),
        ]);
      }
    }
    const res = await request(stack.app).post('/api/v1/properties/policy/preview').set(as(stack, 'S-SV1')).send({ changes: PROPOSAL, month: '2026-11' }).expect(200);
    expect(res.body.period).toEqual({ label: '2026-11', from: '2026-10-31T16:00:00.000Z', to: '2026-11-30T16:00:00.000Z' });
    expect(res.body.outcomes).toBe(HAND_WORKED.outcomes);
    expect(res.body.total).toEqual(HAND_WORKED.total);
    expect(res.body.byRule).toEqual(HAND_WORKED.byRule);
    expect(res.body.byStaff).toEqual(HAND_WORKED.byStaff);
    expect(res.body.notPreviewed.map(({ reason, count }: { reason: string; count: number }) => ({ reason, count }))).toEqual(HAND_WORKED.notPreviewed);
    expect(res.body.differencesShown).toBe(`${HAND_WORKED.differences} of ${HAND_WORKED.differences}`);
    expect(res.body.changes).toContainEqual({ key: 'repair.acceptWithin', old: null, new: { ms: 45 * MINUTE, iso: 'PT45M', words: '45 minutes', wordsZh: '45分钟' } });
    const policy = await request(stack.app).get('/api/v1/properties/policy').set(as(stack, 'S-MG1')).expect(200);
    expect(policy.body.version).toBe(1);
    await request(stack.app).post('/api/v1/properties/policy/preview').set(as(stack, 'S-SV1')).send({ changes: { 'repair.acceptWithin': 'P9D' } }).expect(422);
    await request(stack.app).post('/api/v1/properties/policy/preview').set(as(stack, 'S-SV1')).send({ changes: PROPOSAL, from: '2026-01-01', to: '2026-12-31' }).expect(422);
    await request(stack.app).post('/api/v1/properties/policy/preview').set(as(stack, 'S-FD1')).send({ changes: PROPOSAL }).expect(403);
  });

  it('every rule reads with its default, the property’s value and the one in force; a bad change is refused whole, naming the rule', async () => {
    const policy = await request(stack.app).get('/api/v1/properties/policy').set(as(stack, 'S-EN1')).expect(200);
    expect(policy.body.note).toMatch(/^Cases already running keep the policy they started with/);
    expect(policy.body.rules.find((r: { key: string }) => r.key === 'repair.urgentArriveWithin')).toEqual({
      key: 'repair.urgentArriveWithin',
      rule: 'R3',
      unit: 'duration',
      description: expect.any(String),
      default: { ms: 20 * MINUTE, iso: 'PT20M', words: '20 minutes', wordsZh: '20分钟' },
      property: null,
      effective: { ms: 20 * MINUTE, iso: 'PT20M', words: '20 minutes', wordsZh: '20分钟' },
    });
    const refused = await patchPolicy({ changes: { 'repair.acceptWithin': '-PT5M', 'complaint.generalResolveWithin': 'P1Y', 'repair.nothing': 'PT1H' } }).expect(422);
    expect(refused.body['invalid-params'].map((p: { name: string }) => p.name)).toEqual(['changes.repair.acceptWithin', 'changes.complaint.generalResolveWithin', 'changes.repair.nothing']);
    await patchPolicy({ changes: { 'repair.acceptWithin': 'PT25M' } }, 'S-SV1').expect(403);
    await patchPolicy({ changes: { 'repair.acceptWithin': 'PT25M' }, expectedVersion: 7 }).expect(409);
    expect((await request(stack.app).get('/api/v1/properties/policy').set(as(stack, 'S-MG1'))).body.version).toBe(1);
  });

  it('R2: a change of policy changes no running case; a case opened afterwards runs on the new version', async () => {
    const before = await report(stack, { room: '1-1-301' });
    within(await acceptWindow(before), 30);
    const changed = await patchPolicy({ changes: { 'repair.acceptWithin': 'PT45M', 'repair.generalRepairWithin': 'PT3H' }, reason: '夜班人手不足', expectedVersion: 1 }).expect(200);
    expect(changed.body).toMatchObject({ version: 2, schedulesMoved: false, warnings: [] });
    const after = await report(stack, { room: '1-1-302' });
    within(await acceptWindow(after), 45);
    // The running case's deadlines are what they were.
    const running = await request(stack.app).get(`/api/v1/repairs/${before}`).set(as(stack, 'S-SV1')).expect(200);
    const due = (name: string) => new Date(running.body.deadlines.find((d: { name: string; state: string }) => d.name === name && d.state === 'pending').dueAt).getTime();
    const received = new Date(running.body.receivedAt).getTime();
    within(due('accept') - received, 30);
    within(due('repair') - received, 120);
    const versions = await request(stack.app).get('/api/v1/properties/policy/versions').set(as(stack, 'S-SV1')).expect(200);
    expect(versions.body.items.map((v: { version: number; actorId: string; reason: string | null }) => [v.version, v.actorId, v.reason])).toEqual([
      [1, 'system', 'demo seed'],
      [2, 'S-MG1', '夜班人手不足'],
    ]);
    expect(versions.body.items[1].changes).toEqual([
      { key: 'repair.acceptWithin', old: null, new: { ms: 45 * MINUTE, iso: 'PT45M', words: '45 minutes', wordsZh: '45分钟' } },
      { key: 'repair.generalRepairWithin', old: null, new: { ms: 180 * MINUTE, iso: 'PT3H', words: '3 hours', wordsZh: '3小时' } },
    ]);
    const [audit] = await stack.orm.em.getConnection().execute<{ actor_id: string; subject: string }[]>(`select actor_id, subject from admin_audit_event where action = 'policy.change'`);
    expect(audit).toEqual({ actor_id: 'S-MG1', subject: 'version 2' });
  });

  it('R12, S1, P1: the schedules follow a change of their times or of the property’s time zone at once', async () => {
    const P = stack.seed.propertyId;
    const describe = (id: string) => stack.client.schedule.getHandle(id).describe();
    const moved = await patchPolicy({ changes: { 'schedules.reconciliationMorningAt': '08:30', 'schedules.surveyRunDayOfMonth': 3 } }).expect(200);
    expect(moved.body.schedulesMoved).toBe(true);
    const morning = await describe(reconciliationScheduleId(P, 'morning'));
    expect(morning.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect((await describe(surveyRunScheduleId(P))).spec.calendars?.[0].dayOfMonth).toEqual([{ start: 3, end: 3, step: 1 }]);
    await request(stack.app).patch('/api/v1/properties/current').set(as(stack, 'S-MG1')).send({ timeZone: 'Asia/Urumqi' }).expect(200);
    for (const id of [reconciliationScheduleId(P, 'morning'), reconciliationScheduleId(P, 'afternoon'), surveyRunScheduleId(P), complaintReportScheduleId(P)]) {
      expect({ id, timezone: (await describe(id)).spec.timezone }).toEqual({ id, timezone: 'Asia/Urumqi' });
    }
    await request(stack.app).patch('/api/v1/properties/current').set(as(stack, 'S-MG1')).send({ timeZone: 'Mars/Olympus' }).expect(400);
    const audit = await stack.orm.em.getConnection().execute<{ action: string; detail: Record<string, unknown> }[]>(`select action, detail from admin_audit_event where action = 'property.update'`);
    expect(audit).toEqual([{ action: 'property.update', detail: { timeZone: { old: 'Asia/Shanghai', new: 'Asia/Urumqi' } } }]);
  });
});
