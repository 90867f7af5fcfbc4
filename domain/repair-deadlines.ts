/**
 * When each promise of a repair falls due (docs/rules.md §2), as pure functions of the policy
 * snapshot. The workflow's clocks call these; unit tests prove them with the real numbers.
 */
import type { ServicePolicy } from './policy';
import type { RepairClass } from './repair';

const after = (from: Date | string, ms: number) => new Date(new Date(from).getTime() + ms);

/** R2: the engineer accepts the work order within 30 min of it being sent. */
export function acceptBy(policy: ServicePolicy, sentAt: Date): Date {
  return after(sentAt, policy.repair.acceptWithinMs);
}

/** R5/R6: at the agreed appointment; R3: an urgent repair within 20 min of dispatch; otherwise no arrival promise. */
export function arriveBy(
  policy: ServicePolicy,
  repair: { classification: RepairClass; dispatchedAt: Date; appointmentAt?: string },
): { dueAt: Date; rule: 'R3' | 'R5' | 'R6' } | undefined {
  if (repair.appointmentAt) return { dueAt: new Date(repair.appointmentAt), rule: repair.classification === 'major' ? 'R5' : 'R6' };
  if (repair.classification === 'urgent') return { dueAt: after(repair.dispatchedAt, policy.repair.urgentArriveWithinMs), rule: 'R3' };
  return undefined;
}

/** R3: urgent repaired within 8 h; R4: general within 2 h — from dispatch, or from the agreed appointment. Major repairs go by appointment only. */
export function repairBy(
  policy: ServicePolicy,
  repair: { classification: RepairClass; dispatchedAt: Date; appointmentAt?: string },
): { dueAt: Date; rule: 'R3' | 'R4' } | undefined {
  const start = repair.appointmentAt ? new Date(repair.appointmentAt) : repair.dispatchedAt;
  if (repair.classification === 'urgent') return { dueAt: after(start, policy.repair.urgentRepairWithinMs), rule: 'R3' };
  if (repair.classification === 'general') return { dueAt: after(start, policy.repair.generalRepairWithinMs), rule: 'R4' };
  return undefined;
}

/** R5: the customer is reminded one day before the appointment (at once when it is closer than that). */
export function reminderAt(policy: ServicePolicy, appointmentAt: string): Date {
  return after(appointmentAt, -policy.repair.majorReminderBeforeMs);
}

/** R7: a public-facility repair is started within 2 days of the report. */
export function publicFacilityStartBy(policy: ServicePolicy, receivedAt: string): Date {
  return after(receivedAt, policy.repair.publicFacilityStartWithinMs);
}
