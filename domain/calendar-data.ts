// Where a property's working-day calendar comes from, and the snapshot a case carries. Not for
// workflow code: it reads the chinese-days package, and workflows only ever see the plain snapshot.
//
// Three sources, in order of precedence for a date (docs/rules.md, "Working days"):
//   1. the property's own override of that date;
//   2. the national arrangement of its year: loaded by a manager (`PUT /api/v1/calendar/national/{year}`),
//      else the one the chinese-days package ships;
//   3. neither: the year is *assumed* to be plain Monday–Friday, and the snapshot says so.
// A missing year is never fatal: a case must open on 1 January whatever the package knows.
import packageData from 'chinese-days/dist/chinese-days.json';
import { DEFAULT_TIME_ZONE, isWeekend, type CalendarSnapshot } from './calendar';

/** A property's own calendar decision for one date; it wins over the national calendar. */
export interface CalendarOverride {
  date: string; // 'YYYY-MM-DD'
  kind: 'holiday' | 'workday';
  name?: string;
}

/** One named day of a national arrangement. */
export interface NamedDate {
  date: string; // 'YYYY-MM-DD'
  name?: string;
}

/**
 * A year's official arrangement (国务院办公厅关于…部分节假日安排的通知): the holidays (休, weekends inside
 * a holiday included) and the adjusted working days (调休, 班), which fall on weekends.
 */
export interface NationalYear {
  year: number;
  holidays: NamedDate[];
  workdays: NamedDate[];
}

export type DaySource = 'package' | 'national' | 'override' | 'assumed';

// The package's published JSON (documented in its README) rather than its query functions, which
// read dates in the process time zone and return the wrong day west of UTC.
const nationalCalendar = packageData as {
  holidays: Record<string, string>; // date → 'English name,中文名,days', weekends included
  workdays: Record<string, string>; // adjusted working days (调休), the same form
};

/** The Chinese name of a package label ('National Day,国庆节,3' → '国庆节'). */
const nameOf = (label: string): string => {
  const [english, chinese] = label.split(',');
  return chinese || english;
};

const yearOf = (date: string): number => Number(date.slice(0, 4));

/** The years for which chinese-days knows the official holiday arrangement. */
export function yearsCoveredByPackage(): { from: number; to: number } {
  const years = Object.keys(nationalCalendar.holidays).map(yearOf);
  return { from: Math.min(...years), to: Math.max(...years) };
}

/** The arrangement chinese-days ships for `year`, or undefined when it has none. */
export function packageYear(year: number): NationalYear | undefined {
  const pick = (table: Record<string, string>) =>
    Object.entries(table)
      .filter(([date]) => yearOf(date) === year)
      .map(([date, label]) => ({ date, name: nameOf(label) }))
      .sort((a, b) => a.date.localeCompare(b.date));
  const holidays = pick(nationalCalendar.holidays);
  const workdays = pick(nationalCalendar.workdays);
  // An adjusted working day beats a holiday entry for the same date, as in the package itself.
  const worked = new Set(workdays.map((d) => d.date));
  return holidays.length === 0 && workdays.length === 0 ? undefined : { year, holidays: holidays.filter((d) => !worked.has(d.date)), workdays };
}

/** Whether `date` is a real calendar date written 'YYYY-MM-DD'. */
export function isCalendarDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const parsed = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
  return !!parsed && parsed.toISOString().slice(0, 10) === date;
}

function assertCalendarDate(date: string): void {
  if (!isCalendarDate(date)) throw new RangeError(`calendar override date must be a real 'YYYY-MM-DD' date, got '${date}'`);
}

/** One thing wrong with a year's arrangement, naming where. */
export interface CalendarProblem {
  field: string;
  reason: string;
}

/**
 * What is wrong with an arrangement offered for `year` (empty when nothing): every date real and
 * in that year, none listed twice, none both a holiday and a working day, and an adjusted working
 * day on a Saturday or Sunday (a weekday is a working day anyway).
 */
export function nationalYearProblems(year: number, input: { holidays: NamedDate[]; workdays: NamedDate[] }): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  const seen = new Map<string, string>();
  for (const list of ['holidays', 'workdays'] as const) {
    input[list].forEach((day, i) => {
      const field = `${list}.${i}.date`;
      if (!isCalendarDate(day.date)) problems.push({ field, reason: `'${day.date}' is not a real date written YYYY-MM-DD` });
      else if (yearOf(day.date) !== year) problems.push({ field, reason: `${day.date} is not in ${year}` });
      else if (seen.get(day.date) === list) problems.push({ field, reason: `${day.date} is listed twice` });
      else if (seen.has(day.date)) problems.push({ field, reason: `${day.date} is both a holiday and an adjusted working day` });
      else if (list === 'workdays' && !isWeekend(day.date)) problems.push({ field, reason: `${day.date} is a weekday: an adjusted working day (调休) falls on a Saturday or Sunday` });
      if (!seen.has(day.date)) seen.set(day.date, list);
    });
  }
  return problems;
}

