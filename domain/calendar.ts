// Working-day arithmetic over a property's calendar. Pure and deterministic: this module is bundled
// into Temporal workflow code, so it only reads the snapshot it is given and uses Intl for time zones.

/** Plain JSON, carried in a workflow's policy snapshot. Dates are local calendar dates 'YYYY-MM-DD' in `timeZone`. */
export interface CalendarSnapshot {
  timeZone: string; // IANA, default 'Asia/Shanghai'
  holidays: string[]; // non-working days that would otherwise be working (public holidays on weekdays)
  workdays: string[]; // adjusted working days (调休) that fall on a weekend
  coversFrom: string; // first date the data is known for
  coversTo: string; // last date the data is known for
  /**
   * Years of coversFrom..coversTo with no national arrangement loaded: counted as plain
   * Monday–Friday (the property's overrides still apply). The case says so (assumedYearsNote).
   */
  assumedYears?: number[];
}

/**
 * The idempotency key of the mail that tells a property's managers a year's national arrangement
 * is missing: one per property and year, whoever sends it (every case opened under that year, the
 * worker at start).
 */
export function calendarMissingKey(propertyId: string, year: number): string {
  return `calendar-missing:${propertyId}:${year}`;
}

/** What a case and its managers read when some years' working days are assumed. */
export function assumedYearsNote(years: number[]): string {
  return `working days assumed Mon–Fri: national calendar for ${years.join(', ')} not loaded`;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;

interface WallClock {
  date: string; // 'YYYY-MM-DD'
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const displayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A time as staff and residents read it in `timeZone`: what `toLocaleString('zh-CN', { timeZone,
 * hour12: false })` gives ("2026/11/23 22:32:05"), or month, day, hour and minute ("11/23 22:32")
 * when `short`. One formatter per zone and form, made once: every toLocaleString call with options
 * builds a new one, which is costly, and a case's Temporal UI details and its mails format several.
 */
export function displayTime(at: string | Date, timeZone: string, form: 'full' | 'short' = 'full'): string {
  const key = `${form} ${timeZone}`;
  let format = displayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      'zh-CN',
      form === 'short'
        ? { timeZone, hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }
        : // toLocaleString's own default fields: date and time, to the second.
          { timeZone, hour12: false, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' },
    );
    displayFormats.set(key, format);
  }
  return format.format(typeof at === 'string' ? new Date(at) : at);
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year.padStart(4, '0')}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    // Every zone offset in use is a whole number of seconds, so milliseconds are the same everywhere.
    millisecond: ((instant.getTime() % 1000) + 1000) % 1000,
  };
}

function wallClockAsUtc(wall: WallClock): number {
  const [year, month, day] = wall.date.split('-').map(Number);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years 0–99 literal, Date.UTC does not
  utc.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return utc.getTime();
}

function offsetAt(epochMs: number, timeZone: string): number {
  return wallClockAsUtc(wallClock(new Date(epochMs), timeZone)) - epochMs;
}

/**
 * The instant showing `wall` in `timeZone`. Like Temporal's 'compatible' disambiguation: a repeated
 * wall time (clocks set back) takes the earlier instant; a skipped one (clocks set forward) is moved
 * forward by the length of the gap.
 */
function instantOf(wall: WallClock, timeZone: string): Date {
  const asUtc = wallClockAsUtc(wall);
  const offsetBefore = offsetAt(asUtc - DAY_MS, timeZone);
  const offsetAfter = offsetAt(asUtc + DAY_MS, timeZone);
  const candidates = [asUtc - offsetBefore, asUtc - offsetAfter]
    .filter((epochMs) => offsetAt(epochMs, timeZone) === asUtc - epochMs)
    .sort((a, b) => a - b);
  return new Date(candidates.length > 0 ? candidates[0] : asUtc - offsetBefore);
}

/** Saturday or Sunday. */
export function isWeekend(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  return utc.getUTCDay() === 0 || utc.getUTCDay() === 6;
}

function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day + 1);
  return wallClock(utc, 'UTC').date;
}

/** The local wall-clock time of `instant` in `timeZone` as 'HH:mm'. */
export function localTime(instant: Date, timeZone: string): string {
  const wall = wallClock(instant, timeZone);
  return `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`;
}

/** The local calendar date 'YYYY-MM-DD' of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  return wallClock(instant, timeZone).date;
}

/**
 * Weekends are days off unless listed as adjusted working days; weekdays are working days unless
 * listed as holidays. Outside coversFrom..coversTo the calendar is unknown: plain Monday–Friday.
 */
export function isWorkingDay(date: string, cal: CalendarSnapshot): boolean {
  const weekend = isWeekend(date);
  const covered = date >= cal.coversFrom && date <= cal.coversTo;
  if (!covered) return !weekend;
  return weekend ? cal.workdays.includes(date) : !cal.holidays.includes(date);
}

/**
 * The deadline `days` working days after `from`, in the calendar's time zone.
 *
 * - From a working day at a local time after 00:00: the same local clock time on the `days`-th
 *   working day after that date (Friday 10:00 + 1 → Monday 10:00).
 * - From a non-working day, counting starts at 00:00 of the next working day. Counting from 00:00
 *   of a working day ends at the end of the `days`-th working day, that day being the first: 00:00
 *   of the following calendar day (Saturday 10:00 + 1 → Tuesday 00:00, the end of Monday). Ending
 *   there rather than at 00:00 of the next working day means a later start never gets an earlier
 *   deadline when holidays follow.
 * - `days` = 0 gives the moment counting starts.
 */
export function addWorkingDays(from: Date, days: number, cal: CalendarSnapshot): Date {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`working days must be a non-negative integer, got ${days}`);
  }
  const start = wallClock(from, cal.timeZone);
  const countsFromMidnight =
    !isWorkingDay(start.date, cal) ||
    (start.hour === 0 && start.minute === 0 && start.second === 0 && start.millisecond === 0);

  let date = start.date;
  if (!countsFromMidnight) {
    for (let counted = 0; counted < days; ) {
      date = nextDate(date);
      if (isWorkingDay(date, cal)) counted++;
    }
    return days === 0 ? new Date(from.getTime()) : instantOf({ ...start, date }, cal.timeZone);
  }

  while (!isWorkingDay(date, cal)) date = nextDate(date);
  const midnight = { date, hour: 0, minute: 0, second: 0, millisecond: 0 };
  if (days === 0) return instantOf(midnight, cal.timeZone);
  for (let counted = 1; counted < days; ) {
    date = nextDate(date);
    if (isWorkingDay(date, cal)) counted++;
  }
  return instantOf({ ...midnight, date: nextDate(date) }, cal.timeZone);
}

/** The instant the local calendar date 'YYYY-MM-DD' ends in `timeZone`: 00:00 of the next day. */
export function endOfLocalDate(date: string, timeZone: string): Date {
  return instantOf({ date: nextDate(date), hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
}
