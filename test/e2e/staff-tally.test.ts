/**
 * P3's per-month tally (staff_month_tally) on a real Postgres: the trigger on case_event counts what
 * the audit writers insert — the activity, a retried batch, plain SQL — and the migration's backfill
 * counts what was there before it. Both must equal what P3 computed before the tally existed: the
 * event-scanning query below, kept here as the oracle.
 */
import { Property } from '../../db/entities';
import { migrate, type Orm } from '../../db/orm';
import { createCaseActivities, type CaseEventInput } from '../../activities/cases';
import { loadStaffResults } from '../../db/reports';
import type { ActivityDeps } from '../../activities/deps';
import { localMonth, monthRange, staffResultsFromCounts, type Month, type StaffEventCount } from '../../domain/reports';
import { ownerCredits } from '../helpers/owner-oracle';
import { seededOrm } from '../helpers/stack';

const SHANGHAI = { id: 'P001', timeZone: 'Asia/Shanghai' };
/** A property whose month ends 7–8 hours after UTC's (and 15–16 hours after Shanghai's). */
const LOS_ANGELES = { id: 'P002', timeZone: 'America/Los_Angeles' };
const TALLIED = ['deadline-met', 'deadline-missed', 'escalated'];

let orm: Orm;
let activities: ReturnType<typeof createCaseActivities>;

beforeAll(async () => {
  orm = await seededOrm();
  const em = orm.em.fork();
  em.create(Property, { id: LOS_ANGELES.id, name: 'Harbour View', timeZone: LOS_ANGELES.timeZone, policy: null, calendarOverrides: [], occupiedSince: null });
  await em.flush();
  activities = createCaseActivities({ orm } as ActivityDeps);
});
afterAll(async () => orm?.close(true));

