import { readFileSync } from 'node:fs';
import { addWorkingDays, displayTime, isWeekend, isWorkingDay, localDate, type CalendarSnapshot } from '../../domain/calendar';
import { buildCalendarSnapshot, effectiveYear, nationalYearProblems, packageYear, yearsCoveredByPackage, yearsWithoutNationalData, type NationalYear } from '../../domain/calendar-data';
import { parseArrangementIcs } from '../../domain/calendar-ics';

// Reply deadlines from docs/rules.md, in working days.
const GENERAL_FIRST_REPLY = 2; // C3
const IMPORTANT_FIRST_REPLY = 1; // C3
const MAJOR_PROGRESS_REPORT = 2; // C3
const REPLY_AFTER_CLOSE = 1; // C11
const QUESTIONNAIRE_DISTRIBUTION = 7; // S4
const QUESTIONNAIRE_COLLECTION = 15; // S4

// Real arrangements from chinese-days (State Council notices):
// 2025 National Day + Mid-Autumn: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked.
// 2025 Spring Festival: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked.
// 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked.
const calendar = buildCalendarSnapshot({ fromYear: 2025, toYear: 2026 });

/** A local time in Asia/Shanghai, e.g. shanghai('2025-09-30 10:00'). */
const shanghai = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);

describe('calendar snapshot from chinese-days', () => {
  test('C3: the snapshot carries the national holidays and adjusted working days as plain JSON', () => {
    expect(calendar.timeZone).toBe('Asia/Shanghai');
    expect(calendar.coversFrom).toBe('2025-01-01');
    expect(calendar.coversTo).toBe('2026-12-31');
    expect(calendar.holidays).toEqual(expect.arrayContaining(['2025-10-01', '2025-10-08', '2026-02-23']));
    expect(calendar.holidays).not.toContain('2025-10-04'); // a Saturday: off anyway
    expect(calendar.workdays).toEqual(
      expect.arrayContaining(['2025-01-26', '2025-02-08', '2025-09-28', '2025-10-11', '2026-02-14', '2026-02-28']),
    );
    expect(JSON.parse(JSON.stringify(calendar))).toEqual(calendar);
  });

  test('C3: National Day and Mid-Autumn 2025 are days off, weekdays included', () => {
    const days = ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08'];
    for (const day of days) expect(isWorkingDay(day, calendar)).toBe(false);
    expect(isWorkingDay('2025-09-30', calendar)).toBe(true);
    expect(isWorkingDay('2025-10-09', calendar)).toBe(true);
  });

  test('C3: the package knows the years the snapshots are built for', () => {
    const { from, to } = yearsCoveredByPackage();
    expect(from).toBeLessThanOrEqual(2025);
    expect(to).toBeGreaterThanOrEqual(2026);
  });
});

