/**
 * P3 read from Postgres for the API (never Temporal visibility): the month's deadline outcomes,
 * escalations and return visits are counted per staff member by the database, so a request moves
 * a handful of rows instead of every event of the month.
 */
import { staffResultsFromCounts, monthRange, type Month, type StaffResults } from '../domain/reports';
import { Property } from './entities';
import type { Orm } from './orm';

/** Cases every report may count: not an employee complaint nor a whistle-blowing report (C2). */
const NOT_CONFIDENTIAL = `(c.complaint_kind is null or c.complaint_kind = 'customer')`;

/** P3 for a property-local month: the counts of what the workflows recorded, per staff member. */
export async function loadStaffResults(orm: Orm, propertyId: string, month: Month): Promise<StaffResults> {
  const em = orm.em.fork();
  const { timeZone } = await em.findOneOrFail(Property, { id: propertyId }, { fields: ['timeZone'] });
  // The local month's bounds are computed once, so the range is a plain index condition on case_event (action, at).
  const { from, to } = monthRange(month, timeZone);
  const connection = em.getConnection();
  const [events, visits] = await Promise.all([
    connection.execute<{ action: string; owner_id: string | null; count: number }[]>(
      `select e.action, e.payload->>'ownerId' as owner_id, count(*)::int as count
         from case_event e join service_case c on c.id = e.case_id
        where e.action in ('deadline-met', 'deadline-missed', 'escalated') and e.at >= ? and e.at < ?
          and c.property_id = ? and ${NOT_CONFIDENTIAL}
        group by e.action, owner_id`,
      [from, to, propertyId],
    ),
    connection.execute<{ outcome: string | null; engineer_id: string | null; count: number }[]>(
      `select v.outcome, c.assignee_id as engineer_id, count(*)::int as count
         from service_case v
         join service_case c on c.id = (select l->>'caseId' from jsonb_array_elements(v.links) l where l->>'relation' = 'parent' limit 1)
        where v.property_id = ? and v.kind = 'return_visit' and c.kind = 'repair' and v.closed_at >= ? and v.closed_at < ?
        group by v.outcome, engineer_id`,
      [propertyId, from, to],
    ),
  ]);
  return staffResultsFromCounts({
    propertyId,
    month,
    timeZone,
    events: events.map((e) => ({ action: e.action, ownerId: e.owner_id, count: e.count })),
    visits: visits.map((v) => ({ outcome: v.outcome, engineerId: v.engineer_id, count: v.count })),
  });
}
