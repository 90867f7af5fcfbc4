import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ResultsRecord } from '../../domain/appraisal';

/** A score of 0–100 with its decimals, read as a number (a double is read as a string otherwise). */
const score = () => p.double().$type<number>().runtimeType('number');

/**
 * P3's credits to a case's owner (员工绩效 — 工作业绩), per staff member, month and action, beside
 * staff_month_tally: deadline outcomes and escalations of cases that named no holder, credited to
 * the owner (the area's butler; a supervisor for an important or major complaint), and the verdicts
 * of complaints' return visits (`visit-satisfied`, `visit-unsatisfied`). Kept by a trigger on
 * case_event (migration Migration20261205180000_owner-month-tally).
 */
export const OwnerMonthTally = defineEntity({
  name: 'OwnerMonthTally',
  tableName: 'owner_month_tally',
  primaryKeys: ['propertyId', 'month', 'ownerId', 'action'],
  properties: {
    propertyId: p.string().length(32).primary(),
    month: p.string().length(7).primary(),
    ownerId: p.string().length(32).primary(),
    action: p.string().length(64).primary(),
    count: p.integer(),
  },
});
export type IOwnerMonthTally = InferEntity<typeof OwnerMonthTally>;

/**
 * P3: one staff member's appraisal of one month (员工月绩效考核登记表): the results part as the
 * workflows recorded it (stored when the month is appraised), the parts a supervisor entered, and
 * the composite once all four are there. Kept `appraisal.keepMonths` (two years).
 */
export const StaffAppraisal = defineEntity({
  name: 'StaffAppraisal',
  tableName: 'staff_appraisal',
  primaryKeys: ['propertyId', 'month', 'staffId'],
  properties: {
    propertyId: p.string().length(32).primary(),
    month: p.string().length(7).primary(),
    staffId: p.string().length(32).primary(),
    results: p.json<ResultsRecord>(),
    resultsScore: score().nullable(),
    /** When the results were counted: the stored month is what the supervisor saw. */
    resultsAt: p.datetime(),
    conduct: score().nullable(),
    diligence: score().nullable(),
    ability: score().nullable(),
    /** The month's weekly and monthly checks (周检、月检), 20 % of the year. */
    checks: score().nullable(),
    composite: score().nullable(),
    enteredBy: p.string().length(32).nullable(),
    enteredAt: p.datetime().nullable(),
  },
});
export type IStaffAppraisal = InferEntity<typeof StaffAppraisal>;

/** P3: the year-end appraisal (员工年终绩效考核登记表), 50 % of the year; kept with the year's December. */
export const StaffAppraisalYear = defineEntity({
  name: 'StaffAppraisalYear',
  tableName: 'staff_appraisal_year',
  primaryKeys: ['propertyId', 'year', 'staffId'],
  properties: {
    propertyId: p.string().length(32).primary(),
    year: p.integer().primary(),
    staffId: p.string().length(32).primary(),
    yearEnd: score(),
    enteredBy: p.string().length(32),
    enteredAt: p.datetime(),
  },
});
export type IStaffAppraisalYear = InferEntity<typeof StaffAppraisalYear>;
