/**
 * What the policy preview reads: the cases of a property with a deadline outcome in a period, each
 * with its whole audit log and the policy version it ran on, and the property's calendar over the
 * period. Read only.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CalendarSnapshot } from '../domain/calendar';
import { buildCalendarSnapshot } from '../domain/calendar-data';
import { parsePolicy } from '../domain/policy';
import type { RecordedCase, RecordedEvent } from '../domain/policy-preview';
import { calendarSources, localYear } from './calendar-store';
import { policyVersions } from './policy-store';

/** More cases than this in one period is a question for a smaller period, not for one request. */
export const MAX_PREVIEW_CASES = 50_000;

export async function recordedCases(em: EntityManager, propertyId: string, from: Date, to: Date): Promise<{ cases: RecordedCase[]; truncated: boolean }> {
  const rows = await em.execute<
    { case_id: string; kind: string; received_at: string | Date; seq: number; action: string; actor_id: string; actor_role: string; at: string | Date; payload: Record<string, unknown> }[]
  >(
    `with outcome_cases as (
       select distinct e.case_id from case_event e join service_case c on c.id = e.case_id and c.property_id = ?
        where e.action in ('deadline-met', 'deadline-missed') and e.at >= ? and e.at < ?
        limit ${MAX_PREVIEW_CASES + 1})
     select c.id as case_id, c.kind, c.received_at, e.seq, e.action, e.actor_id, e.actor_role, e.at, e.payload
       from outcome_cases o join service_case c on c.id = o.case_id
       join case_event e on e.case_id = c.id
      order by c.id, e.seq`,
    [propertyId, from, to],
  );
  const versions = await policyVersions(em, propertyId);
  const [property] = await em.execute<{ time_zone: string; policy: Record<string, unknown> | null }[]>('select time_zone, policy from property where id = ?', [propertyId]);
  /** The version in force when a case was received: the newest at or before, else the first. */
  const policyAt = (receivedAt: string) => {
    const version = [...versions].reverse().find((v) => v.at <= receivedAt) ?? versions[0];
    return parsePolicy({ timeZone: property.time_zone, ...(version?.policy ?? property.policy ?? {}) });
  };
  const cases = new Map<string, RecordedCase>();
  for (const row of rows) {
    let c = cases.get(row.case_id);
    if (!c) {
      const receivedAt = new Date(row.received_at).toISOString();
      c = { caseId: row.case_id, kind: row.kind, receivedAt, events: [], policy: policyAt(receivedAt) };
      cases.set(row.case_id, c);
    }
    const event: RecordedEvent = { seq: row.seq, action: row.action, actorId: row.actor_id, actorRole: row.actor_role, at: new Date(row.at).toISOString(), payload: row.payload ?? {} };
    c.events.push(event);
  }
  const list = [...cases.values()];
  return { cases: list.slice(0, MAX_PREVIEW_CASES), truncated: list.length > MAX_PREVIEW_CASES };
}

/** The property's working-day calendar over [from, to) and the year after (a deadline may fall there). */
export async function calendarOver(em: EntityManager, propertyId: string, from: Date, to: Date): Promise<CalendarSnapshot> {
  const sources = await calendarSources(em, propertyId, (timeZone) => ({ fromYear: localYear(from, timeZone), toYear: localYear(to, timeZone) + 1 }));
  return buildCalendarSnapshot(sources!);
}
