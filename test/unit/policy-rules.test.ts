import { DAY, DEFAULT_POLICY, HOUR, MINUTE } from '../../domain/policy';
import { applyPolicyChanges, describePolicy, durationInChinese, durationInWords, isoDuration, NOT_MANAGED, parseIsoDuration, POLICY_RULES } from '../../domain/policy-rules';

describe('the service policy as a manager reads and changes it', () => {
  it('durations read and write as ISO-8601 and in words', () => {
    expect(isoDuration(30 * MINUTE)).toBe('PT30M');
    expect(isoDuration(8 * HOUR)).toBe('PT8H');
    expect(isoDuration(2 * DAY)).toBe('P2D');
    expect(isoDuration(DAY + 12 * HOUR)).toBe('P1DT12H');
    expect(isoDuration(1500)).toBe('PT1.5S');
    expect(durationInWords(DAY + 12 * HOUR)).toBe('1 day 12 hours');
    expect(durationInWords(MINUTE)).toBe('1 minute');
    expect(durationInChinese(DAY + 30 * MINUTE)).toBe('1天30分钟');
    for (const text of ['PT30M', 'P2D', 'P1DT12H', 'P1W', 'PT1.5S', 'pt45m']) {
      const parsed = parseIsoDuration(text);
      expect('ms' in parsed && isoDuration(parsed.ms)).toBe(text === 'P1W' ? 'P7D' : text.toUpperCase());
    }
    expect(parseIsoDuration('P1M')).toEqual({ problem: expect.stringMatching(/years and months/) });
    expect(parseIsoDuration('P1Y2D')).toEqual({ problem: expect.stringMatching(/years and months/) });
    for (const bad of ['P', 'PT', '30 minutes', '-PT5M', 'PT-5M', 'P1DT']) expect(parseIsoDuration(bad)).toHaveProperty('problem');
  });

  it('every rule of the catalogue exists in the policy, with its default inside its bounds', () => {
    for (const rule of POLICY_RULES) {
      let value: unknown = DEFAULT_POLICY;
      for (const part of rule.path) value = (value as Record<string, unknown>)[part];
      expect({ key: rule.key, defined: value !== undefined }).toEqual({ key: rule.key, defined: true });
      if (typeof value === 'number') expect({ key: rule.key, inside: value >= rule.min && value <= rule.max }).toEqual({ key: rule.key, inside: true });
    }
  });

  it('every field of the policy is a rule of the catalogue, or deliberately not a manager’s', () => {
    const leaves = (value: unknown, path: string[] = []): string[] =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k])) : [path.join('.')];
    const optional = ['complaint.workingDayMs', 'survey.campaign.workingDayMs']; // absent from the defaults
    const fields = [...leaves(DEFAULT_POLICY), ...optional];
    const covered = new Set([...POLICY_RULES.map((r) => r.path.join('.')), ...NOT_MANAGED]);
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('R2: the view shows each rule’s default, the property’s value and the one in force', () => {
    const rules = describePolicy({ repair: { acceptWithinMs: 45 * MINUTE } });
    expect(rules.find((r) => r.key === 'repair.acceptWithin')).toEqual({
      key: 'repair.acceptWithin',
      rule: 'R2',
      unit: 'duration',
      description: expect.any(String),
      default: { ms: 30 * MINUTE, iso: 'PT30M', words: '30 minutes', wordsZh: '30分钟' },
      property: { ms: 45 * MINUTE, iso: 'PT45M', words: '45 minutes', wordsZh: '45分钟' },
      effective: { ms: 45 * MINUTE, iso: 'PT45M', words: '45 minutes', wordsZh: '45分钟' },
    });
    expect(rules.find((r) => r.key === 'complaint.generalFirstReplyWorkingDays')).toMatchObject({ rule: 'C3', default: 2, property: null, effective: 2 });
  });

  it('a change is stored in the policy’s own units; null returns a rule to its default', () => {
    const applied = applyPolicyChanges({ repair: { acceptWithinMs: 45 * MINUTE }, complaint: { workingDayMs: 100 } }, {
      'repair.acceptWithin': null,
      'repair.urgentArriveWithin': 'PT15M',
      'complaint.generalFirstReplyWorkingDays': 3,
      'schedules.reconciliationMorningAt': '08:30',
    });
    if ('problems' in applied) throw new Error(JSON.stringify(applied.problems));
    expect(applied.stored).toEqual({ repair: { urgentArriveWithinMs: 15 * MINUTE }, complaint: { workingDayMs: 100, generalFirstReplyWorkingDays: 3 }, schedules: { reconciliationMorningAt: '08:30' } });
    expect(applied.effective.repair.acceptWithinMs).toBe(30 * MINUTE);
    expect(applied.changes).toEqual([
      { key: 'repair.acceptWithin', old: 45 * MINUTE, new: null },
      { key: 'repair.urgentArriveWithin', old: null, new: 15 * MINUTE },
      { key: 'complaint.generalFirstReplyWorkingDays', old: null, new: 3 },
      { key: 'schedules.reconciliationMorningAt', old: null, new: '08:30' },
    ]);
    expect(applied.warnings).toEqual([]);
  });

  it('negative, absurd, misspelt and unordered values are refused, naming the rule', () => {
    const refused = (changes: Record<string, string | number | null>) => {
      const result = applyPolicyChanges({}, changes);
      return 'problems' in result ? result.problems : [];
    };
    expect(refused({ 'repair.acceptWithin': '-PT5M' })).toEqual([{ key: 'repair.acceptWithin', reason: expect.stringMatching(/ISO-8601/) }]);
    expect(refused({ 'repair.acceptWithin': 'PT0S' })).toEqual([{ key: 'repair.acceptWithin', reason: 'at least PT1M (1 minute)' }]);
    expect(refused({ 'repair.acceptWithin': 'P400D' })).toEqual([{ key: 'repair.acceptWithin', reason: 'at most P1D (1 day)' }]);
    expect(refused({ 'repair.acceptWithin': 1800000 })).toEqual([{ key: 'repair.acceptWithin', reason: expect.stringMatching(/ISO-8601/) }]);
    expect(refused({ 'repair.acceptWithinMs': 'PT5M' })).toEqual([{ key: 'repair.acceptWithinMs', reason: expect.stringMatching(/did you mean repair.acceptWithin/) }]);
    expect(refused({ warningFraction: 1 })).toEqual([{ key: 'warningFraction', reason: 'at most 0.95' }]);
    expect(refused({ 'complaint.generalFirstReplyWorkingDays': 1.5 })).toEqual([{ key: 'complaint.generalFirstReplyWorkingDays', reason: expect.stringMatching(/whole number/) }]);
    expect(refused({ 'schedules.surveyRunAt': '25:00' })).toEqual([{ key: 'schedules.surveyRunAt', reason: expect.stringMatching(/HH:MM/) }]);
    // R3: on site before the repair is due; the reminder before the invitation closes.
    expect(refused({ 'repair.urgentArriveWithin': 'PT9H' })).toEqual([{ key: 'repair.urgentArriveWithin', reason: expect.stringMatching(/^R3: someone is on site/) }]);
    expect(refused({ 'survey.window': 'P2D' })).toEqual([{ key: 'survey.window', reason: expect.stringMatching(/reminder goes out while the invitation is still open/) }]);
  });

  it('a value far from the documented default is allowed with a warning', () => {
    const applied = applyPolicyChanges({}, { 'repair.generalRepairWithin': 'P1D' });
    expect('warnings' in applied && applied.warnings).toEqual([{ key: 'repair.generalRepairWithin', reason: '1 day is far from the documented default of 2 hours' }]);
  });
});
