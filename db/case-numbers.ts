import type { EntityManager } from '@mikro-orm/postgresql';
import { localDate } from '../domain/calendar';

/** Case numbers read like the paper forms: a kind letter, the property-local date, a daily sequence (R20261122-0007). */
export async function allocateCaseNumber(em: EntityManager, prefix: string, at: Date, timeZone: string): Promise<string> {
  const day = localDate(at, timeZone).replaceAll('-', '');
  const rows = await em
    .getConnection()
    .execute<{ last: number }[]>(
      `insert into case_counter (prefix, day, last) values (?, ?, 1)
       on conflict (prefix, day) do update set last = case_counter.last + 1
       returning last`,
      [prefix, day],
    );
  return `${prefix}${day}-${String(rows[0].last).padStart(4, '0')}`;
}
