/**
 * How many open cases have their next deadline falling due around now: due within `aheadMs`, or
 * fallen due within `behindMs` and not yet recorded as breached (its escalation still on its way).
 * The API's admission of case openings reads it (api/deadline-pressure.ts); the partial index on
 * open cases' `due_at` keeps it a range scan whatever the size of the read model.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export async function deadlinesNear(em: EntityManager, now: Date, aheadMs: number, behindMs: number): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from service_case
      where closed_at is null and due_at between ? and ? and sla_state <> 'breached'`,
    [new Date(now.getTime() - behindMs), new Date(now.getTime() + aheadMs)],
  );
  return row.n;
}
