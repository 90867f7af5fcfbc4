import { buildCalendarSnapshot } from '../../domain/calendar-data';
import {
  closingReplyBy,
  closureAllowedFrom,
  exemptionClosesAt,
  firstReplyBy,
  firstResponseBy,
  groupReportBy,
  inIssueWindow,
  issueWindowStart,
  majorIfUnresolvedAt,
  nextProgressReportBy,
  resolveBy,
  workingDaysAfter,
  writtenReplyBy,
} from '../../domain/complaint-deadlines';
import { majorAtIntake } from '../../domain/complaint';
import { DAY, DEFAULT_POLICY, HOUR, MINUTE, parsePolicy } from '../../domain/policy';

// Real arrangements from chinese-days: 2025 National Day + Mid-Autumn 10-01..10-08 off, Saturday
// 10-11 worked; 2026 Spring Festival 02-15..02-23 off, Saturday 02-14 worked.
const calendar = buildCalendarSnapshot({ fromYear: 2025, toYear: 2026 });
const shanghai = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const policy = DEFAULT_POLICY;

describe('complaint deadlines with the documents’ numbers', () => {
  it('C1: a complaint received at 23:50 is answered by 00:20', () => {
    expect(firstResponseBy(policy, shanghai('2025-09-30 23:50'))).toEqual(shanghai('2025-10-01 00:20'));
  });

  it('C3: a general complaint received the day before National Day gets its first reply 2 working days later, after the holiday', () => {
    expect(firstReplyBy(policy, calendar, 'general', shanghai('2025-09-30 10:00'))).toEqual(shanghai('2025-10-10 10:00'));
  });

  it('C3: important and major complaints get their first reply 1 working day later — across the holiday, and on an adjusted working Saturday', () => {
    expect(firstReplyBy(policy, calendar, 'important', shanghai('2025-09-30 10:00'))).toEqual(shanghai('2025-10-09 10:00'));
    expect(firstReplyBy(policy, calendar, 'major', shanghai('2025-10-10 15:00'))).toEqual(shanghai('2025-10-11 15:00'));
  });

  it('C3: resolution within 2, 3 and 10 calendar days; a major complaint’s written reply within 2 days', () => {
    const from = shanghai('2025-09-30 10:00');
    expect(resolveBy(policy, 'general', from)).toEqual(shanghai('2025-10-02 10:00'));
    expect(resolveBy(policy, 'important', from)).toEqual(shanghai('2025-10-03 10:00'));
    expect(resolveBy(policy, 'major', from)).toEqual(shanghai('2025-10-10 10:00'));
    expect(writtenReplyBy(policy, from)).toEqual(shanghai('2025-10-02 10:00'));
  });

  it('C3: a major complaint transferred on the Friday before Spring Festival 2026 reports to the group by the Tuesday after it (the working Saturday counts)', () => {
    expect(groupReportBy(policy, calendar, shanghai('2026-02-13 09:00'))).toEqual(shanghai('2026-02-24 09:00'));
  });

  it('C4: major at intake for a lawsuit/media risk or a collective complaint of 3 people; unresolved a week later; issues counted over 30 days', () => {
    const c = policy.complaint;
    expect(majorAtIntake(c, { lawsuitOrMediaRisk: true })).toBe('lawsuit-or-media');
    expect(majorAtIntake(c, { complainants: 3 })).toBe('collective');
    expect(majorAtIntake(c, { complainants: 2 })).toBeUndefined();
    expect(c.issueComplainantsForMajor).toBe(3);
    expect(majorIfUnresolvedAt(policy, shanghai('2025-09-30 10:00'))).toEqual(shanghai('2025-10-07 10:00'));
    expect(issueWindowStart(policy, shanghai('2025-10-31 10:00'))).toEqual(shanghai('2025-10-01 10:00'));
  });

  it('C4: a complaint made 29 days ago still counts toward its issue; one made 31 days ago no longer does', () => {
    const now = shanghai('2025-10-31 10:00');
    expect(inIssueWindow(policy, shanghai('2025-10-02 10:00'), now)).toBe(true); // 29 days
    expect(inIssueWindow(policy, shanghai('2025-10-01 10:00'), now)).toBe(true); // 30 days: the window's first instant
    expect(inIssueWindow(policy, shanghai('2025-09-30 10:00'), now)).toBe(false); // 31 days
  });

  it('C6: while handling lasts, progress is reported at least every 24 h', () => {
    expect(nextProgressReportBy(policy, shanghai('2025-09-30 10:00'))).toEqual(shanghai('2025-10-01 10:00'));
  });

  it('C7: an exempt complaint completed on 30 Sep closes on 7 Oct when no repeat complaint came', () => {
    expect(exemptionClosesAt(policy, shanghai('2025-09-30 10:00'))).toEqual(shanghai('2025-10-07 10:00'));
  });

  it('C8: the same problem handled twice without resolution makes the complaint major', () => {
    expect(policy.complaint.failedHandlingsForMajor).toBe(2);
  });

  it('C9: lawful or beyond-authority closes at once; unreachable after a month plus 15 quiet days; unconfirmed after 15 days', () => {
    const since = shanghai('2025-09-01 10:00');
    expect(closureAllowedFrom(policy, 'lawful', since)).toEqual(since);
    expect(closureAllowedFrom(policy, 'beyond-authority', since)).toEqual(since);
    expect(closureAllowedFrom(policy, 'unreachable', since)).toEqual(shanghai('2025-10-16 10:00'));
    expect(closureAllowedFrom(policy, 'unconfirmed', since)).toEqual(shanghai('2025-09-16 10:00'));
  });

  it('C11: the reply after closing goes out within 1 working day — after National Day, or on the adjusted working Saturday', () => {
    expect(closingReplyBy(policy, calendar, shanghai('2025-09-30 16:00'))).toEqual(shanghai('2025-10-09 16:00'));
    expect(closingReplyBy(policy, calendar, shanghai('2025-10-10 18:00'))).toEqual(shanghai('2025-10-11 18:00'));
    expect(closingReplyBy(policy, calendar, shanghai('2025-10-03 12:00'))).toEqual(shanghai('2025-10-10 00:00'));
  });

  it('C3: the defaults are the documents’ numbers, and a test policy may compress working days to plain milliseconds', () => {
    const c = policy.complaint;
    expect([c.firstResponseWithinMs, c.generalResolveWithinMs, c.importantResolveWithinMs, c.majorResolveWithinMs]).toEqual([30 * MINUTE, 2 * DAY, 3 * DAY, 10 * DAY]);
    expect([c.generalFirstReplyWorkingDays, c.importantFirstReplyWorkingDays, c.majorFirstReplyWorkingDays, c.majorGroupReportWorkingDays, c.closingReplyWorkingDays]).toEqual([2, 1, 1, 2, 1]);
    expect(c.progressReportEveryMs).toBe(24 * HOUR);
    expect(c.workingDayMs).toBeUndefined();
    const fast = parsePolicy({ complaint: { workingDayMs: 2000 } });
    expect(workingDaysAfter(fast, calendar, shanghai('2025-09-30 10:00'), 2)).toEqual(new Date(shanghai('2025-09-30 10:00').getTime() + 4000));
  });
});
