/**
 * docs/rules.md §0: a butler owns an area (片区). They see — and act on — the repairs and return
 * visits of their own areas only; another area's case does not exist for them (404). Front desk,
 * call centre, supervisors and managers see the whole property.
 */
import request from 'supertest';
import { Area, Case } from '../../db/entities';
import { createStaff, issueKey } from '../../db/staff-admin';
import { as, caseRow, report } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let east: string; // 1-1-301 is in building 1, area A1 (butler S-BT1)
let west: string; // 3-1-502 is in building 3, area A2 (butler S-BT2)

beforeAll(async () => {
  stack = await startTestStack();
  east = await report(stack, { room: '1-1-301' });
  west = await report(stack, { room: '3-1-502' });
  // The list and the lookups read the read model, which the workflows' activities write.
  for (const id of [east, west]) await caseRow(stack, id, () => true, 'in the read model');
});
afterAll(async () => stack?.close());

const listed = async (staffId: string, query = '') =>
  ((await request(stack.app).get(`/api/v1/repairs${query}`).set(as(stack, staffId)).expect(200)).body.items as { caseId: string }[]).map((c) => c.caseId);

describe('a butler sees the cases of their own areas', () => {
  it('the repair list of a butler holds their areas only, whatever the filter', async () => {
    expect(await listed('S-BT1')).toEqual([east]);
    expect(await listed('S-BT2')).toEqual([west]);
    expect(await listed('S-BT1', '?areaId=A2')).toEqual([]);
    for (const everyone of ['S-FD1', 'S-SV1', 'S-MG1', 'S-CC1']) expect((await listed(everyone)).sort()).toEqual([east, west].sort());
  });

  it("another area's repair is 404 for a butler, to view and to act on; their own is not", async () => {
    await request(stack.app).get(`/api/v1/repairs/${east}`).set(as(stack, 'S-BT1')).expect(200);
    const hidden = await request(stack.app).get(`/api/v1/repairs/${west}`).set(as(stack, 'S-BT1')).expect(404);
    expect(hidden.headers['content-type']).toMatch(/problem\+json/);
    await request(stack.app).post(`/api/v1/repairs/${west}/recordUnfinishedReason`).set(as(stack, 'S-BT1')).send({ reason: '等配件' }).expect(404);
    await request(stack.app).post(`/api/v1/repairs/${east}/recordUnfinishedReason`).set(as(stack, 'S-BT1')).send({ reason: '等配件' }).expect(200);
    await request(stack.app).get(`/api/v1/repairs/${west}`).set(as(stack, 'S-FD1')).expect(200);
  });

  it("the return visits of another butler's area are 404 too", async () => {
    const visit = `RV-${west}-1`;
    await stack.orm.em.fork().insert(Case, {
      id: visit, workflowId: `return-visit-${visit}-gone`, kind: 'return_visit', propertyId: stack.seed.propertyId, areaId: 'A2',
      channel: 'phone', status: 'satisfied', description: '回访', receivedAt: new Date(), receivedBy: 'system', closedAt: new Date(), updatedAt: new Date(),
    });
    await request(stack.app).get(`/api/v1/return-visits/${visit}`).set(as(stack, 'S-BT2')).expect(200);
    await request(stack.app).get(`/api/v1/return-visits/${visit}`).set(as(stack, 'S-BT1')).expect(404);
    await request(stack.app).post(`/api/v1/return-visits/${visit}/recordCall`).set(as(stack, 'S-BT1')).send({ answered: false, method: 'phone' }).expect(404);
    await request(stack.app).get(`/api/v1/return-visits/${visit}`).set(as(stack, 'S-SV1')).expect(200);
  });

  it('an area that names a butler as its butler is theirs even if their staff record does not list it', async () => {
    const em = stack.orm.em.fork();
    await createStaff(em, stack.seed.propertyId, { id: 'S-BT6', name: '管家 新', email: 's-bt6@demo.wuye.local', roles: ['butler'], areaIds: [] });
    const key = (await issueKey(em, stack.seed.propertyId, 'S-BT6'))!;
    const bearer = { Authorization: `Bearer ${key}` };
    expect((await request(stack.app).get('/api/v1/repairs').set(bearer).expect(200)).body.items).toEqual([]);
    await em.nativeUpdate(Area, { id: 'A2' }, { butlerId: 'S-BT6' });
    expect((await request(stack.app).get('/api/v1/repairs').set(bearer).expect(200)).body.items.map((c: { caseId: string }) => c.caseId)).toEqual([west]);
    await request(stack.app).get(`/api/v1/repairs/${west}`).set(bearer).expect(200);
  });
});
