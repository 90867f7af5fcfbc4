/**
 * Households moving in and out (audited; a moved-out household keeps its history and leaves the S1
 * sampling pool) and callers found by phone or name, on the real stack.
 */
import request from 'supertest';
import { createSurveyActivities } from '../../activities/surveys';
import { complain } from '../helpers/complaints';
import { as } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const month = (offsetMonths: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offsetMonths, 1)).toISOString().slice(0, 7);
};
const move = (householdId: string, kind: 'move-in' | 'move-out', body: Record<string, unknown>, staffId = 'S-FD1') =>
  request(stack.app).post(`/api/v1/households/${householdId}/${kind}`).set(as(stack, staffId)).send(body);

/** S1's pool of an area for a month, as the monthly run reads it. */
async function pool(forMonth: string, areaId: string): Promise<number> {
  const activities = createSurveyActivities({ orm: stack.orm, mailer: undefined as never, config: stack.config, clock: () => new Date() });
  const plan = await activities.planSurveyMonth({ propertyId: stack.seed.propertyId, month: forMonth, seed: 7, workflowId: `pool-${forMonth}` });
  return plan.areas.find((a) => a.areaId === areaId)!.occupied;
}

describe('households move in and out', () => {
  it('S1: a household that moves out keeps its history and leaves the sampling pool; new occupants move in again', async () => {
    const id = `${stack.seed.propertyId}-1-1-301`;
    await complain(stack, { room: '1-1-301' });
    const before = await pool(month(-1), 'A1');

    await move(id, 'move-out', { date: '2020-01-01' }).expect(409);
    const out = await move(id, 'move-out', { date: day(0), note: '业主出售房屋' }).expect(200);
    expect(out.body).toMatchObject({ moveOutDate: day(0), occupied: false });
    expect(out.body.history).toEqual([expect.objectContaining({ kind: 'complaint' })]);
    expect((await move(id, 'move-out', { date: day(0) }).expect(409)).body.detail).toBe(`the household moved out already, on ${day(0)}`);
    expect(await pool(month(1), 'A1')).toBe(before - 1);

    await move(id, 'move-in', { date: day(-1) }).expect(409);
    const back = await move(id, 'move-in', { date: day(0), note: '新业主入住' }, 'S-BT1').expect(200);
    expect(back.body).toMatchObject({ moveInDate: day(0), moveOutDate: null, occupied: true, history: [expect.objectContaining({ kind: 'complaint' })] });

    const changes = (await request(stack.app).get(`/api/v1/households/${id}/changes`).set(as(stack, 'S-SV1')).expect(200)).body.items;
    expect(changes.map((c: { action: string; actorId: string }) => [c.action, c.actorId])).toEqual([
      ['moved-out', 'S-FD1'],
      ['moved-in', 'S-BT1'],
    ]);
    const audit = await stack.orm.em.getConnection().execute<{ action: string; actor_id: string }[]>(`select action, actor_id from admin_audit_event where action like 'household.%' order by id`);
    expect(audit).toEqual([
      { action: 'household.move-out', actor_id: 'S-FD1' },
      { action: 'household.move-in', actor_id: 'S-BT1' },
    ]);
    // Another area's butler does not find it; an engineer may not record moves.
    await move(id, 'move-out', { date: day(0) }, 'S-BT2').expect(404);
    await move(id, 'move-out', { date: day(0) }, 'S-EN1').expect(403);
  });
});

describe('finding a caller', () => {
  const search = (query: string, staffId = 'S-FD1') => request(stack.app).get(`/api/v1/households?${query}`).set(as(stack, staffId));

  it('by phone, partial and in any format, and by contact name — for the roles that see personal data', async () => {
    // The demo's 208th household: 4-2-1302, owner's phone 13810000207.
    for (const phone of ['13810000207', '+86 138 1000 0207', '0086-138-1000-0207', '0000207', '1000 0207']) {
      const res = await search(`phone=${encodeURIComponent(phone)}`).expect(200);
      expect({ phone, rooms: res.body.items.map((h: { room: string }) => h.room) }).toEqual({ phone, rooms: ['4-2-1302'] });
    }
    const found = await search('phone=0000207').expect(200);
    expect(found.body.items[0].contacts).toEqual([expect.objectContaining({ phone: '13810000207', relation: 'owner', primary: true })]);
    await request(stack.app)
      .post('/api/v1/households/P001-1-1-302/contacts')
      .set(as(stack, 'S-FD1'))
      .send({ name: '欧阳娜娜', phone: '13512345678', relation: 'tenant' })
      .expect(201);
    const byName = await search(`name=${encodeURIComponent('阳娜')}`).expect(200);
    expect(byName.body.items.map((h: { room: string }) => h.room)).toEqual(['1-1-302']);
    expect((await search(`name=${encodeURIComponent('阳娜')}&phone=135`).expect(200)).body.items).toHaveLength(1);
    expect((await search(`name=${encodeURIComponent('阳娜')}&phone=139`).expect(200)).body.items).toHaveLength(0);
    // Wildcards are searched for as characters.
    expect((await search(`name=${encodeURIComponent('%')}`).expect(200)).body.items).toEqual([]);
    // A butler finds only the callers of their areas; an engineer may not search by phone at all.
    expect((await search('phone=0000207', 'S-BT1').expect(200)).body.items).toEqual([]);
    expect((await search('phone=0000207', 'S-BT2').expect(200)).body.items).toHaveLength(1);
    await search('phone=0000207', 'S-EN1').expect(403);
    await search('phone=12', 'S-FD1').expect(400);
    // Listing by room is as it was: no personal data.
    const byRoom = await search('room=4-2-1302', 'S-EN1').expect(200);
    expect(byRoom.body.items[0].contacts).toBeUndefined();
  });
});

