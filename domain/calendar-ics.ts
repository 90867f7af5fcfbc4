// Reads a year's national arrangement from an iCalendar file in the form chinese-days publishes
// (dist/years/<year>.ics and .en.ics): one all-day event per run of days, its SUMMARY ending in
// (休)/(Holiday) for days off and (班)/(Workday) for adjusted working days. Parsing is ical.js's;
// only the meaning of those events is ours.
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
// ical.js ships an ES module and a CommonJS build; this project compiles to CommonJS, so it takes
// the latter at run time and the types from the former.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL: typeof ICALModule = require('ical.js');
import type { CalendarProblem, NamedDate } from './calendar-data';

const HOLIDAY = /[(（]\s*(休|holiday)\s*[)）]\s*$/i;
const WORKDAY = /[(（]\s*(班|workday)\s*[)）]\s*$/i;

function kindOf(summary: string, description: string): 'holiday' | 'workday' | undefined {
  if (HOLIDAY.test(summary) || /^(休|holiday)$/i.test(description)) return 'holiday';
  if (WORKDAY.test(summary) || /^(班|workday)$/i.test(description)) return 'workday';
  return undefined;
}

/** A date of ical.js's as 'YYYY-MM-DD'. */
const isoDate = (t: InstanceType<typeof ICAL.Time>) => `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;

/**
 * The holidays and adjusted working days an .ics file lists, or what is wrong with it. Dates are
 * not checked against a year here: the caller validates the result as it validates JSON.
 */
export function parseArrangementIcs(text: string): { holidays: NamedDate[]; workdays: NamedDate[] } | { problems: CalendarProblem[] } {
  if (text.trim() === '') return { problems: [{ field: 'body', reason: 'the body is empty: send the .ics file itself' }] };
  let calendar: InstanceType<typeof ICAL.Component>;
  try {
    calendar = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    return { problems: [{ field: 'body', reason: `not an iCalendar file: ${(error as Error).message}` }] };
  }
  if (calendar.name !== 'vcalendar') {
    const held = typeof calendar.name === 'string' && calendar.name !== '' ? `a ${calendar.name.toUpperCase()}` : 'no component';
    return { problems: [{ field: 'body', reason: `not an iCalendar file: it holds ${held}, not a VCALENDAR` }] };
  }
  const events = calendar.getAllSubcomponents('vevent');
  if (events.length === 0) return { problems: [{ field: 'body', reason: 'the calendar has no events (VEVENT)' }] };

  const holidays: NamedDate[] = [];
  const workdays: NamedDate[] = [];
  const problems: CalendarProblem[] = [];
  events.forEach((component, i) => {
    const field = `VEVENT ${i + 1}`;
    const event = new ICAL.Event(component);
    const summary = (event.summary ?? '').trim();
    const kind = kindOf(summary, String(component.getFirstPropertyValue('description') ?? '').trim());
    if (!kind) {
      problems.push({ field, reason: `'${summary}' says neither (休)/(Holiday) nor (班)/(Workday)` });
      return;
    }
    const start = event.startDate;
    if (!start || !start.isDate) {
      problems.push({ field, reason: `'${summary}' is not an all-day event (DTSTART;VALUE=DATE)` });
      return;
    }
    // DTEND is exclusive; without it an all-day event lasts one day (RFC 5545 §3.6.1).
    const end = event.endDate;
    const last = start.clone();
    if (end && end.compare(start) > 0) {
      last.fromUnixTime(end.toUnixTime());
      last.adjust(-1, 0, 0, 0);
    }
    const name = summary.replace(kind === 'holiday' ? HOLIDAY : WORKDAY, '').trim() || undefined;
    const list = kind === 'holiday' ? holidays : workdays;
    for (const day = start.clone(); day.compare(last) <= 0 && list.length < 1000; day.adjust(1, 0, 0, 0)) list.push({ date: isoDate(day), ...(name ? { name } : {}) });
  });
  return problems.length > 0 ? { problems } : { holidays, workdays };
}