describe('C3 first-reply deadlines', () => {
  test('C3: a general complaint received on the last working day before National Day is due after the holiday', () => {
    const due = addWorkingDays(shanghai('2025-09-30 10:00'), GENERAL_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-10-10 10:00'));
  });

  test('C3: an important complaint received before National Day is due on the first working day after it', () => {
    const due = addWorkingDays(shanghai('2025-09-30 10:00'), IMPORTANT_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-10-09 10:00'));
  });

  test('C3: an adjusted working Saturday counts as a working day', () => {
    expect(isWorkingDay('2025-10-11', calendar)).toBe(true);
    const due = addWorkingDays(shanghai('2025-10-10 15:00'), IMPORTANT_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-10-11 15:00'));
  });

  test('C3: a complaint received on a Saturday with 1 working day is due at the end of Monday', () => {
    const due = addWorkingDays(shanghai('2025-11-15 10:00'), IMPORTANT_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-11-18 00:00'));
  });

  test('C3: a complaint received on a Saturday before an adjusted working Sunday is due at the end of that Sunday', () => {
    expect(isWorkingDay('2025-09-28', calendar)).toBe(true);
    const due = addWorkingDays(shanghai('2025-09-27 10:00'), IMPORTANT_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-09-29 00:00'));
  });

  test('C3: a complaint received during the holiday is counted from the first working day after it', () => {
    const due = addWorkingDays(shanghai('2025-10-04 10:00'), IMPORTANT_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-10-10 00:00'));
  });

  test('C3: a complaint received at 00:00 before a holiday is due at the end of that day, never after a later one', () => {
    const atMidnight = addWorkingDays(shanghai('2025-09-30 00:00'), IMPORTANT_FIRST_REPLY, calendar);
    const justBefore = addWorkingDays(new Date(shanghai('2025-09-30 00:00').getTime() - 1), IMPORTANT_FIRST_REPLY, calendar);
    const justAfter = addWorkingDays(new Date(shanghai('2025-09-30 00:00').getTime() + 1), IMPORTANT_FIRST_REPLY, calendar);
    expect(atMidnight).toEqual(shanghai('2025-10-01 00:00'));
    expect(justBefore.getTime()).toBeLessThan(atMidnight.getTime());
    expect(justAfter.getTime()).toBeGreaterThan(atMidnight.getTime());
  });

  test('C3: a major complaint transferred before Spring Festival 2025 reports progress after it', () => {
    const due = addWorkingDays(shanghai('2025-01-27 16:00'), MAJOR_PROGRESS_REPORT, calendar);
    expect(due).toEqual(shanghai('2025-02-06 16:00'));
  });

  test('C3: zero working days from a working day is the moment itself', () => {
    const received = shanghai('2025-09-30 10:00');
    expect(addWorkingDays(received, 0, calendar)).toEqual(received);
    expect(() => addWorkingDays(received, -1, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays(received, 1.5, calendar)).toThrow(RangeError);
  });
});

describe('C11 reply after closing', () => {
  test('C11: a complaint closed on the Friday before Spring Festival 2026 is answered on the adjusted working Saturday', () => {
    const due = addWorkingDays(shanghai('2026-02-13 17:00'), REPLY_AFTER_CLOSE, calendar);
    expect(due).toEqual(shanghai('2026-02-14 17:00'));
  });

  test('C11: a complaint closed on that working Saturday is answered after the nine-day holiday', () => {
    const due = addWorkingDays(shanghai('2026-02-14 17:00'), REPLY_AFTER_CLOSE, calendar);
    expect(due).toEqual(shanghai('2026-02-24 17:00'));
  });
});

describe('S4 half-yearly questionnaire', () => {
  test('S4: distribution and collection windows count the adjusted working days and skip National Day', () => {
    const released = shanghai('2025-09-26 09:00');
    const distributeBy = addWorkingDays(released, QUESTIONNAIRE_DISTRIBUTION, calendar);
    // 09-28 (Sun, worked), 09-29, 09-30, 10-09, 10-10, 10-11 (Sat, worked), 10-13
    expect(distributeBy).toEqual(shanghai('2025-10-13 09:00'));
    expect(addWorkingDays(distributeBy, QUESTIONNAIRE_COLLECTION, calendar)).toEqual(shanghai('2025-11-03 09:00'));
  });
});

describe('per-property overrides', () => {
  test('C3: a property holiday delays the deadline', () => {
    const withExtraDay = buildCalendarSnapshot({
      fromYear: 2025,
      toYear: 2025,
      overrides: [{ date: '2025-10-09', kind: 'holiday', name: '园区停业日' }],
    });
    const due = addWorkingDays(shanghai('2025-09-30 10:00'), IMPORTANT_FIRST_REPLY, withExtraDay);
    expect(due).toEqual(shanghai('2025-10-10 10:00'));
  });

  test('C3: overrides win over the package in both directions', () => {
    const overridden = buildCalendarSnapshot({
      fromYear: 2025,
      toYear: 2025,
      overrides: [
        { date: '2025-10-11', kind: 'holiday' }, // the property does not work the adjusted Saturday
        { date: '2025-10-08', kind: 'workday' }, // but opens on the last day of the holiday
        { date: '2025-10-12', kind: 'workday' }, // and on the Sunday after it
      ],
    });
    expect(isWorkingDay('2025-10-11', overridden)).toBe(false);
    expect(isWorkingDay('2025-10-08', overridden)).toBe(true);
    expect(isWorkingDay('2025-10-12', overridden)).toBe(true);
    expect(overridden.workdays).not.toContain('2025-10-11');
    expect(overridden.holidays).not.toContain('2025-10-08');
    expect(addWorkingDays(shanghai('2025-10-10 15:00'), 1, overridden)).toEqual(shanghai('2025-10-12 15:00'));
  });

  test('C3: invalid override dates and time zones are rejected when the snapshot is built', () => {
    expect(() =>
      buildCalendarSnapshot({ fromYear: 2025, toYear: 2025, overrides: [{ date: '2025-02-30', kind: 'holiday' }] }),
    ).toThrow(RangeError);
    expect(() => buildCalendarSnapshot({ fromYear: 2025, toYear: 2025, timeZone: 'Mars/Olympus' })).toThrow(RangeError);
  });
});

describe('dates outside the known years', () => {
  test('C3: outside the snapshot the calendar falls back to Monday–Friday without throwing', () => {
    expect(isWorkingDay('2024-10-01', calendar)).toBe(true); // before coversFrom: a plain Tuesday
    expect(isWorkingDay('2027-10-01', calendar)).toBe(true); // after coversTo: a plain Friday
    expect(isWorkingDay('2027-10-02', calendar)).toBe(false);
    expect(addWorkingDays(shanghai('2026-12-31 10:00'), 1, calendar)).toEqual(shanghai('2027-01-01 10:00'));
  });

  test('C3: a year nobody has published is assumed Monday–Friday, never fatal', () => {
    const { to } = yearsCoveredByPackage();
    const unknown = buildCalendarSnapshot({ fromYear: to + 1, toYear: to + 2 });
    expect(unknown.assumedYears).toEqual([to + 1, to + 2]);
    expect(unknown.holidays).toEqual([]);
    expect(unknown.workdays).toEqual([]);
    expect(isWorkingDay(`${to + 1}-01-01`, unknown)).toBe(!isWeekend(`${to + 1}-01-01`));
    const known = buildCalendarSnapshot({ fromYear: to, toYear: to + 1 });
    expect(known.assumedYears).toEqual([to + 1]);
    expect(known.holidays.some((d) => d.startsWith(String(to)))).toBe(true);
  });

  test('C3: 2027 and 2028, which chinese-days 1.5.7 does not know, give a snapshot (the New Year bug)', () => {
    const snapshot = buildCalendarSnapshot({ fromYear: 2027, toYear: 2028 });
    expect(snapshot.assumedYears).toEqual([2027, 2028]);
    // Friday 1 January 2027 counts as a plain working day until the arrangement is loaded.
    expect(addWorkingDays(shanghai('2026-12-31 10:00'), 1, snapshot)).toEqual(shanghai('2027-01-01 10:00'));
    // A general complaint on Saturday 2 January: counting starts Monday; 2 working days end with Tuesday.
    expect(addWorkingDays(shanghai('2027-01-02 10:00'), GENERAL_FIRST_REPLY, snapshot)).toEqual(shanghai('2027-01-06 00:00'));
  });

  test("C3: a property's overrides apply on an assumed year, and the year stays assumed", () => {
    const snapshot = buildCalendarSnapshot({ fromYear: 2027, toYear: 2027, overrides: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] });
    expect(snapshot.assumedYears).toEqual([2027]);
    expect(isWorkingDay('2027-01-01', snapshot)).toBe(false);
  });

  test('C3: an arrangement loaded by a manager is counted, and replaces the package for its year', () => {
    const test2027: NationalYear = { year: 2027, holidays: [{ date: '2027-01-06', name: '测试假日' }], workdays: [{ date: '2027-01-09', name: '测试调休' }] };
    const snapshot = buildCalendarSnapshot({ fromYear: 2027, toYear: 2028, national: [test2027] });
    expect(snapshot.assumedYears).toEqual([2028]);
    expect(isWorkingDay('2027-01-06', snapshot)).toBe(false); // a Wednesday off
    expect(isWorkingDay('2027-01-09', snapshot)).toBe(true); // a Saturday worked
    // Tuesday 10:00 + 2 working days: Wednesday is off → Thursday, Friday.
    expect(addWorkingDays(shanghai('2027-01-05 10:00'), GENERAL_FIRST_REPLY, snapshot)).toEqual(shanghai('2027-01-08 10:00'));
    // Friday 10:00 + 2: the worked Saturday, then Monday.
    expect(addWorkingDays(shanghai('2027-01-08 10:00'), GENERAL_FIRST_REPLY, snapshot)).toEqual(shanghai('2027-01-11 10:00'));

    const corrected: NationalYear = { year: 2025, holidays: [], workdays: [] };
    const replaced = buildCalendarSnapshot({ fromYear: 2025, toYear: 2025, national: [corrected] });
    expect(replaced.holidays).toEqual([]);
    expect(replaced.assumedYears).toEqual([]);
  });

  test('C3: the package year read back is the data the snapshot used', () => {
    const y2026 = packageYear(2026)!;
    expect(y2026.holidays.map((d) => d.date)).toContain('2026-10-01');
    expect(y2026.workdays.map((d) => d.date)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(packageYear(2027)).toBeUndefined();
    expect(yearsWithoutNationalData(2025, 2028)).toEqual([2027, 2028]);
    expect(yearsWithoutNationalData(2025, 2028, [{ year: 2027, holidays: [], workdays: [] }])).toEqual([2028]);
  });
});

describe('a national arrangement offered for loading', () => {
  test('C3: a good arrangement has no problems', () => {
    expect(nationalYearProblems(2027, { holidays: [{ date: '2027-01-01' }, { date: '2027-01-06' }], workdays: [{ date: '2027-01-09' }] })).toEqual([]);
  });

  test('C3: impossible dates, other years, doubles, a day both off and worked, and a weekday "adjusted" are each named', () => {
    const problems = nationalYearProblems(2027, {
      holidays: [{ date: '2027-02-30' }, { date: '2026-10-01' }, { date: '2027-01-06' }, { date: '2027-01-06' }, { date: '2027-01-09' }, { date: '1 Jan' }],
      workdays: [{ date: '2027-01-09' }, { date: '2027-01-07' }],
    });
    expect(problems).toEqual([
      { field: 'holidays.0.date', reason: "'2027-02-30' is not a real date written YYYY-MM-DD" },
      { field: 'holidays.1.date', reason: '2026-10-01 is not in 2027' },
      { field: 'holidays.3.date', reason: '2027-01-06 is listed twice' },
      { field: 'holidays.5.date', reason: "'1 Jan' is not a real date written YYYY-MM-DD" },
      { field: 'workdays.0.date', reason: '2027-01-09 is both a holiday and an adjusted working day' },
      { field: 'workdays.1.date', reason: '2027-01-07 is a weekday: an adjusted working day (调休) falls on a Saturday or Sunday' },
    ]);
  });
});

describe('the effective calendar of a year, day by day', () => {
  test('C3: each day says what decided it', () => {
    const year = effectiveYear(2026, { overrides: [{ date: '2026-06-01', kind: 'holiday', name: '园区停业日' }] });
    expect(year.source).toBe('package');
    expect(year.days).toHaveLength(365);
    const day = (date: string) => year.days.find((d) => d.date === date)!;
    expect(day('2026-10-01')).toMatchObject({ working: false, kind: 'holiday', source: 'package', name: '国庆节' });
    expect(day('2026-10-10')).toMatchObject({ working: true, kind: 'workday', source: 'package', weekday: 6 });
    expect(day('2026-06-01')).toMatchObject({ working: false, kind: 'holiday', source: 'override', name: '园区停业日' });
    expect(day('2026-06-02')).toMatchObject({ working: true, kind: 'weekday', source: 'package', weekday: 2 });

    const assumed = effectiveYear(2028, {});
    expect(assumed.source).toBe('assumed');
    expect(assumed.days).toHaveLength(366);
    expect(assumed.days.filter((d) => d.working)).toHaveLength(260);
    expect(assumed.days.every((d) => d.source === 'assumed')).toBe(true);

    const loaded = effectiveYear(2027, { national: [{ year: 2027, holidays: [{ date: '2027-01-06', name: 'X' }], workdays: [] }] });
    expect(loaded.source).toBe('national');
    expect(loaded.days.find((d) => d.date === '2027-01-06')).toMatchObject({ working: false, source: 'national', name: 'X' });
  });
});

describe('an arrangement as an iCalendar file (the form chinese-days publishes)', () => {
  const ics = (year: number, lang = '') => readFileSync(require.resolve(`chinese-days/dist/years/${year}${lang}.ics`), 'utf8');

  test.each(['', '.en'])('C3: the package’s own 2026%s.ics reads as the same days as its JSON', (lang) => {
    const parsed = parseArrangementIcs(ics(2026, lang));
    const shipped = packageYear(2026)!;
    if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.holidays.map((d) => d.date)).toEqual(shipped.holidays.map((d) => d.date));
    expect(parsed.workdays.map((d) => d.date)).toEqual(shipped.workdays.map((d) => d.date));
    expect(nationalYearProblems(2026, parsed)).toEqual([]);
    expect(parsed.holidays[0]).toEqual({ date: '2026-01-01', name: lang ? "New Year's Day" : '元旦' });
  });

  test('C3: a file that is not a calendar, or an event that says neither 休 nor 班, is refused with the reason', () => {
    expect(parseArrangementIcs('holidays: 2027-01-01')).toEqual({ problems: [expect.objectContaining({ field: 'body', reason: expect.stringMatching(/^not an iCalendar file/) })] });
    expect(parseArrangementIcs('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n')).toEqual({ problems: [{ field: 'body', reason: 'the calendar has no events (VEVENT)' }] });
    const party = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:1', 'DTSTART;VALUE=DATE:20270101', 'DTEND;VALUE=DATE:20270102', 'SUMMARY:年会', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    expect(parseArrangementIcs(party)).toEqual({ problems: [{ field: 'VEVENT 1', reason: "'年会' says neither (休)/(Holiday) nor (班)/(Workday)" }] });
  });

  test('C3: an empty body, or one that parses to no component at all, is refused with the reason (the fuzz run found a 500 here)', () => {
    expect(parseArrangementIcs('')).toEqual({ problems: [{ field: 'body', reason: 'the body is empty: send the .ics file itself' }] });
    expect(parseArrangementIcs(' \r\n')).toEqual({ problems: [{ field: 'body', reason: 'the body is empty: send the .ics file itself' }] });
    for (const odd of ['BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR', 'X:1']) {
      const parsed = parseArrangementIcs(odd);
      expect(parsed).toEqual({ problems: [expect.objectContaining({ field: 'body' })] });
    }
  });
});

describe('time zones', () => {
  const mondayInUtcTuesdayInShanghai = new Date('2025-09-29T18:00:00Z');

  test('C3: the local date is taken in the property time zone', () => {
    expect(localDate(mondayInUtcTuesdayInShanghai, 'UTC')).toBe('2025-09-29');
    expect(localDate(mondayInUtcTuesdayInShanghai, 'Asia/Shanghai')).toBe('2025-09-30');
  });

  test('C3: a complaint received Monday in UTC but Tuesday in Shanghai counts from Tuesday', () => {
    const due = addWorkingDays(mondayInUtcTuesdayInShanghai, IMPORTANT_FIRST_REPLY, calendar);
    expect(due).toEqual(shanghai('2025-10-09 02:00'));
    expect(due.toISOString()).toBe('2025-10-08T18:00:00.000Z');
    // The same data read in UTC would wrongly make it due on Tuesday.
    const inUtc = addWorkingDays(mondayInUtcTuesdayInShanghai, IMPORTANT_FIRST_REPLY, { ...calendar, timeZone: 'UTC' });
    expect(inUtc.toISOString()).toBe('2025-09-30T18:00:00.000Z');
  });

  const plainWeeks = (timeZone: string, workdays: string[] = []): CalendarSnapshot => ({
    timeZone,
    holidays: [],
    workdays,
    coversFrom: '2025-01-01',
    coversTo: '2025-12-31',
  });

  test('C3: the local clock time is kept across a daylight-saving change', () => {
    const fridayInNewYork = new Date('2025-03-07T10:00:00-05:00');
    const due = addWorkingDays(fridayInNewYork, 1, plainWeeks('America/New_York'));
    expect(due.toISOString()).toBe('2025-03-10T14:00:00.000Z'); // Monday 10:00 EDT
  });

  test('C3: a deadline at a midnight skipped by daylight saving moves forward to the first valid time', () => {
    // Chile moves clocks from Saturday 24:00 to Sunday 01:00 on 2025-09-07.
    const workingSaturday = plainWeeks('America/Santiago', ['2025-09-06']);
    const due = addWorkingDays(new Date('2025-09-06T00:00:00-04:00'), 1, workingSaturday);
    expect(due.toISOString()).toBe('2025-09-07T04:00:00.000Z'); // Sunday 01:00 -03:00
  });
});

describe('displayTime: times as staff and residents read them', () => {
  // Over two years of instants (DST changes included where the zone has them), the cached
  // formatters print exactly what toLocaleString printed in the mails and the Temporal UI details.
  const instants = Array.from({ length: 2000 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 31_537_123));
  it.each(['Asia/Shanghai', 'Europe/London', 'America/New_York'])('prints what toLocaleString printed, in %s', (timeZone) => {
    for (const at of instants) {
      expect(displayTime(at.toISOString(), timeZone)).toBe(at.toLocaleString('zh-CN', { timeZone, hour12: false }));
      expect(displayTime(at, timeZone, 'short')).toBe(
        at.toLocaleString('zh-CN', { timeZone, hour12: false, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }),
      );
    }
  });

  it('reads a time in the zone asked for', () => {
    expect(displayTime('2026-11-23T14:32:05Z', 'Asia/Shanghai')).toBe('2026/11/23 22:32:05');
    expect(displayTime('2026-11-23T14:32:05Z', 'Europe/London', 'short')).toBe('11/23 14:32');
  });
});
