/** The supervisor's SLA timeline (domain/sla-timeline.ts) from a case's audit events and its mails. */
import { slaTimeline, type TimelineEvent, type TimelineNotice } from '../../domain/sla-timeline';

const WF = 'repair-R20261206-0001';
let seq = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 1, minute)).toISOString();
const event = (minute: number, action: string, payload: Record<string, unknown> = {}, actorId = 'system'): TimelineEvent => ({ seq: seq++, action, actorId, actorRole: actorId === 'system' ? 'system' : 'engineer', at: at(minute), payload });

beforeEach(() => {
  seq = 0;
});

describe('the SLA timeline', () => {
  it('R2/R3: each clock with its start, warning (and who was warned), due time, outcome and the escalation of a miss with who was told', () => {
    const events = [
      event(0, 'received'),
      event(0, 'dispatched', { engineerId: 'S-EN1', attempt: 1 }),
      event(0, 'deadline-set', { deadline: 'accept', rule: 'R2', dueAt: at(5) }),
      event(2, 'accept', {}, 'S-EN1'),
      event(2, 'deadline-met', { deadline: 'accept', rule: 'R2', dueAt: at(5), ownerId: 'S-EN1' }),
      event(15, 'sla-warning', { deadline: 'arrive', rule: 'R3', dueAt: at(20), ownerId: 'S-EN1' }),
      event(20, 'deadline-missed', { deadline: 'arrive', rule: 'R3', dueAt: at(20), ownerId: 'S-EN1' }),
      event(20, 'escalated', { deadline: 'arrive', rule: 'R3', to: ['supervisor'], reason: 'not on site at the promised time', step: 'arrive:1.1', ownerId: 'S-EN1' }),
    ];
    const notices: TimelineNotice[] = [
      { key: `${WF}:warning:arrive:${at(20)}:S-EN1`, recipientId: 'S-EN1', status: 'sent', sentAt: at(15) },
      { key: `${WF}:escalate:arrive:1.1:S-SV1`, recipientId: 'S-SV1', status: 'sent', sentAt: at(20) },
      { key: `${WF}:dispatch:1.1:S-EN1`, recipientId: 'S-EN1', status: 'sent', sentAt: at(0) },
    ];
    const [accept, arrive] = slaTimeline(events, notices, WF);
    expect(accept).toMatchObject({ name: 'accept', rule: 'R2', startedAt: at(0), dueAt: at(5), outcome: 'met', outcomeAt: at(2), ownerId: 'S-EN1', escalations: [] });
    expect(arrive).toMatchObject({
      name: 'arrive',
      rule: 'R3',
      startedAt: at(0),
      warnedAt: at(15),
      warned: [{ staffId: 'S-EN1', status: 'sent' }],
      dueAt: at(20),
      outcome: 'missed',
      outcomeAt: at(20),
      escalations: [{ at: at(20), rule: 'R3', to: ['supervisor'], reason: 'not on site at the promised time', told: [{ staffId: 'S-SV1', status: 'sent', sentAt: at(20) }] }],
    });
  });

  it('R6: nobody home pauses the running clocks with the reason; the new appointment resumes them as a new promise', () => {
    const events = [
      event(0, 'dispatched', { engineerId: 'S-EN1', attempt: 1 }),
      event(0, 'deadline-set', { deadline: 'arrive', rule: 'R5', dueAt: at(30) }),
      event(29, 'customerNotHome', { clocksPaused: ['arrive'], reason: 'customer not home (R6)' }, 'S-EN1'),
      event(29, 'deadline-set', { deadline: 'reschedule', rule: 'R6', dueAt: at(149) }),
      event(40, 'reschedule', { appointmentAt: at(59), reached: true }, 'S-BT1'),
      event(40, 'deadline-met', { deadline: 'reschedule', rule: 'R6', dueAt: at(149), ownerId: 'S-EN1' }),
      event(40, 'deadline-set', { deadline: 'arrive', rule: 'R6', dueAt: at(59) }),
      event(55, 'deadline-met', { deadline: 'arrive', rule: 'R6', dueAt: at(59), ownerId: 'S-EN1' }),
    ];
    const clocks = slaTimeline(events, [], WF);
    expect(clocks.map((c) => [c.name, c.rule, c.outcome])).toEqual([
      ['arrive', 'R5', 'moved'],
      ['reschedule', 'R6', 'met'],
      ['arrive', 'R6', 'met'],
    ]);
    expect(clocks[0].pauses).toEqual([{ at: at(29), reason: 'customer not home (R6)', resumedAt: at(40) }]);
    expect(clocks[2].startedAt).toBe(at(40));
  });

  it('R3: a new promised time moves the promise: the old one shows as moved, the new one runs from the measures', () => {
    const events = [
      event(0, 'dispatched'),
      event(0, 'deadline-set', { deadline: 'repair', rule: 'R3', dueAt: at(480 % 60) }),
      event(7, 'recordMeasures', { measures: '关闭总阀', promisedAt: at(50) }, 'S-EN1'),
      event(7, 'deadline-set', { deadline: 'repair', rule: 'R3', dueAt: at(50) }),
    ];
    const clocks = slaTimeline(events, [], WF);
    expect(clocks.map((c) => [c.name, c.outcome, c.startedAt])).toEqual([
      ['repair', 'moved', at(0)],
      ['repair', 'pending', at(7)],
    ]);
  });
});
