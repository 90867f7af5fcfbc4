import { compressPolicy, DAY, DEFAULT_POLICY, HOUR, MINUTE, parsePolicy } from '../../domain/policy';

describe('service policy defaults are the company documents’ numbers', () => {
  const repair = DEFAULT_POLICY.repair;
  it('R2: the engineer accepts within 30 min', () => expect(repair.acceptWithinMs).toBe(30 * MINUTE));
  it('R3: urgent on site within 20 min and repaired within 8 h', () => {
    expect(repair.urgentArriveWithinMs).toBe(20 * MINUTE);
    expect(repair.urgentRepairWithinMs).toBe(8 * HOUR);
  });
  it('R4: general repaired within 2 h of dispatch', () => expect(repair.generalRepairWithinMs).toBe(2 * HOUR));
  it('R5: the customer is reminded one day before a major repair', () => expect(repair.majorReminderBeforeMs).toBe(DAY));
  it('R7: a public-facility repair starts within 2 days', () => expect(repair.publicFacilityStartWithinMs).toBe(2 * DAY));
  it('R9: return visits within 24 h (urgent water/electricity, neighbours, danger) or 2 days', () => {
    expect(repair.returnVisitUrgentWithinMs).toBe(24 * HOUR);
    expect(repair.returnVisitWithinMs).toBe(2 * DAY);
  });
  it('R11: two failed attempts open a major complaint', () => expect(repair.failedAttemptsForMajorComplaint).toBe(2));
  it('V2: three unanswered calls make a customer unreachable', () => expect(DEFAULT_POLICY.returnVisit.maxAttempts).toBe(3));

  it('a property overrides one number and keeps every other default', () => {
    const policy = parsePolicy({ repair: { urgentArriveWithinMs: 15 * MINUTE } });
    expect(policy.repair.urgentArriveWithinMs).toBe(15 * MINUTE);
    expect(policy.repair.acceptWithinMs).toBe(30 * MINUTE);
    expect(policy.timeZone).toBe('Asia/Shanghai');
  });

  it('a nonsensical override is refused', () => {
    expect(() => parsePolicy({ repair: { acceptWithinMs: -5 } })).toThrow();
    expect(() => parsePolicy({ warningFraction: 1.5 })).toThrow();
  });

  it('compression divides every duration and keeps counts and fractions', () => {
    const fast = compressPolicy(DEFAULT_POLICY, 600);
    expect(fast.repair.acceptWithinMs).toBe(3000);
    expect(fast.repair.failedAttemptsForMajorComplaint).toBe(2);
    expect(fast.warningFraction).toBe(0.75);
    expect(fast.timeZone).toBe('Asia/Shanghai');
  });
});
