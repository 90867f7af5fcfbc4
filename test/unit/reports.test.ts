/** The pure report aggregations of docs/rules.md §7, on small hand-made inputs whose numbers are worked out here. */
import {
  analyseComplaints,
  complaintAnalysisCsv,
  dayRange,
  monthRange,
  previousMonth,
  repairProgress,
  staffResults,
  staffResultsCsv,
  staffResultsFromCounts,
  toCsv,
  type ComplaintRow,
  type RepairRow,
} from '../../domain/reports';

const TZ = 'Asia/Shanghai';
const at = (local: string) => new Date(`${local}+08:00`);

describe('report periods in the property time zone', () => {
  it('P1: run on 2 December (or at 00:30 on 1 December local, still 30 November UTC) it analyses November', () => {
    expect(previousMonth(at('2026-12-02T08:00:00'), TZ)).toBe('2026-11');
    expect(previousMonth(at('2026-12-01T00:30:00'), TZ)).toBe('2026-11');
    expect(previousMonth(at('2027-01-02T08:00:00'), TZ)).toBe('2026-12');
  });

  it('P1: a local month starts and ends at local midnight', () => {
    expect(monthRange('2026-11', TZ)).toEqual({ from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') });
    expect(monthRange('2026-12', TZ).to).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(dayRange('2026-03-01', TZ)).toEqual({ from: new Date('2026-02-28T16:00:00Z'), to: new Date('2026-03-01T16:00:00Z') });
  });
});

describe('P1 monthly complaint analysis', () => {
  const row = (caseId: string, over: Partial<ComplaintRow>): ComplaintRow => ({
    caseId, category: 'environment', severity: 'general', areaId: 'A1', channel: 'phone', householdId: null, issueKey: null,
    status: 'archived', receivedAt: at('2026-11-10T09:00:00'), closedAt: null, ...over,
  });
  const rows: ComplaintRow[] = [
    // 10 h and 30 h to close; the same household twice, same issue.
    row('C1', { householdId: 'H1', issueKey: 'lift-3', category: 'engineering', closedAt: at('2026-11-10T19:00:00') }),
    row('C2', { householdId: 'H1', issueKey: 'lift-3', category: 'engineering', severity: 'major', closedAt: at('2026-11-11T15:00:00'), channel: 'wechat' }),
    // A third complaint on the issue from another household, still open at the month's end.
    row('C3', { householdId: 'H2', issueKey: 'lift-3', category: 'engineering', severity: 'major', areaId: 'A2', status: 'handling' }),
    // Closed after the month: counts as open at month end, no resolution time this month.
    row('C4', { householdId: 'H3', closedAt: at('2026-12-01T10:00:00') }),
    // Invalid: counted, but neither resolved nor open.
    row('C5', { status: 'invalid', closedAt: at('2026-11-10T10:00:00') }),
    // Received at 23:30 on 31 October local: October, not in the report.
    row('C6', { receivedAt: at('2026-10-31T23:30:00') }),
    // Received at 00:10 on 1 November local (31 October UTC): November.
    row('C7', { receivedAt: at('2026-11-01T00:10:00'), closedAt: at('2026-11-01T02:10:00'), channel: 'app' }),
  ];

  it('P1: counts by category, severity, area and channel with resolution times and repeat issues, worked out by hand', () => {
    const a = analyseComplaints({ propertyId: 'P001', month: '2026-11', timeZone: TZ, rows });
    // November: C1 C2 C3 C4 C5 C7 = 6; resolved C1 (10 h), C2 (30 h), C7 (2 h): mean 14, median 10.
    expect(a.total).toEqual({ key: 'all', complaints: 6, resolved: 3, meanResolutionHours: 14, medianResolutionHours: 10 });
    expect(a.invalid).toBe(1);
    expect(a.openAtMonthEnd).toBe(2); // C3, C4
    expect(a.byCategory).toEqual([
      { key: 'engineering', complaints: 3, resolved: 2, meanResolutionHours: 20, medianResolutionHours: 20 },
      { key: 'environment', complaints: 3, resolved: 1, meanResolutionHours: 2, medianResolutionHours: 2 },
    ]);
    expect(a.bySeverity.map((b) => [b.key, b.complaints, b.resolved])).toEqual([['general', 4, 2], ['major', 2, 1]]);
    expect(a.byArea.map((b) => [b.key, b.complaints])).toEqual([['A1', 5], ['A2', 1]]);
    expect(a.byChannel.map((b) => [b.key, b.complaints])).toEqual([['phone', 4], ['app', 1], ['wechat', 1]]);
    expect(a.repeatIssues).toEqual([{ issueKey: 'lift-3', complaints: 3, households: 2, caseIds: ['C1', 'C2', 'C3'] }]);
    expect(a.repeatHouseholds).toEqual([{ householdId: 'H1', complaints: 2, caseIds: ['C1', 'C2'] }]);
    const csv = complaintAnalysisCsv(a).split('\r\n');
    expect(csv[0]).toBe('dimension,key,complaints,resolved,mean_resolution_hours,median_resolution_hours');
    expect(csv[1]).toBe('total,all,6,3,14,10');
    expect(csv).toContain('repeat_issue,lift-3,3,,,');
  });
});

describe('P3 per-staff results', () => {
  const month = { propertyId: 'P001', month: '2026-11', timeZone: TZ };
  const events = [
    { action: 'deadline-met', at: at('2026-11-03T10:00:00'), ownerId: 'S-EN1' },
    { action: 'deadline-met', at: at('2026-11-04T10:00:00'), ownerId: 'S-EN1' },
    { action: 'deadline-missed', at: at('2026-11-05T10:00:00'), ownerId: 'S-EN1' },
    { action: 'escalated', at: at('2026-11-05T10:00:00'), ownerId: 'S-EN1' },
    { action: 'deadline-missed', at: at('2026-11-05T10:00:00'), ownerId: 'S-EN2' },
    { action: 'deadline-met', at: at('2026-12-01T00:00:01'), ownerId: 'S-EN2' }, // December
    { action: 'deadline-missed', at: at('2026-11-06T10:00:00'), ownerId: null }, // nobody held it
    { action: 'sla-warning', at: at('2026-11-06T10:00:00'), ownerId: 'S-EN2' }, // not a result
  ];
  const visits = [
    { closedAt: at('2026-11-07T10:00:00'), outcome: 'satisfied', engineerId: 'S-EN1' },
    { closedAt: at('2026-11-08T10:00:00'), outcome: 'unsatisfied', engineerId: 'S-EN1' },
    { closedAt: at('2026-11-08T10:00:00'), outcome: 'unreachable', engineerId: 'S-EN2' },
    { closedAt: at('2026-11-09T10:00:00'), outcome: 'satisfied', engineerId: 'S-EN2' },
  ];

  it('P3: deadlines met and missed, return-visit satisfaction and escalations per staff member in the month', () => {
    const r = staffResults({ ...month, events, visits });
    expect(r.staff).toEqual([
      { staffId: 'S-EN1', deadlinesMet: 2, deadlinesMissed: 1, metRate: 0.667, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 1, satisfactionRate: 0.5, escalationsCaused: 1 },
      { staffId: 'S-EN2', deadlinesMet: 0, deadlinesMissed: 1, metRate: 0, returnVisitsSatisfied: 1, returnVisitsUnsatisfied: 0, satisfactionRate: 1, escalationsCaused: 0 },
    ]);
    expect(staffResultsCsv(r).split('\r\n')[1]).toBe('2026-11,S-EN1,2,1,0.667,1,1,0.5,1');
  });

  it('P3: the month\'s counts per staff member and action, as the database hands them over, give the same results as the events', () => {
    const fromEvents = staffResults({ ...month, events, visits });
    // What the month's query returns for the same events: November only, the three result actions.
    const fromCounts = staffResultsFromCounts({
      ...month,
      events: [
        { action: 'deadline-missed', ownerId: 'S-EN2', count: 1 },
        { action: 'deadline-met', ownerId: 'S-EN1', count: 2 },
        { action: 'escalated', ownerId: 'S-EN1', count: 1 },
        { action: 'deadline-missed', ownerId: 'S-EN1', count: 1 },
        { action: 'deadline-missed', ownerId: null, count: 1 },
      ],
      visits: [
        { outcome: 'unreachable', engineerId: 'S-EN2', count: 1 },
        { outcome: 'satisfied', engineerId: 'S-EN1', count: 1 },
        { outcome: 'unsatisfied', engineerId: 'S-EN1', count: 1 },
        { outcome: 'satisfied', engineerId: 'S-EN2', count: 1 },
      ],
    });
    expect(fromCounts).toEqual(fromEvents);
    expect(staffResultsCsv(fromCounts)).toBe(staffResultsCsv(fromEvents));
  });
});

describe('P2 daily repair progress', () => {
  const repair = (caseId: string, over: Partial<RepairRow>): RepairRow => ({
    caseId, areaId: 'A1', severity: 'general', status: 'dispatched', slaState: 'ok', escalated: false, assigneeId: 'S-EN1',
    receivedAt: at('2026-11-20T09:00:00'), closedAt: null, ...over,
  });
  it('P2: received, closed and open at the end of the day, by status, class and area', () => {
    const p = repairProgress({
      propertyId: 'P001',
      date: '2026-11-20',
      timeZone: TZ,
      rows: [
        repair('R1', { closedAt: at('2026-11-20T12:00:00'), status: 'closed' }),
        repair('R2', { severity: 'urgent', slaState: 'breached', status: 'on_site' }),
        repair('R3', { receivedAt: at('2026-11-19T15:00:00'), areaId: 'A2' }), // open from the day before: 33 h old at midnight
        repair('R4', { receivedAt: at('2026-11-19T15:00:00'), closedAt: at('2026-11-19T18:00:00'), status: 'closed' }), // closed before
        repair('R5', { receivedAt: at('2026-11-21T08:00:00') }), // the next day
        repair('R6', { closedAt: at('2026-11-21T08:00:00'), status: 'closed' }), // still open at midnight
      ],
    });
    expect(p).toMatchObject({ received: 3, closed: 1, openAtEndOfDay: 3, openBreached: 1 });
    expect(p.openByStatus).toEqual({ dispatched: 1, on_site: 1, 'closed-later': 1 });
    expect(p.openByClassification).toEqual({ general: 2, urgent: 1 });
    expect(p.byArea).toEqual([{ areaId: 'A1', received: 3, closed: 1, open: 2 }, { areaId: 'A2', received: 0, closed: 0, open: 1 }]);
    expect(p.open.map((o) => [o.caseId, o.ageHours])).toEqual([['R3', 33], ['R2', 15], ['R6', 15]]);
  });

  it('P2: CSV fields with commas or quotes are quoted', () => {
    expect(toCsv([['a', 'b,c', 'd"e', null, 1]])).toBe('a,"b,c","d""e",,1\r\n');
  });
});
