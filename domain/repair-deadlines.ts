/**
 * When each promise of a repair falls due (docs/rules.md §2), as pure functions of the policy
 * snapshot. The workflow's clocks call these; unit tests prove them with the real numbers.
 */
import type { ServicePolicy } from './policy';
import type { RepairClass } from './repair';

const after = (from: Date | string, ms: number) => new Date(new Date(from).getTime() + ms);

/**
 * R2: the engineer accepts each work order within 30 min of it being sent — an urgent one within 5,
 * so that a re-dispatch can still keep the 20 minutes promised to the customer (R3).
 */
export function acceptBy(policy: ServicePolicy, sentAt: Date, classification: RepairClass): Date {
  return after(sentAt, classification === 'urgent' ? policy.repair.urgentAcceptWithinMs : policy.repair.acceptWithinMs);
}

/**
 * What a repair's promises count from. `promisedFrom` is when the customer's clock started: the
 * moment the report was received (R3: 接到报修信息后) — a re-dispatch does not restart it — or, for
 * an attempt after a failed one (R10), that attempt's dispatch. `dispatchedAt` is the work order's.
 */
export interface RepairPromise {
  classification: RepairClass;
  promisedFrom: Date;
  dispatchedAt: Date;
  appointmentAt?: string;
}

/** R5/R6: at the agreed appointment; R3: an urgent repair within 20 min of the report; otherwise no arrival promise. */
export function arriveBy(policy: ServicePolicy, repair: RepairPromise): { dueAt: Date; rule: 'R3' | 'R5' | 'R6' } | undefined {
  if (repair.appointmentAt) return { dueAt: new Date(repair.appointmentAt), rule: repair.classification === 'major' ? 'R5' : 'R6' };
  if (repair.classification === 'urgent') return { dueAt: after(repair.promisedFrom, policy.repair.urgentArriveWithinMs), rule: 'R3' };
  return undefined;
}

/**
 * R3: urgent repaired within 8 h of the report; R4: general within 2 h of dispatch — or either from
 * the agreed appointment. Major repairs go by appointment only.
 */
export function repairBy(policy: ServicePolicy, repair: RepairPromise): { dueAt: Date; rule: 'R3' | 'R4' } | undefined {
  const appointment = repair.appointmentAt ? new Date(repair.appointmentAt) : undefined;
  if (repair.classification === 'urgent') return { dueAt: after(appointment ?? repair.promisedFrom, policy.repair.urgentRepairWithinMs), rule: 'R3' };
  if (repair.classification === 'general') return { dueAt: after(appointment ?? repair.dispatchedAt, policy.repair.generalRepairWithinMs), rule: 'R4' };
  return undefined;
}

/** R6: the butler agrees a new time with a customer who was not home (or leaves a note and sets one) within 2 h. */
export function rescheduleBy(policy: ServicePolicy, notHomeAt: Date): Date {
  return after(notHomeAt, policy.repair.rescheduleWithinMs);
}

/** R5: the customer is reminded one day before the appointment (at once when it is closer than that). */
export function reminderAt(policy: ServicePolicy, appointmentAt: string): Date {
  return after(appointmentAt, -policy.repair.majorReminderBeforeMs);
}

/** R7: a public-facility repair is started within 2 days of the report. */
export function publicFacilityStartBy(policy: ServicePolicy, receivedAt: string): Date {
  return after(receivedAt, policy.repair.publicFacilityStartWithinMs);
}
