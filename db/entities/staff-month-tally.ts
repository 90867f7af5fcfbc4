import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * P3's running count (员工绩效 — 工作业绩): how many `deadline-met`, `deadline-missed` and
 * `escalated` events of a property's reportable cases (not employee complaints nor whistle-blowing
 * reports) named one staff member as holding the case, per month of the property's time zone. The
 * appraisal report reads a few dozen of these rows instead of a month of case events.
 *
 * Postgres keeps it, not the activities: a trigger on `case_event` (migration
 * Migration20261123000513_staff-month-tally) adds each event actually inserted — an activity's retry
 * inserts nothing and counts nothing — when the writing transaction commits, so every writer of the
 * audit log (the audit activities, a test's generated month, the benchmark's seeding) keeps it.
 */
export const StaffMonthTally = defineEntity({
  name: 'StaffMonthTally',
  tableName: 'staff_month_tally',
  primaryKeys: ['propertyId', 'month', 'ownerId', 'action'],
  properties: {
    propertyId: p.string().length(32).primary(),
    /** 'YYYY-MM' in the property's time zone when the event happened. */
    month: p.string().length(7).primary(),
    /**
     * The event's `payload->>'ownerId'`; '' when it names nobody (null or absent: events written before
     * owners were recorded, a case nobody held). A sentinel rather than null keeps one primary key
     * for the trigger's single `on conflict`; P3 counts neither.
     */
    ownerId: p.string().length(32).primary(),
    /** deadline-met, deadline-missed or escalated. */
    action: p.string().length(64).primary(),
    count: p.integer(),
  },
});
export type IStaffMonthTally = InferEntity<typeof StaffMonthTally>;
