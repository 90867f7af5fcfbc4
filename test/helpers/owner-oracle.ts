/**
 * What P3 credits to a case's owner, worked out from the audit log and the staff as they are now,
 * by scanning a month's events in TypeScript: the oracle the owner_month_tally trigger and its
 * backfill are held to (test/e2e/owner-tally.test.ts, test/e2e/staff-tally.test.ts).
 *
 * The rule (docs/rules.md P3): a deadline outcome or escalation whose event names no holder goes to
 * the case's owner — every active supervisor of the property for an important or major complaint,
 * else the butlers of the case's area (its owner, or who covers it); a complaint's answered return
 * visit goes to its assignee, else to the same owners. Employee complaints and reports count nowhere.
 */
import type { Orm } from '../../db/orm';
import { monthRange, type Month, type ReturnVisitCount, type StaffEventCount } from '../../domain/reports';

const TALLIED = ['deadline-met', 'deadline-missed', 'escalated'];

export async function ownerCredits(orm: Orm, propertyId: string, timeZone: string, month: Month): Promise<{ events: StaffEventCount[]; visits: ReturnVisitCount[] }> {
  const sql = <T>(query: string, params: unknown[]) => orm.em.fork().getConnection().execute<T[]>(query, params);
  const { from, to } = monthRange(month, timeZone);
  const events = await sql<{ action: string; payload: Record<string, unknown>; kind: string; severity: string | null; area_id: string; assignee_id: string | null; complaint_kind: string | null }>(
    `select e.action, e.payload, c.kind, c.severity, c.area_id, c.assignee_id, c.complaint_kind
       from case_event e join service_case c on c.id = e.case_id
      where c.property_id = ? and e.at >= ? and e.at < ?`,
    [propertyId, from, to],
  );
  const staff = await sql<{ id: string; roles: string[]; area_ids: string[]; active: boolean }>('select id, roles, area_ids, active from staff where property_id = ?', [propertyId]);
  const areas = await sql<{ id: string; butler_id: string | null }>('select id, butler_id from area where property_id = ?', [propertyId]);
  const owners = (e: (typeof events)[number]): string[] => {
    const senior = e.kind === 'complaint' && (e.severity === 'important' || e.severity === 'major');
    return staff
      .filter((s) => s.active)
      .filter((s) =>
        senior ? s.roles.includes('supervisor') : s.roles.includes('butler') && (s.area_ids.includes(e.area_id) || areas.find((a) => a.id === e.area_id)?.butler_id === s.id),
      )
      .map((s) => s.id);
  };
  const counted = new Map<string, number>();
  const add = (action: string, ownerId: string) => counted.set(`${action}|${ownerId}`, (counted.get(`${action}|${ownerId}`) ?? 0) + 1);
  for (const e of events) {
    if (e.complaint_kind && e.complaint_kind !== 'customer') continue;
    if (TALLIED.includes(e.action) && !e.payload.ownerId) for (const o of owners(e)) add(e.action, o);
    if (e.action === 'recordReturnVisit' && e.kind === 'complaint' && e.payload.answered !== false) {
      for (const o of e.assignee_id ? [e.assignee_id] : owners(e)) add(e.payload.satisfied === true ? 'visit-satisfied' : 'visit-unsatisfied', o);
    }
  }
  const rows = [...counted.entries()].map(([key, count]) => {
    const [action, ownerId] = key.split('|');
    return { action, ownerId, count };
  });
  const verdicts = { 'visit-satisfied': 'satisfied', 'visit-unsatisfied': 'unsatisfied' } as Record<string, string>;
  return {
    events: rows.filter((r) => !verdicts[r.action]).sort((a, b) => a.action.localeCompare(b.action) || a.ownerId.localeCompare(b.ownerId)),
    visits: rows.filter((r) => verdicts[r.action]).map((r) => ({ outcome: verdicts[r.action], engineerId: r.ownerId, count: r.count })),
  };
}
