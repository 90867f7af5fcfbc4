import { DEFAULT_POLICY, DAY } from '../../domain/policy';
import { complaintVisits, isOverdue, returnVisitReport, returnVisitReportCsv, type ComplaintEventRow, type VisitFacts, type VisitSubject } from '../../domain/return-visit-report';

/** A local time in Shanghai, November 2026 unless said. */
const at = (day: number, hour = 10, month = 11) => new Date(`2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`);
const AS_OF = at(5, 10, 12);

const visit = (caseId: string, outcome: VisitFacts['outcome'], dueAt: Date | null, doneAt: Date | null, extra: Partial<VisitFacts> = {}): VisitFacts => ({
  caseId,
  outcome,
  exemptReason: null,
  dueAt,
  doneAt,
  missed: false,
  ...extra,
});
const repair = (caseId: string, areaId: string, engineerId: string | null, visits: VisitFacts[]): VisitSubject => ({ kind: 'repair', caseId, areaId, engineerId, visits });

/**
 * November's repairs, worked out by hand:
 * R1 satisfied in time; R2 unsatisfied, repaired again, then satisfied (counts by its latest visit);
 * R3 unreachable, after its due (its miss recorded); R4 waived by the supervisor; R5 still open past
 * its due of 1 December; R6 a leak waiting for rain (no due yet); R7 and R8 not done yet (R8 never
 * dispatched: no engineer).
 */
const REPAIRS: VisitSubject[] = [
  repair('R1', 'A1', 'S-EN1', [visit('RV-R1-1', 'satisfied', at(3), at(2))]),
  repair('R2', 'A1', 'S-EN1', [visit('RV-R2-1', 'unsatisfied', at(6), at(5)), visit('RV-R2-2', 'satisfied', at(10), at(9))]),
  repair('R3', 'A1', 'S-EN2', [visit('RV-R3-1', 'unreachable', at(5), at(6), { missed: true })]),
  repair('R4', 'A2', 'S-EN2', [visit('RV-R4-1', 'exempt', at(8), at(7), { exemptReason: '业主长期出差' })]),
  repair('R5', 'A2', 'S-EN1', [visit('RV-R5-1', null, at(1, 10, 12), null)]),
  repair('R6', 'A2', 'S-EN2', [visit('RV-R6-1', null, null, null)]),
  repair('R7', 'A1', 'S-EN1', []),
  repair('R8', 'A2', null, []),
];

const e = (action: string, when: Date, payload: Record<string, unknown> = {}): ComplaintEventRow => ({ action, at: when, payload });
const complaint = (caseId: string, areaId: string, status: string, events: ComplaintEventRow[]): VisitSubject => ({
  kind: 'complaint',
  caseId,
  areaId,
  engineerId: null,
  visits: complaintVisits({ caseId, status, events, policy: DEFAULT_POLICY }),
});

/**
 * November's resolved complaints: K1 satisfied; K2 three unanswered calls (V2: unreachable); K3
 * exempt as sensitive; K4 not visited, its C7 week missed; K5 anonymous (its quiet week, no visit);
 * K6 unsatisfied, handled again (C8), then satisfied three days after the second visit was due.
 */
const COMPLAINTS: VisitSubject[] = [
  complaint('K1', 'A1', 'closed', [e('recordHandling', at(3)), e('recordReturnVisit', at(5), { method: 'phone', satisfied: true })]),
  complaint('K2', 'A1', 'awaiting_return_visit', [
    e('recordHandling', at(10)),
    e('recordReturnVisit', at(11), { method: 'phone', answered: false }),
    e('recordReturnVisit', at(12, 18), { method: 'phone', answered: false }),
    e('recordReturnVisit', at(13, 9), { method: 'phone', answered: false }),
  ]),
  complaint('K3', 'A2', 'quiet_period', [e('recordHandling', at(12)), e('exempt', at(12, 11), { ground: 'sensitive', reason: '涉及隐私' })]),
  complaint('K4', 'A2', 'awaiting_return_visit', [e('recordHandling', at(20)), e('deadline-missed', at(27), { deadline: 'returnVisit', rule: 'C7' }), e('deadline-missed', at(22), { deadline: 'closingReply', rule: 'C11' })]),
  complaint('K5', 'A2', 'quiet_period', [e('recordHandling', at(25))]),
  complaint('K6', 'A1', 'closed', [
    e('recordHandling', at(4)),
    e('recordReturnVisit', at(6), { method: 'phone', satisfied: false }),
    e('recordHandling', at(15)),
    e('recordReturnVisit', at(25), { method: 'home-visit', answered: true, satisfied: true }),
  ]),
];

