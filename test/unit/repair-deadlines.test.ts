import { DEFAULT_POLICY } from '../../domain/policy';
import { acceptBy, arriveBy, publicFacilityStartBy, reminderAt, repairBy, rescheduleBy } from '../../domain/repair-deadlines';

const at = (iso: string) => new Date(iso);
const receivedAt = at('2026-11-22T15:38:00Z'); // 23:38 in Shanghai: the call
const dispatchedAt = at('2026-11-22T15:40:00Z'); // 23:40: the work order
const promise = { promisedFrom: receivedAt, dispatchedAt };

describe('repair deadlines with the documents’ numbers', () => {
  it('R2: a general work order sent at 23:40 is to be accepted by 00:10; an urgent one by 23:45, before its 20 minutes on site run out', () => {
    expect(acceptBy(DEFAULT_POLICY, dispatchedAt, 'general').toISOString()).toBe('2026-11-22T16:10:00.000Z');
    expect(acceptBy(DEFAULT_POLICY, dispatchedAt, 'urgent').toISOString()).toBe('2026-11-22T15:45:00.000Z');
    expect(acceptBy(DEFAULT_POLICY, dispatchedAt, 'urgent').getTime()).toBeLessThan(arriveBy(DEFAULT_POLICY, { classification: 'urgent', ...promise })!.dueAt.getTime());
  });

  it('R3: an urgent repair reported at 23:38 has someone on site by 23:58 and is repaired by 07:38 — counted from the report, not the dispatch', () => {
    expect(arriveBy(DEFAULT_POLICY, { classification: 'urgent', ...promise })).toEqual({ dueAt: at('2026-11-22T15:58:00Z'), rule: 'R3' });
    expect(repairBy(DEFAULT_POLICY, { classification: 'urgent', ...promise })).toEqual({ dueAt: at('2026-11-22T23:38:00Z'), rule: 'R3' });
  });

  it('R3: a re-dispatch at 23:50 does not restart the customer’s clock', () => {
    const redispatched = { classification: 'urgent' as const, promisedFrom: receivedAt, dispatchedAt: at('2026-11-22T15:50:00Z') };
    expect(arriveBy(DEFAULT_POLICY, redispatched)!.dueAt).toEqual(at('2026-11-22T15:58:00Z'));
  });

  it('R4: a general repair is done within 2 h of dispatch and has no arrival promise of its own', () => {
    expect(repairBy(DEFAULT_POLICY, { classification: 'general', ...promise })).toEqual({ dueAt: at('2026-11-22T17:40:00Z'), rule: 'R4' });
    expect(arriveBy(DEFAULT_POLICY, { classification: 'general', ...promise })).toBeUndefined();
  });

  it('R5: a major repair is kept at its appointment, has no 2 h / 8 h clock, and is reminded exactly one day before', () => {
    const appointmentAt = '2026-11-25T02:00:00.000Z';
    expect(arriveBy(DEFAULT_POLICY, { classification: 'major', ...promise, appointmentAt })).toEqual({ dueAt: at(appointmentAt), rule: 'R5' });
    expect(repairBy(DEFAULT_POLICY, { classification: 'major', ...promise, appointmentAt })).toBeUndefined();
    expect(reminderAt(DEFAULT_POLICY, appointmentAt).toISOString()).toBe('2026-11-24T02:00:00.000Z');
  });

  it('R6: after a new appointment the clocks start from it — on site at the appointment, repaired 2 h (general) or 8 h (urgent) later', () => {
    const appointmentAt = '2026-11-23T06:00:00.000Z';
    expect(arriveBy(DEFAULT_POLICY, { classification: 'general', ...promise, appointmentAt })).toEqual({ dueAt: at(appointmentAt), rule: 'R6' });
    expect(repairBy(DEFAULT_POLICY, { classification: 'general', ...promise, appointmentAt })!.dueAt.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(repairBy(DEFAULT_POLICY, { classification: 'urgent', ...promise, appointmentAt })!.dueAt.toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });

  it('R6: the butler agrees the new time within 2 h of the engineer finding nobody home', () => {
    expect(rescheduleBy(DEFAULT_POLICY, at('2026-11-23T02:00:00Z')).toISOString()).toBe('2026-11-23T04:00:00.000Z');
  });

  it('R7: a public-facility repair reported on Sunday 23:40 is started by Tuesday 23:40', () => {
    expect(publicFacilityStartBy(DEFAULT_POLICY, '2026-11-22T15:40:00.000Z').toISOString()).toBe('2026-11-24T15:40:00.000Z');
  });
});
