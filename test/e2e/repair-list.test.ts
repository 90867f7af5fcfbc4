/** Lists of repairs come from the read model: filters, a stable cursor order, a page-size cap. */
import request from 'supertest';
import { as, assigneeOf, caseRow, repairAction, report, usePolicy } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack();
  await usePolicy(stack, 60); // accept in 30 s: nothing escalates while the list is read
  ids.urgentA1 = await report(stack, { room: '1-1-301', classification: 'urgent', tags: ['water'] });
  ids.generalA1 = await report(stack, { room: '1-2-402', classification: 'general' });
  ids.generalA2 = await report(stack, { room: '3-1-502', classification: 'general' });
  ids.invalidA2 = await report(stack, { room: '4-2-1301', classification: 'general' });
  for (const id of Object.values(ids)) await assigneeOf(stack, id);
  await repairAction(stack, ids.invalidA2, 'markInvalid', 'S-BT2', { reason: '非保修范围' }).expect(200);
  await caseRow(stack, ids.invalidA2, (r) => r.status === 'invalid', 'invalid');
});
afterAll(async () => stack?.close());

const list = (query: string, staffId = 'S-SV1') => request(stack.app).get(`/api/v1/repairs${query}`).set(as(stack, staffId));
const caseIds = (body: { items: { caseId: string }[] }) => body.items.map((i) => i.caseId);

describe('repair lists', () => {
  it('R12: filters by status, class, area, assignee and overdue, newest first', async () => {
    expect(caseIds((await list('').expect(200)).body)).toEqual([ids.invalidA2, ids.generalA2, ids.generalA1, ids.urgentA1]);
    expect(caseIds((await list('?status=invalid').expect(200)).body)).toEqual([ids.invalidA2]);
    expect(caseIds((await list('?classification=urgent').expect(200)).body)).toEqual([ids.urgentA1]);
    expect(caseIds((await list('?areaId=A1').expect(200)).body).sort()).toEqual([ids.generalA1, ids.urgentA1].sort());
    const assignee = (await caseRow(stack, ids.generalA1, () => true, 'row')).assigneeId!;
    const mine = caseIds((await list(`?assigneeId=${assignee}&status=dispatched`).expect(200)).body);
    expect(mine).toContain(ids.generalA1);
    expect(caseIds((await list('?overdue=true').expect(200)).body)).toEqual([]);
    expect(caseIds((await list('?overdue=false&status=dispatched').expect(200)).body)).toHaveLength(3);
  });

  it('pages with an opaque cursor in a stable order and caps the page size', async () => {
    const first = (await list('?limit=3').expect(200)).body;
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await list(`?limit=3&cursor=${first.nextCursor}`).expect(200)).body;
    expect(caseIds(second)).toEqual([ids.urgentA1]);
    expect(second.nextCursor).toBeNull();
    const problem = (await list('?limit=1000').expect(400)).body;
    expect(problem['invalid-params']).toEqual([expect.objectContaining({ name: 'limit', in: 'query' })]);
    await list('?cursor=not-a-cursor').expect(400);
    await list('?colour=blue').expect(400);
  });

  it('a list shows no resident names or phones, and is not for roles outside the service centre', async () => {
    const body = JSON.stringify((await list('').expect(200)).body);
    expect(body).not.toMatch(/李女士|1390013900/);
    await list('', 'S-HR1').expect(403);
  });
});
