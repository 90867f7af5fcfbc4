import { buildCalendarSnapshot } from '../../domain/calendar-data';
import { DEFAULT_POLICY } from '../../domain/policy';
import { previewPolicy, type RecordedCase } from '../../domain/policy-preview';
import { applyPolicyChanges } from '../../domain/policy-rules';
import { at, generatedMonth, HAND_WORKED, MONTH, PROPOSAL } from '../helpers/policy-month';

const calendar = buildCalendarSnapshot({ fromYear: 2026, toYear: 2027, timeZone: 'Asia/Shanghai' });
const recorded = (): RecordedCase[] => generatedMonth().map((c) => ({ caseId: c.caseId, kind: c.kind, receivedAt: c.receivedAt, events: c.events, policy: DEFAULT_POLICY }));
const proposed = () => {
  const applied = applyPolicyChanges({}, PROPOSAL);
  if ('problems' in applied) throw new Error(JSON.stringify(applied.problems));
  return applied.effective;
};

describe('policy preview over the recorded audit log', () => {
  it('R2, R3, R4, C1, C3: its figures for a generated month match the month worked out by hand', () => {
    const preview = previewPolicy({ cases: recorded(), proposed: proposed(), from: MONTH.from, to: MONTH.to, calendar });
    expect(preview.outcomes).toBe(HAND_WORKED.outcomes);
    expect(preview.total).toEqual(HAND_WORKED.total);
    expect(preview.byRule).toEqual(HAND_WORKED.byRule);
    expect(preview.byStaff).toEqual(HAND_WORKED.byStaff);
    expect(preview.notPreviewed.map(({ reason, count }) => ({ reason, count }))).toEqual(HAND_WORKED.notPreviewed);
    expect(preview.differences).toHaveLength(HAND_WORKED.differences);
  });

  it('R2: a late acceptance by the engineer who missed it would have been in time; one by another engineer would not', () => {
    const preview = previewPolicy({ cases: recorded(), proposed: proposed(), from: MONTH.from, to: MONTH.to, calendar });
    expect(preview.differences.find((d) => d.caseId === 'R20261116-0001' && d.deadline === 'accept')).toEqual({
      caseId: 'R20261116-0001',
      kind: 'repair',
      deadline: 'accept',
      rule: 'R2',
      policyKey: 'repair.acceptWithin',
      ownerId: 'S-EN2',
      dueAt: at(11, 16, 10, 30),
      proposedDueAt: at(11, 16, 10, 45),
      doneAt: at(11, 16, 10, 32),
      recorded: 'missed',
      proposed: 'met',
      escalation: 'avoided',
    });
    expect(preview.differences.some((d) => d.caseId === 'R20261123-0001' && d.deadline === 'accept')).toBe(false);
  });

  it('C3: first replies count working days on the property calendar (Friday + 1 working day is Monday)', () => {
    const preview = previewPolicy({ cases: recorded(), proposed: proposed(), from: MONTH.from, to: MONTH.to, calendar });
    expect(preview.differences.find((d) => d.caseId === 'C20261106-0001' && d.deadline === 'firstReply')).toMatchObject({
      dueAt: at(11, 10, 10, 0),
      proposedDueAt: at(11, 9, 10, 0),
      doneAt: at(11, 9, 15, 0),
      recorded: 'met',
      proposed: 'missed',
      escalation: 'added',
    });
  });

  it('the policy a case ran on is what explains its due times: the same proposal changes nothing', () => {
    const preview = previewPolicy({ cases: recorded().map((c) => ({ ...c, policy: proposed() })), proposed: proposed(), from: MONTH.from, to: MONTH.to, calendar });
    expect(preview.total.metBecomesMissed + preview.total.missedBecomesMet).toBe(0);
    // The recorded due times are the defaults' and the cases are now said to have run on the proposal:
    // the log no longer explains them.
    expect(preview.notPreviewed.find((n) => n.reason === 'not-explained')?.count).toBeGreaterThan(0);
  });

  it('the documented defaults as the proposal: nothing differs', () => {
    const preview = previewPolicy({ cases: recorded(), proposed: DEFAULT_POLICY, from: MONTH.from, to: MONTH.to, calendar });
    expect(preview.total).toMatchObject({ deadlines: 87, metBecomesMissed: 0, missedBecomesMet: 0, escalationsAdded: 0, escalationsAvoided: 0 });
    expect(preview.differences).toEqual([]);
  });
});
