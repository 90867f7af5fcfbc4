/**
 * A generated month of recorded cases (November 2026, Asia/Shanghai) for the policy preview, with
 * the outcomes under PROPOSAL worked out by hand in HAND_WORKED. The events are what the workflows
 * write (workflows/case-core.ts: deadline-set / deadline-met / deadline-missed with the deadline,
 * rule, due time and owner; escalated after a miss; the staff actions by name).
 *
 * - 30 general repairs, one a day (R2026110D), received and dispatched at 10:00 to S-EN1 (odd days)
 *   or S-EN2 (even days). Accepted 2·d minutes later: in time (30 min, R2) on days 1–15; on days
 *   16–22 missed, escalated and re-dispatched to the same engineer (alone in the area), who accepts;
 *   on days 23–30 missed and re-dispatched to the other engineer, who accepts. Completed at 11:00
 *   + 3·d minutes: within R4's 2 hours (12:00) on days 1–20.
 * - 2 urgent repairs (days 3, 4) at 14:00 to S-EN1: on site at 14:15 and 14:25 (R3: 20 min).
 * - 1 repair (day 5) whose engineer recorded a new promised time (18:00) and missed it.
 * - 1 major repair (day 6) by appointment, on site before it (R5).
 * - 2 general complaints: one received Friday 6 November 10:00 (answered 10:20, first reply
 *   Monday 15:00, due Tuesday 10:00 — two working days), one Wednesday 11 November 09:00 (answered
 *   09:45, missing C1's 30 min; first reply Friday 08:00, due Friday 09:00).
 * - 1 repair of 30 October, outside the month.
 */
import type { RecordedEvent } from '../../domain/policy-preview';

export interface GeneratedCase {
  caseId: string;
  kind: string;
  severity: string;
  areaId: string;
  room: string | null;
  receivedAt: string;
  events: RecordedEvent[];
}

/** A local time in Asia/Shanghai, as an ISO instant. */
export const at = (month: number, day: number, hour: number, minute: number) =>
  new Date(`2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+08:00`).toISOString();

const plus = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();

class Story {
  readonly events: RecordedEvent[] = [];
  constructor(readonly c: Omit<GeneratedCase, 'events'>) {}
  add(at: string, action: string, actor: string, payload: Record<string, unknown> = {}): this {
    const role = actor === 'system' ? 'system' : actor.startsWith('S-EN') ? 'engineer' : actor.startsWith('S-FD') ? 'frontdesk' : actor.startsWith('S-BT') ? 'butler' : 'supervisor';
    this.events.push({ seq: this.events.length, action, actorId: actor, actorRole: role, at, payload });
    return this;
  }
  outcome(at: string, met: boolean, deadline: string, rule: string, dueAt: string, ownerId: string | null): this {
    return this.add(at, met ? 'deadline-met' : 'deadline-missed', 'system', { deadline, rule, dueAt, ownerId });
  }
  missed(dueAt: string, deadline: string, rule: string, ownerId: string | null): this {
    return this.outcome(dueAt, false, deadline, rule, dueAt, ownerId).add(dueAt, 'escalated', 'system', { ownerId, deadline, rule, to: ['supervisor'], reason: 'generated', step: deadline });
  }
  done(): GeneratedCase {
    return { ...this.c, events: this.events };
  }
}

function generalRepair(day: number): GeneratedCase {
  const engineer = day % 2 ? 'S-EN1' : 'S-EN2';
  const other = day % 2 ? 'S-EN2' : 'S-EN1';
  const received = at(11, day, 10, 0);
  const acceptDue = plus(received, 30);
  const repairDue = plus(received, 120);
  const acceptedAt = plus(received, 2 * day);
  const completedAt = plus(at(11, day, 11, 0), 3 * day);
  const s = new Story({ caseId: `R202611${String(day).padStart(2, '0')}-0001`, kind: 'repair', severity: 'general', areaId: 'A1', room: '1-1-101', receivedAt: received })
    .add(received, 'received', 'S-FD1', { channel: 'phone', classification: 'general' })
    .add(received, 'dispatched', 'system', { engineerId: engineer, attempt: 1 })
    .add(received, 'deadline-set', 'system', { deadline: 'accept', rule: 'R2', dueAt: acceptDue });
  let assignee = engineer;
  if (day <= 15) {
    s.add(acceptedAt, 'accept', engineer).outcome(acceptedAt, true, 'accept', 'R2', acceptDue, engineer);
  } else {
    s.missed(acceptDue, 'accept', 'R2', engineer);
    assignee = day <= 22 ? engineer : other;
    const secondDue = plus(acceptDue, 30);
    s.add(acceptDue, 'dispatched', 'system', { engineerId: assignee, attempt: 1 })
      .add(acceptDue, 'deadline-set', 'system', { deadline: 'accept', rule: 'R2', dueAt: secondDue })
      .add(acceptedAt, 'accept', assignee)
      .outcome(acceptedAt, true, 'accept', 'R2', secondDue, assignee);
  }
  if (completedAt <= repairDue) s.add(completedAt, 'complete', assignee).outcome(completedAt, true, 'repair', 'R4', repairDue, assignee);
  else s.missed(repairDue, 'repair', 'R4', assignee).add(completedAt, 'complete', assignee);
  return s.add(plus(completedAt, 60), 'signOff', 'S-FD1', { accepted: true }).add(plus(completedAt, 60), 'closed', 'system').done();
}