/** The national arrangement in force for each year: a loaded one wins over the package's. */
function nationalFor(years: number[], loaded: NationalYear[]): Map<number, { data: NationalYear; source: 'package' | 'national' }> {
  const byYear = new Map<number, { data: NationalYear; source: 'package' | 'national' }>();
  for (const year of years) {
    const mine = loaded.find((y) => y.year === year);
    const shipped = mine ? undefined : packageYear(year);
    if (mine) byYear.set(year, { data: mine, source: 'national' });
    else if (shipped) byYear.set(year, { data: shipped, source: 'package' });
  }
  return byYear;
}

/** The years of fromYear..toYear that have no national arrangement (package or loaded). */
export function yearsWithoutNationalData(fromYear: number, toYear: number, loaded: NationalYear[] = []): number[] {
  const years = range(fromYear, toYear);
  const known = nationalFor(years, loaded);
  return years.filter((year) => !known.has(year));
}

function range(fromYear: number, toYear: number): number[] {
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear || toYear - fromYear > 50) {
    throw new RangeError(`invalid calendar years ${fromYear}..${toYear}`);
  }
  return Array.from({ length: toYear - fromYear + 1 }, (_, i) => fromYear + i);
}

/**
 * The calendar for fromYear..toYear with the property's overrides on top. A year without a
 * national arrangement is plain Monday–Friday (with the property's overrides still applied) and
 * is listed in `assumedYears`; nothing here throws for a year nobody has published yet.
 */
export function buildCalendarSnapshot(opts: {
  fromYear: number;
  toYear: number;
  timeZone?: string;
  /** Arrangements loaded by a manager; they replace the package's for their years. */
  national?: NationalYear[];
  overrides?: CalendarOverride[];
}): CalendarSnapshot {
  const { fromYear, toYear, timeZone = DEFAULT_TIME_ZONE, national = [], overrides = [] } = opts;
  const years = range(fromYear, toYear);
  new Intl.DateTimeFormat('en-US', { timeZone }); // throws RangeError now rather than in a workflow
  overrides.forEach((override) => assertCalendarDate(override.date));

  const known = nationalFor(years, national);
  const kinds = new Map<string, CalendarOverride['kind']>();
  for (const { data } of known.values()) {
    for (const day of data.holidays) kinds.set(day.date, 'holiday');
    for (const day of data.workdays) kinds.set(day.date, 'workday');
  }
  for (const override of overrides) if (years.includes(yearOf(override.date))) kinds.set(override.date, override.kind);

  const holidays: string[] = [];
  const workdays: string[] = [];
  for (const [date, kind] of kinds) {
    if (kind === 'holiday' && !isWeekend(date)) holidays.push(date);
    if (kind === 'workday' && isWeekend(date)) workdays.push(date);
  }
  return {
    timeZone,
    holidays: holidays.sort(),
    workdays: workdays.sort(),
    coversFrom: `${fromYear}-01-01`,
    coversTo: `${toYear}-12-31`,
    assumedYears: years.filter((year) => !known.has(year)),
  };
}

/** One day of a property's effective calendar, and which source decided it. */
export interface CalendarDay {
  date: string;
  weekday: number; // 1 = Monday … 7 = Sunday
  working: boolean;
  /** holiday / adjusted working day / plain weekday or weekend. */
  kind: 'holiday' | 'workday' | 'weekday' | 'weekend';
  source: DaySource;
  name?: string;
}

/** Every day of `year` as a property's cases count it, each with its source (`GET /api/v1/calendar/{year}`). */
export function effectiveYear(year: number, sources: { national?: NationalYear[]; overrides?: CalendarOverride[] }): { year: number; source: DaySource; days: CalendarDay[] } {
  const known = nationalFor([year], sources.national ?? []).get(year);
  const named = new Map<string, { kind: 'holiday' | 'workday'; name?: string; source: DaySource }>();
  for (const day of known?.data.holidays ?? []) named.set(day.date, { kind: 'holiday', name: day.name, source: known!.source });
  for (const day of known?.data.workdays ?? []) named.set(day.date, { kind: 'workday', name: day.name, source: known!.source });
  for (const o of sources.overrides ?? []) if (yearOf(o.date) === year) named.set(o.date, { kind: o.kind, name: o.name, source: 'override' });
  const yearSource: DaySource = known ? known.source : 'assumed';

  const days: CalendarDay[] = [];
  for (let i = 0; i < 366; i++) {
    const day = new Date(Date.UTC(year, 0, 1 + i));
    if (day.getUTCFullYear() !== year) break;
    const date = day.toISOString().slice(0, 10);
    const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
    const weekend = weekday >= 6;
    const entry = named.get(date);
    const working = entry ? entry.kind === 'workday' : !weekend;
    days.push({
      date,
      weekday,
      working,
      kind: entry ? entry.kind : weekend ? 'weekend' : 'weekday',
      source: entry?.source ?? yearSource,
      ...(entry?.name ? { name: entry.name } : {}),
    });
  }
  return { year, source: yearSource, days };
}
