/**
 * P3 credits a case's owner (owner_month_tally) on a real Postgres: the trigger on case_event counts
 * what the audit writers insert — the activity, a retried batch, plain SQL — credited as the
 * property is staffed when the event is written, and the migration's backfill counts what was there
 * before it. Both are held to the event-scanning oracle of test/helpers/owner-oracle.ts.
 */
import { Property, Staff } from '../../db/entities';
import { migrate, type Orm } from '../../db/orm';
import { createCaseActivities, type CaseEventInput, type CasePatch } from '../../activities/cases';
import { loadStaffResults } from '../../db/reports';
import type { ActivityDeps } from '../../activities/deps';
import type { Month } from '../../domain/reports';
import { ownerCredits } from '../helpers/owner-oracle';
import { seededOrm } from '../helpers/stack';

const SHANGHAI = { id: 'P001', timeZone: 'Asia/Shanghai' };
const LOS_ANGELES = { id: 'P002', timeZone: 'America/Los_Angeles' };

let orm: Orm;
let activities: ReturnType<typeof createCaseActivities>;

beforeAll(async () => {
  orm = await seededOrm();
  const em = orm.em.fork();
  em.create(Property, { id: LOS_ANGELES.id, name: 'Harbour View', timeZone: LOS_ANGELES.timeZone, policy: null, calendarOverrides: [], occupiedSince: null });
  // A second supervisor, one who left, and a second butler covering the east area (A1) besides its owner S-BT1.
  for (const [id, roles, areaIds, active] of [
    ['S-SV2', ['supervisor'], [], true],
    ['S-SV9', ['supervisor'], [], false],
    ['S-BT3', ['butler'], ['A1'], true],
  ] as const) {
    em.create(Staff, { id, propertyId: SHANGHAI.id, name: id, email: `${id.toLowerCase()}@demo.wuye.local`, roles: [...roles], areaIds: [...areaIds], active, apiKeyHash: null } as never);
  }
  await em.flush();
  activities = createCaseActivities({ orm } as ActivityDeps);
});
afterAll(async () => orm?.close(true));

