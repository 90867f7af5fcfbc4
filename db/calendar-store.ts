/**
 * The calendar's sources as stored: national arrangements loaded by managers (`national_calendar_year`),
 * a property's own overrides (`property.calendar_overrides`), and the audit of every change. Every
 * change and its audit record are written in one transaction.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CalendarOverride, NationalYear, NamedDate } from '../domain/calendar-data';
import { yearsWithoutNationalData } from '../domain/calendar-data';
import { localDate } from '../domain/calendar';
import { appendAdminAudit } from './admin-audit';

export interface CalendarSources {
  timeZone: string;
  national: NationalYear[];
  overrides: CalendarOverride[];
}

/** The local year of `at` in `timeZone`. */
export function localYear(at: Date, timeZone: string): number {
  return Number(localDate(at, timeZone).slice(0, 4));
}

/**
 * What a property's calendar is built from for the years `years(timeZone)` names (the local year
 * of a moment and the next, say); undefined for an unknown property.
 */
export async function calendarSources(
  em: EntityManager,
  propertyId: string,
  years: (timeZone: string) => { fromYear: number; toYear: number },
): Promise<(CalendarSources & { fromYear: number; toYear: number }) | undefined> {
  const [property] = await em.execute<{ time_zone: string; calendar_overrides: CalendarOverride[] }[]>(
    'select time_zone, calendar_overrides from property where id = ?',
    [propertyId],
  );
  if (!property) return undefined;
  const { fromYear, toYear } = years(property.time_zone);
  return { timeZone: property.time_zone, fromYear, toYear, national: await loadedNationalYears(em, fromYear, toYear), overrides: property.calendar_overrides ?? [] };
}

export async function loadedNationalYears(em: EntityManager, fromYear: number, toYear: number): Promise<NationalYear[]> {
  const rows = await em.execute<{ year: number; holidays: NamedDate[]; workdays: NamedDate[] }[]>('select year, holidays, workdays from national_calendar_year where year between ? and ? order by year', [fromYear, toYear]);
  return rows.map((r) => ({ year: r.year, holidays: r.holidays, workdays: r.workdays }));
}

export interface MissingCalendar {
  propertyId: string;
  timeZone: string;
  year: number;
}

/**
 * For every property, the current and the next local year that have no national arrangement
 * (neither the package's nor a loaded one): their working days are being assumed Monday–Friday.
 */
export async function missingNationalYears(em: EntityManager, now: Date): Promise<MissingCalendar[]> {
  const properties = await em.execute<{ id: string; time_zone: string }[]>('select id, time_zone from property order by id');
  const years = properties.map((p) => localYear(now, p.time_zone));
  if (years.length === 0) return [];
  const loaded = await loadedNationalYears(em, Math.min(...years), Math.max(...years) + 1);
  return properties.flatMap((p) => {
    const year = localYear(now, p.time_zone);
    return yearsWithoutNationalData(year, year + 1, loaded).map((missing) => ({ propertyId: p.id, timeZone: p.time_zone, year: missing }));
  });
}

/** Stores a validated national arrangement for its year (replacing any loaded before) and audits it. */
export async function saveNationalYear(em: EntityManager, arrangement: NationalYear, by: { staffId: string; format: 'json' | 'ics' }): Promise<{ replaced: boolean }> {
  return em.transactional(async (tx) => {
    const [previous] = await tx.execute<{ year: number }[]>('select year from national_calendar_year where year = ? for update', [arrangement.year]);
    await tx.execute(
      `insert into national_calendar_year (year, holidays, workdays, format, loaded_by, loaded_at) values (?, ?::jsonb, ?::jsonb, ?, ?, now())
       on conflict (year) do update set holidays = excluded.holidays, workdays = excluded.workdays, format = excluded.format, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at`,
      [arrangement.year, JSON.stringify(arrangement.holidays), JSON.stringify(arrangement.workdays), by.format, by.staffId],
    );
    await appendAdminAudit(tx, {
      propertyId: null,
      actorId: by.staffId,
      action: 'calendar.national.load',
      subject: String(arrangement.year),
      detail: { format: by.format, replaced: !!previous, holidays: arrangement.holidays.map((d) => d.date), workdays: arrangement.workdays.map((d) => d.date) },
    });
    return { replaced: !!previous };
  });
}

/**
 * Sets (`override`) or removes (undefined) a property's own decision for one date, and audits the
 * change with the previous value. Answers the previous override, if any.
 */
export async function changeOverride(
  em: EntityManager,
  propertyId: string,
  date: string,
  override: Omit<CalendarOverride, 'date'> | undefined,
  staffId: string,
): Promise<{ previous?: CalendarOverride }> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ calendar_overrides: CalendarOverride[] }[]>('select calendar_overrides from property where id = ? for update', [propertyId]);
    const overrides = row?.calendar_overrides ?? [];
    const previous = overrides.find((o) => o.date === date);
    const next = [...overrides.filter((o) => o.date !== date), ...(override ? [{ date, kind: override.kind, ...(override.name ? { name: override.name } : {}) }] : [])].sort((a, b) =>
      a.date.localeCompare(b.date),
    );
    if (!override && !previous) return {};
    await tx.execute('update property set calendar_overrides = ?::jsonb where id = ?', [JSON.stringify(next), propertyId]);
    await appendAdminAudit(tx, {
      propertyId,
      actorId: staffId,
      action: override ? 'calendar.override.set' : 'calendar.override.delete',
      subject: date,
      detail: { previous: previous ?? null, ...(override ? { kind: override.kind, name: override.name ?? null } : {}) },
    });
    return { previous };
  });
}

/** The audited calendar changes that concern `year` for a property (its overrides, and the national loads). */
export async function calendarChanges(em: EntityManager, propertyId: string, year: number) {
  const rows = await em.execute<{ actor_id: string; at: Date; action: string; subject: string; detail: Record<string, unknown> }[]>(
    `select actor_id, at, action, subject, detail from admin_audit_event
      where action like 'calendar.%' and (property_id = ? or property_id is null) and left(subject, 4) = ?
      order by at, id`,
    [propertyId, String(year)],
  );
  return rows.map((r) => ({ by: r.actor_id, at: new Date(r.at).toISOString(), action: r.action, subject: r.subject, detail: r.detail }));
}
