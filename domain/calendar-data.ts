// Builds calendar snapshots for activities from the chinese-days package. Not for workflow code:
// it loads the package's data, and workflows only ever see the resulting plain snapshot.
import packageData from 'chinese-days/dist/chinese-days.json';
import { DEFAULT_TIME_ZONE, isWeekend, type CalendarSnapshot } from './calendar';

/** A property's own calendar decision for one date; it wins over the national calendar. */
export interface CalendarOverride {
  date: string; // 'YYYY-MM-DD'
  kind: 'holiday' | 'workday';
  name?: string;
}

// The package's published JSON (documented in its README) rather than its query functions, which
// read dates in the process time zone and return the wrong day west of UTC.
const nationalCalendar = packageData as {
  holidays: Record<string, string>; // date → name, weekends included
  workdays: Record<string, string>; // adjusted working days (调休)
};

const yearOf = (date: string): number => Number(date.slice(0, 4));

/** The years for which chinese-days knows the official holiday arrangement. */
export function yearsCoveredByPackage(): { from: number; to: number } {
  const years = Object.keys(nationalCalendar.holidays).map(yearOf);
  return { from: Math.min(...years), to: Math.max(...years) };
}

function assertCalendarDate(date: string): void {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const parsed = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
  if (!parsed || parsed.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`calendar override date must be a real 'YYYY-MM-DD' date, got '${date}'`);
  }
}

/**
 * The national calendar (holidays and 调休) for fromYear..toYear with the property's overrides on
 * top. A year is known when chinese-days covers it or the property overrides a date in it; the
 * snapshot covers the unbroken run of known years starting at the first known requested year, so a
 * later year the package does not know yet is left to the plain-weekday fallback rather than
 * claimed as known.
 */
export function buildCalendarSnapshot(opts: {
  fromYear: number;
  toYear: number;
  timeZone?: string;
  overrides?: CalendarOverride[];
}): CalendarSnapshot {
  const { fromYear, toYear, timeZone = DEFAULT_TIME_ZONE, overrides = [] } = opts;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`invalid calendar years ${fromYear}..${toYear}`);
  }
  new Intl.DateTimeFormat('en-US', { timeZone }); // throws RangeError now rather than in a workflow
  overrides.forEach((override) => assertCalendarDate(override.date));

  const packageYears = yearsCoveredByPackage();
  const overrideYears = new Set(overrides.map((override) => yearOf(override.date)));
  const isKnown = (year: number) =>
    (year >= packageYears.from && year <= packageYears.to) || overrideYears.has(year);

  let firstYear = fromYear;
  while (firstYear <= toYear && !isKnown(firstYear)) firstYear++;
  if (firstYear > toYear) {
    throw new RangeError(
      `no calendar data for ${fromYear}..${toYear}: chinese-days covers ` +
        `${packageYears.from}..${packageYears.to}; give the property's holidays as overrides`,
    );
  }
  let lastYear = firstYear;
  while (lastYear < toYear && isKnown(lastYear + 1)) lastYear++;

  const kinds = new Map<string, CalendarOverride['kind']>();
  const inCoverage = (date: string) => yearOf(date) >= firstYear && yearOf(date) <= lastYear;
  for (const date of Object.keys(nationalCalendar.holidays)) kinds.set(date, 'holiday');
  // An adjusted working day beats a holiday entry for the same date, as in the package itself.
  for (const date of Object.keys(nationalCalendar.workdays)) kinds.set(date, 'workday');
  for (const override of overrides) kinds.set(override.date, override.kind);

  const holidays: string[] = [];
  const workdays: string[] = [];
  for (const [date, kind] of kinds) {
    if (!inCoverage(date)) continue;
    if (kind === 'holiday' && !isWeekend(date)) holidays.push(date);
    if (kind === 'workday' && isWeekend(date)) workdays.push(date);
  }
  return {
    timeZone,
    holidays: holidays.sort(),
    workdays: workdays.sort(),
    coversFrom: `${firstYear}-01-01`,
    coversTo: `${lastYear}-12-31`,
  };
}
