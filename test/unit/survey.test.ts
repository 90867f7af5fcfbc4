import { DEFAULT_POLICY, DAY } from '../../domain/policy';
import {
  chooseWithoutReplacement,
  distributionQuota,
  halfYearOf,
  monthCloseAt,
  monthlyQuota,
  monthOf,
  monthTopic,
  monthsLeftInHalfYear,
  monthsOfHalfYear,
  needsFollowUp,
  occupancyYears,
  occupiedOn,
  recovery,
  sampleMonth,
  seededRandom,
  shortAreas,
  surveyWindow,
  topicOf,
  type AreaPool,
} from '../../domain/survey';

const households = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);

describe('survey sampling (S1)', () => {
  it('S1: the half-year is Jan–Jun / Jul–Dec in the property time zone', () => {
    // 2026-06-30 17:00 UTC is already 1 July in Shanghai.
    expect(monthOf(new Date('2026-06-30T17:00:00Z'), 'Asia/Shanghai')).toBe('2026-07');
    expect(halfYearOf('2026-06')).toBe('2026-H1');
    expect(halfYearOf('2026-07')).toBe('2026-H2');
    expect(monthsOfHalfYear('2026-H2')).toEqual(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(monthsLeftInHalfYear('2026-01')).toBe(6);
    expect(monthsLeftInHalfYear('2026-06')).toBe(1);
    expect(monthsLeftInHalfYear('2026-11')).toBe(2);
  });

  it('S1: quota is max(ceil(10 % of occupied), ceil(not yet consulted / months left)), from the not-yet-consulted', () => {
    // 104 households, first month: 104 / 6 → 18 (more than the 11 of 10 %).
    expect(monthlyQuota({ occupied: 104, notConsulted: 104, monthsLeft: 6, minFraction: 0.1 })).toEqual({ minimum: 11, fromPool: 18, topUp: 0 });
    // Last month: everything left.
    expect(monthlyQuota({ occupied: 104, notConsulted: 17, monthsLeft: 1, minFraction: 0.1 })).toEqual({ minimum: 11, fromPool: 17, topUp: 0 });
    // Few left, many months: 10 % still holds.
    expect(monthlyQuota({ occupied: 100, notConsulted: 12, monthsLeft: 4, minFraction: 0.1 })).toEqual({ minimum: 10, fromPool: 10, topUp: 0 });
    // Everyone consulted already: 10 % again, as a top-up.
    expect(monthlyQuota({ occupied: 100, notConsulted: 3, monthsLeft: 2, minFraction: 0.1 })).toEqual({ minimum: 10, fromPool: 3, topUp: 7 });
    expect(monthlyQuota({ occupied: 0, notConsulted: 0, monthsLeft: 3, minFraction: 0.1 })).toEqual({ minimum: 0, fromPool: 0, topUp: 0 });
  });

  it('S1: the seeded choice is reproducible, without replacement, and independent of the order the pool is read in', () => {
    const pool = households('A1', 50);
    const a = chooseWithoutReplacement(pool, 10, seededRandom(42));
    const b = chooseWithoutReplacement([...pool].reverse(), 10, seededRandom(42));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(10);
    expect(chooseWithoutReplacement(pool, 10, seededRandom(43))).not.toEqual(a);
    expect(chooseWithoutReplacement(pool, 80, seededRandom(1))).toHaveLength(50);
  });

  it('S1: six months cover every occupied household of each area, at least 10 % each month, with move-ins joining the pool', () => {
    const areas: Record<string, string[]> = { A1: households('A1', 104), A2: households('A2', 37) };
    const consulted: Record<string, Set<string>> = { A1: new Set(), A2: new Set() };
    for (const [i, month] of monthsOfHalfYear('2027-H1').entries()) {
      if (month === '2027-03') areas.A2.push('A2-new-1', 'A2-new-2'); // moved in mid-half-year
      const pools: AreaPool[] = Object.entries(areas).map(([areaId, occupied]) => ({ areaId, occupied, consulted: [...consulted[areaId]] }));
      const sample = sampleMonth(pools, { month, seed: 1000 + i, minFraction: 0.1 });
      for (const s of sample) {
        expect(s.chosen.length).toBeGreaterThanOrEqual(Math.ceil(areas[s.areaId].length * 0.1));
        for (const h of s.chosen) {
          if (!s.toppedUp.includes(h)) expect(consulted[s.areaId].has(h)).toBe(false);
          consulted[s.areaId].add(h);
        }
      }
      // The same seed recomputes the same month (the audit).
      expect(sampleMonth(pools, { month, seed: 1000 + i, minFraction: 0.1 })).toEqual(sample);
    }
    for (const [areaId, occupied] of Object.entries(areas)) expect([...consulted[areaId]].sort()).toEqual([...occupied].sort());
  });

  it('S1: consulted means answered — a household whose invitation closed unanswered is in the pool again; one still open is not asked twice at once', () => {
    const occupied = households('A1', 20);
    // January: 4 chosen; two answered, one closed unanswered, one still open (a long window).
    const [answered1, answered2, expired, open] = occupied;
    const pool: AreaPool = { areaId: 'A1', occupied, consulted: [answered1, answered2], pending: [open] };
    const [february] = sampleMonth([pool], { month: '2026-02', seed: 7, minFraction: 0.1 });
    // 20 − 2 answered − 1 open = 17 not consulted, 5 months left: ceil(17 / 5) = 4 (more than the 2 of 10 %).
    expect(february.notConsulted).toBe(17);
    expect(february.quota).toEqual({ minimum: 2, fromPool: 4, topUp: 0 });
    expect(february.chosen).not.toContain(answered1);
    expect(february.chosen).not.toContain(answered2);
    expect(february.chosen).not.toContain(open);
    // The expired one is back in the pool: a seed that picks it exists among the first hundred.
    const picks = Array.from({ length: 100 }, (_, seed) => sampleMonth([pool], { month: '2026-02', seed, minFraction: 0.1 })[0].chosen);
    expect(picks.some((chosen) => chosen.includes(expired))).toBe(true);
    expect(picks.every((chosen) => !chosen.includes(open) && !chosen.includes(answered1))).toBe(true);
    // June, everyone else answered: the two without an answer are what is left, the open one still not twice.
    const june = sampleMonth([{ areaId: 'A1', occupied, consulted: occupied.filter((h) => h !== expired && h !== open), pending: [open] }], { month: '2026-06', seed: 1, minFraction: 0.1 })[0];
    expect(june.notConsulted).toBe(1);
    expect(june.chosen).toContain(expired);
    expect(june.chosen).not.toContain(open);
    // 10 % is 2: one more is topped up from those who answered, never the open one.
    expect(june.chosen).toHaveLength(2);
    expect(june.toppedUp).toHaveLength(1);
  });

  it('S1: the month closes at its end (property time), or when a late run’s invitations close — 14 days after the last was sent', () => {
    const windowMs = DEFAULT_POLICY.survey.windowMs;
    expect(windowMs).toBe(14 * DAY);
    // The schedule's run on 1 November 09:00 (Shanghai): the invitations close on the 15th, the month at midnight on 1 December.
    expect(monthCloseAt({ month: '2026-11', timeZone: 'Asia/Shanghai', lastInvitedAt: new Date('2026-11-01T09:00:00+08:00'), windowMs })).toEqual(new Date('2026-12-01T00:00:00+08:00'));
    // A run on the 28th (the policy allows it): counted when its invitations close, 12 December 09:00.
    expect(monthCloseAt({ month: '2026-11', timeZone: 'Asia/Shanghai', lastInvitedAt: new Date('2026-11-28T09:00:00+08:00'), windowMs })).toEqual(new Date('2026-12-12T09:00:00+08:00'));
    // The month's end is local: in Los Angeles November ends at 08:00 UTC on 1 December.
    expect(monthCloseAt({ month: '2026-11', timeZone: 'America/Los_Angeles', lastInvitedAt: new Date('2026-11-01T09:00:00-07:00'), windowMs })).toEqual(new Date('2026-12-01T08:00:00Z'));
  });

  it('S1: an area short of its 10 % of answers at the close is reported with how many are missing', () => {
    const areas = [
      { areaId: 'A1', occupied: 104, minimum: 11, answered: 10 },
      { areaId: 'A2', occupied: 105, minimum: 11, answered: 11 },
      { areaId: 'A3', occupied: 30, minimum: 3, answered: 0 },
    ];
    expect(shortAreas(areas)).toEqual([
      { areaId: 'A1', occupied: 104, minimum: 11, answered: 10, missing: 1 },
      { areaId: 'A3', occupied: 30, minimum: 3, answered: 0, missing: 3 },
    ]);
    expect(DEFAULT_POLICY.survey.minMonthlyFraction).toBe(0.1);
  });

  it('S1: the centre may choose a month’s topic; without a choice it rotates', () => {
    expect(monthTopic('2026-11')).toBe(topicOf('2026-11'));
    expect(monthTopic('2026-11', 'cleaning')).toBe('cleaning');
    expect(monthTopic('2026-11', null)).toBe(topicOf('2026-11'));
  });

  it('S1: a household is occupied from its move-in date until it moves out', () => {
    expect(occupiedOn({ moveInDate: '2026-03-15' }, '2026-03-14')).toBe(false);
    expect(occupiedOn({ moveInDate: '2026-03-15' }, '2026-03-15')).toBe(true);
    expect(occupiedOn({ moveInDate: '2026-03-15', moveOutDate: '2026-05-01' }, '2026-05-01')).toBe(false);
    expect(occupiedOn({ moveInDate: null }, '2026-05-01')).toBe(false);
  });

  it('S2: the topic rotates through all eight, a different one each month', () => {
    const topics = Array.from({ length: 8 }, (_, i) => topicOf(`2026-${String(i + 1).padStart(2, '0')}`));
    expect(new Set(topics).size).toBe(8);
    expect(topicOf('2026-09')).toBe(topicOf('2026-01'));
  });
});

describe('survey answers and windows', () => {
  it('S6: a score of 2 or less, or any complaint text, needs a follow-up; 3 without complaint does not', () => {
    expect(needsFollowUp(DEFAULT_POLICY, { score: 2 })).toEqual({ reason: expect.stringContaining('low survey score 2/5') });
    expect(needsFollowUp(DEFAULT_POLICY, { score: 5, complaint: '电梯经常坏' })).toEqual({ reason: expect.stringContaining('complaint') });
    expect(needsFollowUp(DEFAULT_POLICY, { score: 3, comment: '还行' })).toBeUndefined();
  });

  it('the invitation works 14 days and is reminded 3 days before it closes', () => {
    const at = new Date('2026-11-01T01:00:00Z');
    const { closesAt, remindAt } = surveyWindow(DEFAULT_POLICY, at);
    expect(closesAt.getTime() - at.getTime()).toBe(14 * DAY);
    expect(closesAt.getTime() - remindAt.getTime()).toBe(3 * DAY);
  });
});

describe('half-yearly questionnaire (S4, S5)', () => {
  it('S5: 20 % of households under 3 years of occupancy, 15 % from 3 years on; recovery target 90 %', () => {
    expect(occupancyYears('2024-06-01', '2027-05-31')).toBe(2);
    expect(occupancyYears('2024-06-01', '2027-06-01')).toBe(3);
    expect(distributionQuota(DEFAULT_POLICY, 208, 2)).toBe(42);
    expect(distributionQuota(DEFAULT_POLICY, 208, 3)).toBe(32);
    expect(distributionQuota(DEFAULT_POLICY, 200, 1)).toBe(40);
    expect(recovery(DEFAULT_POLICY, 40, 36)).toEqual({ rate: 0.9, behind: false });
    expect(recovery(DEFAULT_POLICY, 40, 35).behind).toBe(true);
  });

  it('S4: defaults are 7 working days to distribute and 15 to collect', () => {
    expect(DEFAULT_POLICY.survey.campaign).toMatchObject({ distributeWithinWorkingDays: 7, collectWithinWorkingDays: 15, recoveryTarget: 0.9 });
  });
});