function urgentRepair(day: number, arriveAfter: number): GeneratedCase {
  const received = at(11, day, 14, 0);
  const s = new Story({ caseId: `R202611${String(day).padStart(2, '0')}-0002`, kind: 'repair', severity: 'urgent', areaId: 'A1', room: '1-1-102', receivedAt: received })
    .add(received, 'received', 'S-FD1', { channel: 'phone', classification: 'urgent' })
    .add(received, 'dispatched', 'system', { engineerId: 'S-EN1', attempt: 1 })
    .add(plus(received, 5), 'accept', 'S-EN1')
    .outcome(plus(received, 5), true, 'accept', 'R2', plus(received, 30), 'S-EN1');
  const arriveDue = plus(received, 20);
  const arrivedAt = plus(received, arriveAfter);
  if (arrivedAt <= arriveDue) s.add(arrivedAt, 'arrive', 'S-EN1').outcome(arrivedAt, true, 'arrive', 'R3', arriveDue, 'S-EN1');
  else s.missed(arriveDue, 'arrive', 'R3', 'S-EN1').add(arrivedAt, 'arrive', 'S-EN1');
  return s.add(plus(received, 120), 'complete', 'S-EN1').outcome(plus(received, 120), true, 'repair', 'R3', plus(received, 480), 'S-EN1').done();
}

function promisedRepair(): GeneratedCase {
  const received = at(11, 5, 9, 0);
  const promisedAt = at(11, 5, 18, 0);
  return new Story({ caseId: 'R20261105-0003', kind: 'repair', severity: 'general', areaId: 'A1', room: '1-1-103', receivedAt: received })
    .add(received, 'received', 'S-FD1', { channel: 'phone', classification: 'general' })
    .add(received, 'dispatched', 'system', { engineerId: 'S-EN1', attempt: 1 })
    .add(plus(received, 10), 'accept', 'S-EN1')
    .outcome(plus(received, 10), true, 'accept', 'R2', plus(received, 30), 'S-EN1')
    .add(at(11, 5, 10, 30), 'recordMeasures', 'S-EN1', { promisedAt, explanation: '缺配件，明天到货' })
    .add(at(11, 5, 10, 30), 'deadline-set', 'system', { deadline: 'repair', rule: 'R4', dueAt: promisedAt })
    .missed(promisedAt, 'repair', 'R4', 'S-EN1')
    .add(at(11, 5, 18, 30), 'complete', 'S-EN1')
    .done();
}

function appointmentRepair(): GeneratedCase {
  const received = at(11, 6, 8, 0);
  const appointmentAt = at(11, 7, 9, 0);
  return new Story({ caseId: 'R20261106-0004', kind: 'repair', severity: 'major', areaId: 'A2', room: '3-1-101', receivedAt: received })
    .add(received, 'received', 'S-FD1', { channel: 'phone', classification: 'major', appointmentAt })
    .add(received, 'dispatched', 'system', { engineerId: 'S-EN2', attempt: 1 })
    .add(plus(received, 10), 'accept', 'S-EN2')
    .outcome(plus(received, 10), true, 'accept', 'R2', plus(received, 30), 'S-EN2')
    .add(at(11, 7, 8, 55), 'arrive', 'S-EN2')
    .outcome(at(11, 7, 8, 55), true, 'arrive', 'R5', appointmentAt, 'S-EN2')
    .done();
}

function complaint(caseId: string, received: string, respondedAt: string, firstReplyDue: string, repliedAt: string): GeneratedCase {
  const respondDue = plus(received, 30);
  const s = new Story({ caseId, kind: 'complaint', severity: 'general', areaId: 'A1', room: '1-1-104', receivedAt: received }).add(received, 'received', 'S-FD1', { channel: 'phone', kind: 'customer' });
  if (respondedAt <= respondDue) s.add(respondedAt, 'respond', 'S-BT1').outcome(respondedAt, true, 'respond', 'C1', respondDue, null);
  else s.missed(respondDue, 'respond', 'C1', null).add(respondedAt, 'respond', 'S-BT1');
  return s.add(repliedAt, 'firstReply', 'S-BT1', { note: '已安排' }).outcome(repliedAt, true, 'firstReply', 'C3', firstReplyDue, null).done();
}

function beforeTheMonth(): GeneratedCase {
  const received = at(10, 30, 10, 0);
  return new Story({ caseId: 'R20261030-0001', kind: 'repair', severity: 'general', areaId: 'A1', room: '1-1-105', receivedAt: received })
    .add(received, 'received', 'S-FD1', { channel: 'phone', classification: 'general' })
    .add(received, 'dispatched', 'system', { engineerId: 'S-EN1', attempt: 1 })
    .missed(plus(received, 30), 'accept', 'R2', 'S-EN1')
    .add(plus(received, 40), 'accept', 'S-EN1')
    .done();
}

