/**
 * R2's work order goes to an engineer chosen from the read model (activities/cases.ts
 * `chooseEngineer`): one covering the case's area with the fewest open cases, skipping those who
 * already let this case lapse; ties break on id. Real Postgres, the demo property's staff.
 */
import { createCaseActivities } from '../../activities/cases';
import type { ActivityDeps } from '../../activities/deps';
import type { Orm } from '../../db/orm';
import { seededOrm } from '../helpers/stack';

let orm: Orm;
let activities: ReturnType<typeof createCaseActivities>;

beforeAll(async () => {
  orm = await seededOrm();
  activities = createCaseActivities({ orm } as ActivityDeps);
});
afterAll(async () => orm?.close(true));

const sql = (query: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(query, params);

let caseNo = 0;
/** A case held by `assigneeId`, open or closed. */
async function holding(assigneeId: string, closed = false): Promise<void> {
  const caseId = `EC${String(++caseNo).padStart(4, '0')}`;
  await activities.recordCase(
    { caseId, workflowId: `repair-${caseId}`, kind: 'repair', propertyId: 'P001', areaId: 'A1', channel: 'phone', status: 'dispatched', description: '测试', receivedAt: '2026-11-20T01:00:00Z', receivedBy: 'S-FD1' },
    { idempotencyKey: `repair-${caseId}:0`, action: 'received', actor: { staffId: 'S-FD1', role: 'frontdesk' }, at: '2026-11-20T01:00:00Z' },
  );
  await activities.appendCaseEvents([
    { caseId, seq: 1, idempotencyKey: `repair-${caseId}:1`, action: 'dispatched', actor: { staffId: 'system', role: 'system' }, at: '2026-11-20T01:01:00Z', patch: { assigneeId, ...(closed ? { status: 'closed', closedAt: '2026-11-20T02:00:00Z' } : {}) } },
  ]);
}

describe('R2: who gets the work order', () => {
  it('R2: the engineer of the area with the fewest open cases; closed cases do not count; ties go to the lower id', async () => {
    const choose = (exclude: string[] = []) => activities.chooseEngineer({ propertyId: 'P001', areaId: 'A1', exclude });
    expect(await choose()).toBe('S-EN1'); // nobody holds anything: the tie goes to S-EN1
    await holding('S-EN1');
    expect(await choose()).toBe('S-EN2');
    await holding('S-EN2');
    await holding('S-EN2', true);
    await holding('S-EN2', true);
    expect(await choose()).toBe('S-EN1'); // one open each; S-EN2's closed cases do not weigh
    await holding('S-EN1');
    expect(await choose()).toBe('S-EN2');
  });

  it('R2: an engineer who let the case lapse is skipped, unless nobody else covers the area', async () => {
    expect(await activities.chooseEngineer({ propertyId: 'P001', areaId: 'A1', exclude: ['S-EN2'] })).toBe('S-EN1');
    expect(await activities.chooseEngineer({ propertyId: 'P001', areaId: 'A1', exclude: ['S-EN1', 'S-EN2'] })).toMatch(/^S-EN[12]$/);
  });

  it('R2: an inactive engineer gets no work order; with no engineer at all the choice fails for good', async () => {
    await sql(`update staff set active = false where id = 'S-EN1'`);
    expect(await activities.chooseEngineer({ propertyId: 'P001', areaId: 'A1', exclude: [] })).toBe('S-EN2');
    await sql(`update staff set active = false where id = 'S-EN2'`);
    await expect(activities.chooseEngineer({ propertyId: 'P001', areaId: 'A1', exclude: [] })).rejects.toMatchObject({ type: 'NoEngineer', nonRetryable: true });
    await sql(`update staff set active = true where id in ('S-EN1', 'S-EN2')`);
  });
});