const sql = <T>(query: string, params: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(query, params);

async function tally(propertyId: string, month: Month) {
  const rows = await sql<{ action: string; owner_id: string; count: number }>('select action, owner_id, count from owner_month_tally where property_id = ? and month = ? order by action, owner_id', [propertyId, month]);
  return rows.map((r) => ({ action: r.action, ownerId: r.owner_id, count: r.count }));
}

/** The oracle's rows in the tally's own terms. */
async function expected(propertyId: string, timeZone: string, month: Month) {
  const { events, visits } = await ownerCredits(orm, propertyId, timeZone, month);
  return [...events.map((e) => ({ ...e, ownerId: e.ownerId! })), ...visits.map((v) => ({ action: `visit-${v.outcome}`, ownerId: v.engineerId!, count: v.count }))].sort((a, b) => a.action.localeCompare(b.action) || a.ownerId.localeCompare(b.ownerId));
}

let caseNo = 0;
async function openCase(property: { id: string }, kind: string, options: { areaId?: string; severity?: string; complaintKind?: string } = {}): Promise<string> {
  const caseId = `U${String(++caseNo).padStart(4, '0')}`;
  await activities.recordCase(
    { caseId, workflowId: `${kind}-${caseId}`, kind, propertyId: property.id, areaId: options.areaId ?? 'A1', channel: 'phone', severity: options.severity, complaintKind: options.complaintKind, status: 'open', description: 'owner tally test', receivedAt: '2026-09-01T00:00:00Z', receivedBy: 'S-FD1' },
    { idempotencyKey: `${kind}-${caseId}:0`, action: 'received', actor: { staffId: 'S-FD1', role: 'frontdesk' }, at: '2026-09-01T00:00:00Z' },
  );
  return caseId;
}

const seqs = new Map<string, number>();
function event(caseId: string, action: string, at: string, payload: Record<string, unknown> = {}, patch?: CasePatch): CaseEventInput {
  const seq = (seqs.get(caseId) ?? 0) + 1;
  seqs.set(caseId, seq);
  return { caseId, seq, idempotencyKey: `case-${caseId}:${seq}`, action, actor: { staffId: 'system', role: 'system' }, at, payload, patch };
}

describe('P3 credits to a case’s owner', () => {
  it('P3: a general complaint nobody held is its area’s butlers’, an important or major one every active supervisor’s, a visit verdict its assignee’s; a held deadline stays its holder’s', async () => {
    const general = await openCase(SHANGHAI, 'complaint', { severity: 'general', complaintKind: 'customer' });
    const west = await openCase(SHANGHAI, 'complaint', { areaId: 'A2', severity: 'unclassified', complaintKind: 'customer' });
    const important = await openCase(SHANGHAI, 'complaint', { severity: 'important', complaintKind: 'customer' });
    const upgraded = await openCase(SHANGHAI, 'complaint', { severity: 'general', complaintKind: 'customer' });
    const visit = await openCase(SHANGHAI, 'return_visit', { areaId: 'A2' });
    const employee = await openCase(SHANGHAI, 'complaint', { severity: 'general', complaintKind: 'employee' });
    const batch = [
      event(general, 'deadline-met', '2026-10-10T02:00:00Z', { deadline: 'respond', ownerId: null }),
      event(general, 'deadline-missed', '2026-10-11T02:00:00Z', { deadline: 'resolve' }),
      event(general, 'escalated', '2026-10-11T02:00:00Z', { deadline: 'resolve', ownerId: null }),
      // Someone held it: their own deadline (staff_month_tally's), nobody else's.
      event(general, 'deadline-met', '2026-10-12T02:00:00Z', { deadline: 'firstReply', ownerId: 'S-BT1' }),
      event(general, 'recordReturnVisit', '2026-10-13T02:00:00Z', { method: 'phone', satisfied: true }),
    ];
    await activities.appendCaseEvents(batch);
    // The activity timed out after its commit and runs again: nothing counts twice.
    await activities.appendCaseEvents(batch);
    await activities.appendCaseEvents([
      event(west, 'deadline-missed', '2026-10-10T02:00:00Z', { deadline: 'respond' }),
      event(important, 'deadline-missed', '2026-10-10T02:00:00Z', { deadline: 'resolve' }),
      event(important, 'recordReturnVisit', '2026-10-14T02:00:00Z', { method: 'phone', answered: false }),
      event(important, 'recordReturnVisit', '2026-10-15T02:00:00Z', { method: 'phone', satisfied: false }),
      // The complaint becomes major in the same write as the miss: the owner is the one at the commit.
      event(upgraded, 'upgraded-to-major', '2026-10-16T02:00:00Z', { reason: 'unresolved-a-week' }, { severity: 'major', assigneeId: 'S-SV1' }),
      event(upgraded, 'deadline-missed', '2026-10-16T02:00:00Z', { deadline: 'resolve' }),
      // Its visit verdict goes to whoever it was assigned to.
      event(upgraded, 'recordReturnVisit', '2026-10-17T02:00:00Z', { method: 'phone', answered: true, satisfied: true }),
      event(visit, 'deadline-met', '2026-10-18T02:00:00Z', { deadline: 'visit', rule: 'R9', ownerId: null }),
      event(employee, 'deadline-missed', '2026-10-18T02:00:00Z', { deadline: 'resolve' }),
    ]);

    expect(await tally(SHANGHAI.id, '2026-10')).toEqual([
      // general (A1): its owner S-BT1 and S-BT3 who covers A1.
      { action: 'deadline-met', ownerId: 'S-BT1', count: 1 },
      { action: 'deadline-met', ownerId: 'S-BT2', count: 1 }, // the return visit in A2
      { action: 'deadline-met', ownerId: 'S-BT3', count: 1 },
      // general and west (A2, not yet classified): their butlers; important and upgraded: S-SV1 and S-SV2, not S-SV9 who left.
      { action: 'deadline-missed', ownerId: 'S-BT1', count: 1 },
      { action: 'deadline-missed', ownerId: 'S-BT2', count: 1 },
      { action: 'deadline-missed', ownerId: 'S-BT3', count: 1 },
      { action: 'deadline-missed', ownerId: 'S-SV1', count: 2 },
      { action: 'deadline-missed', ownerId: 'S-SV2', count: 2 },
      { action: 'escalated', ownerId: 'S-BT1', count: 1 },
      { action: 'escalated', ownerId: 'S-BT3', count: 1 },
      { action: 'visit-satisfied', ownerId: 'S-BT1', count: 1 },
      { action: 'visit-satisfied', ownerId: 'S-BT3', count: 1 },
      { action: 'visit-satisfied', ownerId: 'S-SV1', count: 1 }, // the upgraded one's assignee
      { action: 'visit-unsatisfied', ownerId: 'S-SV1', count: 1 },
      { action: 'visit-unsatisfied', ownerId: 'S-SV2', count: 1 },
    ]);
    expect(await tally(SHANGHAI.id, '2026-10')).toEqual(await expected(SHANGHAI.id, SHANGHAI.timeZone, '2026-10'));

    // The report: S-BT1 met 1 (held) + 1 (owned), missed 1, escalated 1, 1 visit satisfied.
    const report = await loadStaffResults(orm, SHANGHAI.id, '2026-10');
    expect(report.staff.find((s) => s.staffId === 'S-BT1')).toEqual({
      staffId: 'S-BT1', deadlinesMet: 2, deadlinesMissed: 1, metRate: 0.667, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 0, satisfactionRate: 1, escalationsCaused: 1,
    });
    expect(report.staff.find((s) => s.staffId === 'S-SV2')).toMatchObject({ deadlinesMissed: 2, returnVisitsUnsatisfied: 1, satisfactionRate: 0 });
  });

  it('P3: the maintained and the backfilled credits equal the event-scanning oracle over a mixed data set', async () => {
    const cases = [
      await openCase(SHANGHAI, 'complaint', { severity: 'general', complaintKind: 'customer' }),
      await openCase(SHANGHAI, 'complaint', { areaId: 'A2', severity: 'major', complaintKind: 'customer' }),
      await openCase(SHANGHAI, 'complaint', { severity: 'important', complaintKind: 'report' }),
      await openCase(SHANGHAI, 'return_visit', { areaId: 'A2' }),
      await openCase(SHANGHAI, 'repair'),
      await openCase(SHANGHAI, 'request', { areaId: 'A2' }),
      await openCase(LOS_ANGELES, 'complaint', { severity: 'general', complaintKind: 'customer' }),
    ];
    const actions = ['deadline-met', 'deadline-missed', 'escalated', 'recordReturnVisit', 'sla-warning', 'deadline-set'];
    const payloads: Record<string, unknown>[] = [{}, { ownerId: null }, { ownerId: 'S-EN1' }, { answered: false }, { satisfied: true }, { satisfied: false, ownerId: '' }];
    const edges = ['2026-09-30T15:30:00Z', '2026-09-30T16:30:00Z', '2026-11-01T06:59:00Z', '2026-11-01T07:01:00Z'];
    const events: CaseEventInput[] = [];
    for (let i = 0; i < 240; i++) {
      const at = i < edges.length * 3 ? edges[i % edges.length] : new Date(Date.parse('2026-09-02T00:00:00Z') + i * 9.1 * 3_600_000).toISOString();
      events.push(event(cases[(i * 5) % cases.length], actions[(i * 7) % actions.length], at, { deadline: 'resolve', ...payloads[(i * 3) % payloads.length] }));
    }
    for (let i = 0; i < events.length; i += 4) {
      const batch = events.slice(i, i + 4);
      if (i % 8 === 0) await activities.appendCaseEvents(batch);
      else
        await sql(
          `insert into case_event (case_id, seq, idempotency_key, action, actor_id, actor_role, at, payload)
           select e->>'caseId', (e->>'seq')::int, e->>'idempotencyKey', e->>'action', 'system', 'system', (e->>'at')::timestamptz, e->'payload'
             from jsonb_array_elements(?::jsonb) e`,
          [JSON.stringify(batch)],
        );
    }
    const months = ['2026-09', '2026-10', '2026-11', '2026-12'];
    const properties = [SHANGHAI, LOS_ANGELES];
    const oracle = new Map<string, Awaited<ReturnType<typeof expected>>>();
    for (const p of properties) {
      for (const month of months) {
        const rows = await expected(p.id, p.timeZone, month);
        oracle.set(`${p.id} ${month}`, rows);
        expect({ at: `${p.id} ${month}`, rows: await tally(p.id, month) }).toEqual({ at: `${p.id} ${month}`, rows });
      }
    }
    const all = [...oracle.values()].flat();
    expect(new Set(all.map((r) => r.action))).toEqual(new Set(['deadline-met', 'deadline-missed', 'escalated', 'visit-satisfied', 'visit-unsatisfied']));
    expect(new Set(all.map((r) => r.ownerId))).toEqual(new Set(['S-BT1', 'S-BT2', 'S-BT3', 'S-SV1', 'S-SV2']));

    // An existing database upgrading: the migration's backfill counts what is already in case_event.
    const migrator = orm.getMigrator();
    const own = (await migrator.getExecutedMigrations()).map((m) => m.name).filter((name) => name.includes('owner-month-tally'));
    expect(own).toHaveLength(1);
    await migrator.down({ migrations: own });
    expect(await sql(`select to_regclass('owner_month_tally') as t`)).toEqual([{ t: null }]);
    await migrate(orm);
    for (const p of properties) {
      for (const month of months) {
        expect({ at: `${p.id} ${month}`, rows: await tally(p.id, month) }).toEqual({ at: `${p.id} ${month}`, rows: oracle.get(`${p.id} ${month}`) });
      }
    }
  });
});
