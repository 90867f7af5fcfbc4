import {
  annualAppraisal,
  annualScore,
  entryRefusal,
  isMonthKept,
  isYearKept,
  keptFrom,
  monthlyAppraisal,
  monthlyAppraisalCsv,
  monthlyComposite,
  resultsScore,
} from '../../domain/appraisal';
import { DEFAULT_POLICY } from '../../domain/policy';
import { describePolicy } from '../../domain/policy-rules';

const record = (deadlinesMet: number, deadlinesMissed: number, returnVisitsSatisfied: number, returnVisitsUnsatisfied: number, escalationsCaused: number) => ({
  deadlinesMet,
  deadlinesMissed,
  returnVisitsSatisfied,
  returnVisitsUnsatisfied,
  escalationsCaused,
});

describe('P3 staff appraisal', () => {
  it('P3: the results part is 100 × (0.6 × met rate + 0.4 × satisfaction) − 5 per escalation, within 0–100', () => {
    // Met 2 of 3, satisfied 1 of 1, one escalation: 100 × (0.6 × 2/3 + 0.4 × 1) − 5 = 80 − 5 = 75.
    expect(resultsScore(record(2, 1, 1, 0, 1))).toBe(75);
    // Met 1 of 2, satisfied 1 of 2, one escalation: 100 × (0.3 + 0.2) − 5 = 45.
    expect(resultsScore(record(1, 1, 1, 1, 1))).toBe(45);
    // No visit answered: the deadlines carry the whole weight — 3 of 4 met = 75.
    expect(resultsScore(record(3, 1, 0, 0, 0))).toBe(75);
    // No deadline fell due: the visits do — 4 of 5 satisfied = 80.
    expect(resultsScore(record(0, 0, 4, 1, 0))).toBe(80);
    // Rounded to 0.1: 2 of 3 met = 66.67.
    expect(resultsScore(record(2, 1, 0, 0, 0))).toBe(66.7);
    // Never below 0.
    expect(resultsScore(record(0, 4, 0, 0, 4))).toBe(0);
    // A month that counted nothing has no results score (an unanswered or exempt visit counts neither way).
    expect(resultsScore(record(0, 0, 0, 0, 0))).toBeNull();
  });

  it('P3: the month is conduct 20 %, diligence 20 %, ability 30 %, results 30 % — once all four are there', () => {
    // 0.2 × 90 + 0.2 × 85 + 0.3 × 80 + 0.3 × 75 = 18 + 17 + 24 + 22.5 = 81.5.
    expect(monthlyComposite({ conduct: 90, diligence: 85, ability: 80, results: 75 })).toEqual({ composite: 81.5, missing: [] });
    expect(monthlyComposite({ conduct: 90, diligence: null, ability: 80, results: null })).toEqual({ composite: null, missing: ['diligence', 'results'] });
  });

  it('P3: the year is checks 20 %, the months 30 %, the year-end appraisal 50 %', () => {
    // Checks 90 and 80 → 85; months 81.5 and 78.5 → 80; year-end 88: 17 + 24 + 44 = 85.
    expect(annualScore({ checks: [90, 80], composites: [81.5, 78.5], yearEnd: 88 })).toEqual({ checks: 85, monthly: 80, yearEnd: 88, annual: 85, missing: [] });
    expect(annualScore({ checks: [], composites: [81.5], yearEnd: null })).toEqual({ checks: null, monthly: 81.5, yearEnd: null, annual: null, missing: ['checks', 'yearEnd'] });
  });

  it('P3: appraisals are kept 24 months (two years) by default; a year goes with its December', () => {
    expect(DEFAULT_POLICY.appraisal.keepMonths).toBe(24);
    expect(describePolicy({}).find((r) => r.key === 'appraisal.keepMonths')).toMatchObject({ rule: 'P3', unit: 'count', default: 24 });
    expect(DEFAULT_POLICY.schedules).toMatchObject({ appraisalDayOfMonth: 1, appraisalAt: '06:00' });
    // In December 2026 the 24 months before it are kept: December 2024 … November 2026.
    expect(keptFrom('2026-12', 24)).toBe('2024-12');
    expect(isMonthKept('2024-12', '2026-12', 24)).toBe(true);
    expect(isMonthKept('2024-11', '2026-12', 24)).toBe(false);
    expect(isYearKept(2024, '2026-12', 24)).toBe(true);
    expect(isYearKept(2023, '2026-12', 24)).toBe(false);
    // A month later, 2024 goes with its December.
    expect(keptFrom('2027-01', 24)).toBe('2025-01');
    expect(isYearKept(2024, '2027-01', 24)).toBe(false);
    expect(keptFrom('2026-03', 12)).toBe('2025-03');
  });

  it('P3: a month is appraised once it has ended and while it is kept, a year from its December; only case holders, never oneself', () => {
    const base = { currentMonth: '2026-12', keepMonths: 24, staffId: 'S-EN1', staff: { roles: ['engineer'] as const }, actorId: 'S-SV1' };
    expect(entryRefusal({ ...base, period: { month: '2026-11' } })).toBeNull();
    expect(entryRefusal({ ...base, period: { month: '2026-12' } })).toMatchObject({ reason: 'not-ended', param: 'month' });
    expect(entryRefusal({ ...base, period: { month: '2024-11' } })).toMatchObject({ reason: 'not-kept', param: 'month' });
    expect(entryRefusal({ ...base, period: { year: 2026 } })).toBeNull();
    expect(entryRefusal({ ...base, currentMonth: '2026-11', period: { year: 2026 } })).toMatchObject({ reason: 'not-ended', param: 'year' });
    expect(entryRefusal({ ...base, period: { year: 2023 } })).toMatchObject({ reason: 'not-kept', param: 'year' });
    expect(entryRefusal({ ...base, staffId: 'S-FD1', staff: { roles: ['frontdesk'] }, period: { month: '2026-11' } })).toMatchObject({ reason: 'not-a-case-holder' });
    expect(entryRefusal({ ...base, staff: null, period: { month: '2026-11' } })).toMatchObject({ reason: 'unknown-staff' });
    expect(entryRefusal({ ...base, actorId: 'S-EN1', period: { month: '2026-11' } })).toMatchObject({ reason: 'self' });
  });

  it('P3: a stored month shows its results as stored and the parts entered; a month not stored, the live results of every case holder', () => {
    const appraisal = monthlyAppraisal({
      propertyId: 'P001',
      month: '2026-11',
      holders: [
        { staffId: 'S-BT1', roles: ['butler'] },
        { staffId: 'S-EN1', roles: ['engineer'] },
        { staffId: 'S-SV1', roles: ['supervisor'] },
      ],
      live: [
        { staffId: 'S-EN1', ...record(9, 9, 9, 9, 9) },
        { staffId: 'S-BT1', ...record(3, 1, 0, 0, 0) },
      ],
      stored: [
        {
          staffId: 'S-EN1',
          month: '2026-11',
          results: record(2, 1, 1, 0, 1),
          resultsScore: 75,
          resultsAt: '2026-12-01T06:00:00.000Z',
          conduct: 90,
          diligence: 85,
          ability: 80,
          checks: 70,
          enteredBy: 'S-SV1',
          enteredAt: '2026-12-02T02:00:00.000Z',
        },
      ],
    });
    expect(appraisal.staff.map((s) => [s.staffId, s.resultsScore, s.composite, s.missing])).toEqual([
      ['S-BT1', 75, null, ['conduct', 'diligence', 'ability']],
      ['S-EN1', 75, 81.5, []],
      // A supervisor with no complaint this month: no results yet.
      ['S-SV1', null, null, ['conduct', 'diligence', 'ability', 'results']],
    ]);
    expect(appraisal.staff[1]).toMatchObject({ results: record(2, 1, 1, 0, 1), resultsAt: '2026-12-01T06:00:00.000Z', checks: 70, enteredBy: 'S-SV1' });
    expect(appraisal.staff[0].resultsAt).toBeNull();
    expect(monthlyAppraisalCsv(appraisal).split('\r\n')[2]).toBe('2026-11,S-EN1,engineer,2,1,1,0,1,75,90,85,80,81.5,70,2026-12-01T06:00:00.000Z,S-SV1');

    const stored = { staffId: 'S-EN1', results: record(2, 1, 1, 0, 1), resultsScore: 75, resultsAt: '', conduct: 90, diligence: 85, ability: 80, enteredBy: 'S-SV1', enteredAt: '' };
    const year = annualAppraisal({
      propertyId: 'P001',
      year: 2026,
      months: [
        { ...stored, month: '2026-10', composite: 78.5, checks: 90 },
        { ...stored, month: '2026-11', composite: 81.5, checks: 80 },
        // December of the year before is not this year's.
        { ...stored, month: '2025-12', composite: 10, checks: 10 },
      ],
      yearEnds: [{ staffId: 'S-EN1', yearEnd: 88 }],
    });
    expect(year.staff).toEqual([{ staffId: 'S-EN1', months: 2, composites: 2, checkedMonths: 2, checks: 85, monthly: 80, yearEnd: 88, annual: 85, missing: [] }]);
  });
});