const counts = (subjects: number, visited: number, satisfied: number, unsatisfied: number, unreachable: number, exempted: number, open: number, notYet: number, overdue: number) => {
  const share = (n: number) => (subjects ? Math.round((n / subjects) * 1000) / 1000 : null);
  return { subjects, visited, satisfied, unsatisfied, unreachable, exempted, open, notYet, overdue, visitedShare: share(visited), satisfiedShare: share(satisfied), unreachableShare: share(unreachable), exemptedShare: share(exempted) };
};

describe('the return-visit report (R9/V4)', () => {
  it('V4: a complaint’s visits come from its audit log — answered, unreachable after the 3rd unanswered call, exempt with the ground, due a week after handling', () => {
    expect(DEFAULT_POLICY.returnVisit.maxAttempts).toBe(3);
    expect(DEFAULT_POLICY.complaint.returnVisitWithinMs).toBe(7 * DAY);
    const [k1, k2, k3, k4, k5, k6] = COMPLAINTS;
    expect(k1.visits).toEqual([visit('K1', 'satisfied', at(10), at(5))]);
    expect(k2.visits).toEqual([visit('K2', 'unreachable', at(17), at(13, 9))]);
    expect(k3.visits).toEqual([visit('K3', 'exempt', at(19), at(12, 11), { exemptReason: 'sensitive: 涉及隐私' })]);
    // Only the C7 deadline's miss is the visit's (C11's closing reply is another deadline).
    expect(k4.visits).toEqual([visit('K4', null, at(27), null, { missed: true })]);
    expect(k5.visits).toEqual([visit('K5', 'exempt', at(2, 10, 12), at(25), { exemptReason: 'anonymous' })]);
    expect(k6.visits).toEqual([visit('K6', 'unsatisfied', at(11), at(6)), visit('K6', 'satisfied', at(22), at(25))]);
    // Two unanswered calls are not yet unreachable.
    expect(complaintVisits({ caseId: 'K9', status: 'awaiting_return_visit', events: [e('recordHandling', at(10)), e('recordReturnVisit', at(11), { answered: false }), e('recordReturnVisit', at(12), { answered: false })], policy: DEFAULT_POLICY })[0].outcome).toBeNull();
  });

  it('R9: a visit is overdue when still open past its due or done after it; one waiting for rain is not', () => {
    expect(isOverdue(visit('a', null, at(1, 10, 12), null), AS_OF)).toBe(true);
    expect(isOverdue(visit('b', null, at(6, 10, 12), null), AS_OF)).toBe(false);
    expect(isOverdue(visit('c', 'satisfied', at(22), at(25)), AS_OF)).toBe(true);
    expect(isOverdue(visit('d', 'satisfied', at(22), at(21)), AS_OF)).toBe(false);
    expect(isOverdue(visit('e', null, null, null), AS_OF)).toBe(false);
    expect(isOverdue(visit('f', 'unreachable', null, at(6), { missed: true }), AS_OF)).toBe(true);
  });

  it('R9: the month’s valid repairs and V4: resolved complaints — visited, satisfied, unreachable, exempted with reasons, overdue — per area and engineer, worked out by hand', () => {
    const report = returnVisitReport({ propertyId: 'P001', month: '2026-11', timeZone: 'Asia/Shanghai', asOf: AS_OF, subjects: [...COMPLAINTS, ...REPAIRS] });
    expect(report.repairs).toEqual({
      // R1, R2 satisfied; R3 unreachable; R4 exempt; R5, R6 open; R7, R8 not yet; R3 and R5 overdue.
      total: counts(8, 2, 2, 0, 1, 1, 2, 2, 2),
      byArea: [
        { areaId: 'A1', ...counts(4, 2, 2, 0, 1, 0, 0, 1, 1) }, // R1 R2 R3 R7
        { areaId: 'A2', ...counts(4, 0, 0, 0, 0, 1, 2, 1, 1) }, // R4 R5 R6 R8
      ],
      byEngineer: [
        { engineerId: 'S-EN1', ...counts(4, 2, 2, 0, 0, 0, 1, 1, 1) }, // R1 R2 R5 R7
        { engineerId: 'S-EN2', ...counts(3, 0, 0, 0, 1, 1, 1, 0, 1) }, // R3 R4 R6
        { engineerId: null, ...counts(1, 0, 0, 0, 0, 0, 0, 1, 0) }, // R8
      ],
    });
    expect(report.repairs.total).toMatchObject({ visitedShare: 0.25, satisfiedShare: 0.25, unreachableShare: 0.125, exemptedShare: 0.125 });
    expect(report.complaints).toEqual({
      // K1, K6 satisfied; K2 unreachable; K3, K5 exempt; K4 open; K4 and K6 overdue.
      total: counts(6, 2, 2, 0, 1, 2, 1, 0, 2),
      byArea: [
        { areaId: 'A1', ...counts(3, 2, 2, 0, 1, 0, 0, 0, 1) }, // K1 K2 K6
        { areaId: 'A2', ...counts(3, 0, 0, 0, 0, 2, 1, 0, 1) }, // K3 K4 K5
      ],
    });
    expect(report.complaints.total.visitedShare).toBe(0.333);
    expect(report.exemptions).toEqual([
      { kind: 'complaint', subjectCaseId: 'K3', visitCaseId: 'K3', areaId: 'A2', engineerId: null, reason: 'sensitive: 涉及隐私' },
      { kind: 'complaint', subjectCaseId: 'K5', visitCaseId: 'K5', areaId: 'A2', engineerId: null, reason: 'anonymous' },
      { kind: 'repair', subjectCaseId: 'R4', visitCaseId: 'RV-R4-1', areaId: 'A2', engineerId: 'S-EN2', reason: '业主长期出差' },
    ]);
    expect(report.overdue.map((o) => [o.visitCaseId, o.dueAt, o.doneAt])).toEqual([
      ['K4', at(27).toISOString(), null],
      ['K6', at(22).toISOString(), at(25).toISOString()],
      ['RV-R3-1', at(5).toISOString(), at(6).toISOString()],
      ['RV-R5-1', at(1, 10, 12).toISOString(), null],
    ]);

    const csv = returnVisitReportCsv(report).split('\r\n');
    expect(csv[0]).toBe('\ufeffmonth,kind,dimension,key,subjects,visited,satisfied,unsatisfied,unreachable,exempted,open,not_yet,overdue,visited_share,satisfied_share,unreachable_share,exempted_share,reason');
    expect(csv[1]).toBe('2026-11,repair,total,all,8,2,2,0,1,1,2,2,2,0.25,0.25,0.125,0.125,');
    expect(csv).toContain('2026-11,repair,engineer,unassigned,1,0,0,0,0,0,0,1,0,0,0,0,0,');
    expect(csv).toContain('2026-11,complaint,area,A2,3,0,0,0,0,2,1,0,1,0,0,0,0.667,');
    expect(csv).toContain('2026-11,repair,exemption,RV-R4-1,,,,,,,,,,,,,,业主长期出差');
  });
});