export function generatedMonth(): GeneratedCase[] {
  return [
    ...Array.from({ length: 30 }, (_, i) => generalRepair(i + 1)),
    urgentRepair(3, 15),
    urgentRepair(4, 25),
    promisedRepair(),
    appointmentRepair(),
    complaint('C20261106-0001', at(11, 6, 10, 0), at(11, 6, 10, 20), at(11, 10, 10, 0), at(11, 9, 15, 0)),
    complaint('C20261111-0001', at(11, 11, 9, 0), at(11, 11, 9, 45), at(11, 13, 9, 0), at(11, 13, 8, 0)),
    beforeTheMonth(),
  ];
}

/** The month previewed: November 2026 in Asia/Shanghai. */
export const MONTH = { from: new Date(at(11, 1, 0, 0)), to: new Date(at(12, 1, 0, 0)) };

/** The proposal previewed, as a manager would send it. */
export const PROPOSAL = {
  'repair.acceptWithin': 'PT45M',
  'repair.urgentArriveWithin': 'PT30M',
  'repair.generalRepairWithin': 'PT1H30M',
  'complaint.firstResponseWithin': 'PT45M',
  'complaint.generalFirstReplyWorkingDays': 1,
} as const;

const tally = (deadlines: number, recordedMet: number, recordedMissed: number, metBecomesMissed: number, missedBecomesMet: number) => ({
  deadlines,
  recordedMet,
  recordedMissed,
  proposedMet: recordedMet - metBecomesMissed + missedBecomesMet,
  proposedMissed: recordedMissed + metBecomesMissed - missedBecomesMet,
  metBecomesMissed,
  missedBecomesMet,
  // Every missed deadline escalates; every generated miss was escalated.
  escalationsAdded: metBecomesMissed,
  escalationsAvoided: missedBecomesMet,
});

/**
 * Worked out by hand from the story above under PROPOSAL:
 * - R2 accept, 45 instead of 30 min: 49 outcomes (30 first acceptances of the general repairs, 15
 *   second ones after a re-dispatch, 2 urgent, the promised and the appointment repairs'); 15 missed.
 *   Days 16–22 were accepted late by the engineer who missed it, 2·d = 32…44 min after dispatch,
 *   within 45: 7 met instead, 7 escalations avoided. Days 23–30 went to another engineer: still missed.
 * - R3 arrive, 30 instead of 20 min: the 14:25 arrival is in time, 1 met instead.
 * - R3 repair (8 h, unchanged): 2 met, unchanged.
 * - R4 repair, 1 h 30 instead of 2 h: completed at 11:00 + 3·d, due 11:30 instead of 12:00: days
 *   11–20 (11:33…12:00) missed instead, 10 escalations added; days 21–30 stay missed.
 * - C1 respond, 45 instead of 30 min: the 09:45 answer is in time, 1 met instead.
 * - C3 first reply, 1 working day instead of 2: due Monday 9 Nov 10:00 (replied 15:00) and
 *   Thursday 12 Nov 09:00 (replied Friday 08:00): both missed instead.
 * - Not previewed: the promised 18:00 (set by the engineer) and the R5 appointment. Not counted:
 *   the repair of 30 October.
 * Per staff member: S-EN1 holds the odd days' repairs (and the second acceptance of even days from
 * 24 on), the urgent and the promised repairs; S-EN2 the even days' (and odd days' from 23 on) and
 * the appointment; the complaints are unassigned.
 */
export const HAND_WORKED = {
  outcomes: 89,
  total: tally(87, 60, 27, 12, 9),
  byRule: [
    { rule: 'C1', deadline: 'respond', policyKey: 'complaint.firstResponseWithin', ...tally(2, 1, 1, 0, 1) },
    { rule: 'C3', deadline: 'firstReply', policyKey: 'complaint.generalFirstReplyWorkingDays', ...tally(2, 2, 0, 2, 0) },
    { rule: 'R2', deadline: 'accept', policyKey: 'repair.acceptWithin', ...tally(49, 34, 15, 0, 7) },
    { rule: 'R3', deadline: 'arrive', policyKey: 'repair.urgentArriveWithin', ...tally(2, 1, 1, 0, 1) },
    { rule: 'R3', deadline: 'repair', policyKey: 'repair.urgentRepairWithin', ...tally(2, 2, 0, 0, 0) },
    { rule: 'R4', deadline: 'repair', policyKey: 'repair.generalRepairWithin', ...tally(30, 20, 10, 10, 0) },
  ],
  byStaff: [
    { staffId: 'S-EN1', ...tally(44, 31, 13, 5, 4) },
    { staffId: 'S-EN2', ...tally(39, 26, 13, 5, 4) },
    { staffId: 'unassigned', ...tally(4, 3, 1, 2, 1) },
  ],
  notPreviewed: [
    { reason: 'not-a-policy-rule', count: 1 },
    { reason: 'set-by-staff', count: 1 },
  ],
  differences: 21,
};
