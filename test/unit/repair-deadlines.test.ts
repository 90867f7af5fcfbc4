import { DEFAULT_POLICY } from '../../domain/policy';
import { acceptBy, arriveBy, publicFacilityStartBy, reminderAt, repairBy } from '../../domain/repair-deadlines';

const at = (iso: string) => new Date(iso);
const dispatchedAt = at('2026-11-22T15:40:00Z'); // 23:40 in Shanghai

describe('repair deadlines with the documents’ numbers', () => {
  it('R2: a work order sent at 23:40 is to be accepted by 00:10', () => {
    expect(acceptBy(DEFAULT_POLICY, dispatchedAt).toISOString()).toBe('2026-11-22T16:10:00.000Z');
  });

  it('R3: an urgent repair dispatched at 23:40 has someone on site by 00:00 and is repaired by 07:40', () => {
    expect(arriveBy(DEFAULT_POLICY, { classification: 'urgent', dispatchedAt })).toEqual({ dueAt: at('2026-11-22T16:00:00Z'), rule: 'R3' });
    expect(repairBy(DEFAULT_POLICY, { classification: 'urgent', dispatchedAt })).toEqual({ dueAt: at('2026-11-22T23:40:00Z'), rule: 'R3' });
  });

  it('R4: a general repair is done within 2 h of dispatch and has no arrival promise of its own', () => {
    expect(repairBy(DEFAULT_POLICY, { classification: 'general', dispatchedAt })).toEqual({ dueAt: at('2026-11-22T17:40:00Z'), rule: 'R4' });
    expect(arriveBy(DEFAULT_POLICY, { classification: 'general', dispatchedAt })).toBeUndefined();
  });

  it('R5: a major repair is kept at its appointment, has no 2 h / 8 h clock, and is reminded exactly one day before', () => {
    const appointmentAt = '2026-11-25T02:00:00.000Z';
    expect(arriveBy(DEFAULT_POLICY, { classification: 'major', dispatchedAt, appointmentAt })).toEqual({ dueAt: at(appointmentAt), rule: 'R5' });
    expect(repairBy(DEFAULT_POLICY, { classification: 'major', dispatchedAt, appointmentAt })).toBeUndefined();
    expect(reminderAt(DEFAULT_POLICY, appointmentAt).toISOString()).toBe('2026-11-24T02:00:00.000Z');
  });

  it('R6: after a new appointment the clocks start from it — on site at the appointment, repaired 2 h (general) or 8 h (urgent) later', () => {
    const appointmentAt = '2026-11-23T06:00:00.000Z';
    expect(arriveBy(DEFAULT_POLICY, { classification: 'general', dispatchedAt, appointmentAt })).toEqual({ dueAt: at(appointmentAt), rule: 'R6' });
    expect(repairBy(DEFAULT_POLICY, { classification: 'general', dispatchedAt, appointmentAt })!.dueAt.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(repairBy(DEFAULT_POLICY, { classification: 'urgent', dispatchedAt, appointmentAt })!.dueAt.toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });

  it('R7: a public-facility repair reported on Sunday 23:40 is started by Tuesday 23:40', () => {
    expect(publicFacilityStartBy(DEFAULT_POLICY, '2026-11-22T15:40:00.000Z').toISOString()).toBe('2026-11-24T15:40:00.000Z');
  });
});