const sql = <T>(query: string, params: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(query, params);

/** What P3 counted before the tally: the month's events, scanned and grouped per request. */
async function oracle(propertyId: string, timeZone: string, month: Month): Promise<StaffEventCount[]> {
  const { from, to } = monthRange(month, timeZone);
  const rows = await sql<{ action: string; owner_id: string | null; count: number }>(
    `select e.action, e.payload->>'ownerId' as owner_id, count(*)::int as count
       from case_event e join service_case c on c.id = e.case_id
      where e.action in ('deadline-met', 'deadline-missed', 'escalated') and e.at >= ? and e.at < ?
        and c.property_id = ? and (c.complaint_kind is null or c.complaint_kind = 'customer')
      group by e.action, owner_id`,
    [from, to, propertyId],
  );
  return sorted(rows.map((r) => ({ action: r.action, ownerId: r.owner_id, count: r.count })));
}

async function tally(propertyId: string, month: Month): Promise<StaffEventCount[]> {
  const rows = await sql<{ action: string; owner_id: string; count: number }>(
    'select action, owner_id, count from staff_month_tally where property_id = ? and month = ?',
    [propertyId, month],
  );
  return sorted(rows.map((r) => ({ action: r.action, ownerId: r.owner_id || null, count: r.count })));
}

const sorted = (rows: StaffEventCount[]) =>
  [...rows].sort((a, b) => a.action.localeCompare(b.action) || String(a.ownerId).localeCompare(String(b.ownerId)));

let caseNo = 0;
/** A case recorded through the activity the workflows use; returns its id. */
async function openCase(property: { id: string }, kind: string, complaintKind?: string): Promise<string> {
  const caseId = `T${String(++caseNo).padStart(4, '0')}`;
  await activities.recordCase(
    { caseId, workflowId: `${kind}-${caseId}`, kind, propertyId: property.id, areaId: 'A1', channel: 'phone', complaintKind, status: 'open', description: 'tally test', receivedAt: '2026-09-01T00:00:00Z', receivedBy: 'S-FD1' },
    { idempotencyKey: `${kind}-${caseId}:0`, action: 'received', actor: { staffId: 'S-FD1', role: 'frontdesk' }, at: '2026-09-01T00:00:00Z' },
  );
  return caseId;
}

const seqs = new Map<string, number>();
/** An audit event as the workflow's CaseTracker hands it to appendCaseEvents. */
function event(caseId: string, action: string, at: string, ownerId?: string | null): CaseEventInput {
  const seq = (seqs.get(caseId) ?? 0) + 1;
  seqs.set(caseId, seq);
  return {
    caseId,
    seq,
    idempotencyKey: `case-${caseId}:${seq}`,
    action,
    actor: { staffId: 'system', role: 'system' },
    at,
    payload: ownerId === undefined ? { deadline: 'accept' } : { deadline: 'accept', ownerId },
  };
}

describe('P3 staff month tally', () => {
  it('P3: a retried batch of audit events counts once', async () => {
    const repair = await openCase(SHANGHAI, 'repair');
    const batch = [
      event(repair, 'deadline-missed', '2026-09-10T02:00:00Z', 'S-EN1'),
      event(repair, 'escalated', '2026-09-10T02:00:00Z', 'S-EN1'),
      event(repair, 'deadline-set', '2026-09-10T02:00:00Z'),
    ];
    await activities.appendCaseEvents(batch);
    // The activity timed out after its commit and runs again; the next write carries one more event.
    await activities.appendCaseEvents(batch);
    await activities.appendCaseEvents([...batch, event(repair, 'deadline-met', '2026-09-10T03:00:00Z', 'S-EN1')]);
    await activities.appendCaseEvent(batch[0]);

    expect(await tally(SHANGHAI.id, '2026-09')).toEqual([
      { action: 'deadline-met', ownerId: 'S-EN1', count: 1 },
      { action: 'deadline-missed', ownerId: 'S-EN1', count: 1 },
      { action: 'escalated', ownerId: 'S-EN1', count: 1 },
    ]);
    expect(await tally(SHANGHAI.id, '2026-09')).toEqual(await oracle(SHANGHAI.id, SHANGHAI.timeZone, '2026-09'));
  });

  it('P3: the deadline events of an employee complaint or a whistle-blowing report are not counted, a customer complaint’s are', async () => {
    const before = await tally(LOS_ANGELES.id, '2026-09');
    for (const complaintKind of ['employee', 'report']) {
      const confidential = await openCase(LOS_ANGELES, 'complaint', complaintKind);
      await activities.appendCaseEvents([
        event(confidential, 'deadline-missed', '2026-09-12T18:00:00Z', 'S-SV1'),
        event(confidential, 'escalated', '2026-09-12T18:00:00Z', 'S-SV1'),
      ]);
    }
    expect(await tally(LOS_ANGELES.id, '2026-09')).toEqual(before);

    const customer = await openCase(LOS_ANGELES, 'complaint', 'customer');
    await activities.appendCaseEvents([event(customer, 'deadline-missed', '2026-09-12T18:00:00Z', 'S-SV1')]);
    expect(await tally(LOS_ANGELES.id, '2026-09')).toEqual([...before, { action: 'deadline-missed', ownerId: 'S-SV1', count: 1 }]);
  });

  it('P3: an event late on the last day of a local month counts in that month, not in the UTC month it falls in', async () => {
    const repair = await openCase(LOS_ANGELES, 'repair');
    // 23:30 on 31 October in Los Angeles (PDT) is 06:30 on 1 November in UTC.
    const lateOnTheLastDay = '2026-11-01T06:30:00Z';
    expect(localMonth(new Date(lateOnTheLastDay), LOS_ANGELES.timeZone)).toBe('2026-10');
    await activities.appendCaseEvents([event(repair, 'deadline-met', lateOnTheLastDay, 'S-EN2')]);

    expect(await tally(LOS_ANGELES.id, '2026-10')).toEqual([{ action: 'deadline-met', ownerId: 'S-EN2', count: 1 }]);
    expect(await tally(LOS_ANGELES.id, '2026-11')).toEqual([]);
    const october = await loadStaffResults(orm, LOS_ANGELES.id, '2026-10');
    expect(october.staff).toEqual([expect.objectContaining({ staffId: 'S-EN2', deadlinesMet: 1, deadlinesMissed: 0 })]);
    expect((await loadStaffResults(orm, LOS_ANGELES.id, '2026-11')).staff).toEqual([]);
  });

  it('P3: the maintained and the backfilled tally equal the old event-scanning query over a mixed data set', async () => {
    await writeMixedMonths();
    const months = ['2026-08', '2026-09', '2026-10', '2026-11', '2026-12', '2027-01'];
    const properties = [SHANGHAI, LOS_ANGELES];
    const expected = new Map<string, StaffEventCount[]>();
    for (const p of properties) {
      for (const month of months) {
        const counted = await oracle(p.id, p.timeZone, month);
        expected.set(`${p.id} ${month}`, counted);
        expect({ at: `${p.id} ${month}`, rows: await tally(p.id, month) }).toEqual({ at: `${p.id} ${month}`, rows: counted });
      }
    }
    // The data set is not trivial: both properties, several months, owners and nobody.
    const all = [...expected.values()].flat();
    expect([...new Set(all.map((r) => r.ownerId))]).toEqual(expect.arrayContaining(['S-EN1', 'S-EN2', 'S-BT1', null]));
    expect(new Set(all.map((r) => r.action))).toEqual(new Set(TALLIED));
    expect([...expected.entries()].filter(([, rows]) => rows.length > 0).length).toBeGreaterThanOrEqual(8);

    // The report reads the tally and computes with the one function P3 has always used, with what
    // owner_month_tally credits to a case's owner when no one held it (test/helpers/owner-oracle.ts).
    for (const p of properties) {
      for (const month of months) {
        const report = await loadStaffResults(orm, p.id, month);
        const credits = await ownerCredits(orm, p.id, p.timeZone, month);
        const fromEvents = staffResultsFromCounts({ propertyId: p.id, month, timeZone: p.timeZone, events: [...expected.get(`${p.id} ${month}`)!, ...credits.events], visits: credits.visits });
        expect(report).toEqual(fromEvents);
      }
    }

    // An existing database upgrading: the migration's backfill counts what is already in case_event.
    const migrator = orm.getMigrator();
    const tallyMigration = (await migrator.getExecutedMigrations()).map((m) => m.name).filter((name) => name.includes('staff-month-tally'));
    expect(tallyMigration).toHaveLength(1);
    await migrator.down({ migrations: tallyMigration });
    expect(await sql(`select to_regclass('staff_month_tally') as t`)).toEqual([{ t: null }]);
    await migrate(orm);
    for (const p of properties) {
      for (const month of months) {
        expect({ at: `${p.id} ${month}`, rows: await tally(p.id, month) }).toEqual({ at: `${p.id} ${month}`, rows: expected.get(`${p.id} ${month}`) });
      }
    }
  });
});

/**
 * Four months of events over both properties, written the three ways case_event is written: the
 * audit activity (in batches, some retried), the plain insert of a generated month (reports e2e
 * test, bench), and rows for cases of every kind — repairs, customer and confidential complaints —
 * with owners, null owners and events that predate owners; some land on a month's first or last hour.
 */
async function writeMixedMonths(): Promise<void> {
  const cases = [
    await openCase(SHANGHAI, 'repair'),
    await openCase(SHANGHAI, 'repair'),
    await openCase(SHANGHAI, 'complaint', 'customer'),
    await openCase(SHANGHAI, 'complaint', 'employee'),
    await openCase(LOS_ANGELES, 'repair'),
    await openCase(LOS_ANGELES, 'complaint', 'report'),
    await openCase(LOS_ANGELES, 'patrol_finding'),
  ];
  const actions = [...TALLIED, 'sla-warning', 'deadline-set', 'accepted'];
  const owners: (string | null | undefined)[] = ['S-EN1', 'S-EN2', 'S-BT1', null, undefined];
  // Month edges: the last and first hours of months in Shanghai (UTC+8), UTC and Los Angeles (UTC−7/−8).
  const edges = ['2026-09-30T15:30:00Z', '2026-09-30T16:30:00Z', '2026-10-31T23:59:59Z', '2026-11-01T06:59:00Z', '2026-11-01T07:01:00Z', '2026-12-01T07:59:00Z', '2026-12-01T08:00:00Z', '2026-12-31T16:00:00Z'];
  const start = Date.parse('2026-08-25T00:00:00Z');
  const events: CaseEventInput[] = [];
  for (let i = 0; i < 360; i++) {
    const at = i < edges.length * 4 ? edges[i % edges.length] : new Date(start + i * 7.3 * 3_600_000).toISOString();
    events.push(event(cases[(i * 5) % cases.length], actions[(i * 7) % actions.length], at, owners[(i * 3) % owners.length]));
  }
  const byActivity = events.filter((_, i) => i % 3 !== 2);
  const byInsert = events.filter((_, i) => i % 3 === 2);
  // The activity writes one case's batch in seq order; every fourth batch is retried.
  for (const caseId of cases) {
    const own = byActivity.filter((e) => e.caseId === caseId);
    for (let i = 0, n = 0; i < own.length; i += 1 + (n % 4), n++) {
      const batch = own.slice(i, i + 1 + (n % 4));
      await activities.appendCaseEvents(batch);
      if (n % 4 === 0) await activities.appendCaseEvents(batch);
    }
  }
  // A generated month goes in as one statement, as bench:reads seeds.
  await sql(
    `insert into case_event (case_id, seq, idempotency_key, action, actor_id, actor_role, at, payload)
     select e->>'caseId', (e->>'seq')::int, e->>'idempotencyKey', e->>'action', 'system', 'system', (e->>'at')::timestamptz, e->'payload'
       from jsonb_array_elements(?::jsonb) e`,
    [JSON.stringify(byInsert)],
  );
}
