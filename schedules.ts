/**
 * The Temporal Schedules of every property (docs/architecture.md §1): the R12 reconciliation of open
 * requests, morning and afternoon, the S1 monthly survey sampling, the P1 monthly complaint
 * analysis and the P3 monthly appraisal, at the times of the property's policy (`schedules`) in its time zone. Ensured at every
 * boot of a worker (and by `npm start`), and for one property as soon as a manager changes its time
 * zone or those times; running it again, from any number of replicas, changes nothing unless the
 * wanted spec or action differs from the schedule's, and then updates it in place.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { Config } from './config';
import { Property } from './db/entities';
import type { Orm } from './db/orm';
import { DEFAULT_POLICY, HOUR, parsePolicy, type ServicePolicy } from './domain/policy';
import { RECONCILIATION_SLOT_NAMES, RECONCILIATION_SLOTS, reconciliationScheduleId, type ReconciliationSlot } from './domain/reconciliation';
import type { openRequestReconciliation } from './workflows/reconciliation';
import type { monthlyComplaintReport } from './workflows/complaint-report';
import type { monthlyAppraisal } from './workflows/appraisal';
import type { surveyMonthlyRun } from './workflows/survey-run';

export type ScheduleTimes = ServicePolicy['schedules'];

export interface ScheduledProperty {
  id: string;
  timeZone: string;
  /** When each schedule fires (the policy's `schedules`); the documented defaults when left out. */
  times?: ScheduleTimes;
}

/** A property as the schedules need it, from its row: time zone and the times its policy sets. */
export function scheduledProperty(row: { id: string; timeZone: string; policy?: Record<string, unknown> | null }): ScheduledProperty {
  return { id: row.id, timeZone: row.timeZone, times: parsePolicy(row.policy ?? {}).schedules };
}

/** Every property, as the schedules need it. */
export async function scheduledProperties(orm: Orm): Promise<ScheduledProperty[]> {
  const properties = await orm.em.fork().find(Property, {}, { fields: ['id', 'timeZone', 'policy'], orderBy: { id: 'asc' } });
  return properties.map(scheduledProperty);
}

const timesOf = (property: ScheduledProperty): ScheduleTimes => property.times ?? DEFAULT_POLICY.schedules;

/** "09:30" → { hour: 9, minute: 30 }. */
function clock(time: string): { hour: number; minute: number } {
  const [hour, minute] = time.split(':').map(Number);
  return { hour, minute };
}

// A list that arrives after the next slot is noise: a run missed for longer than this is dropped.
const CATCHUP_WINDOW_MS = 4 * HOUR;

function reconciliationSchedule(property: ScheduledProperty, slot: ReconciliationSlot, taskQueue: string) {
  const { label } = RECONCILIATION_SLOTS[slot];
  const times = timesOf(property);
  const { hour, minute } = clock(slot === 'morning' ? times.reconciliationMorningAt : times.reconciliationAfternoonAt);
  const at = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const scheduleId = reconciliationScheduleId(property.id, slot);
  return {
    scheduleId,
    spec: { calendars: [{ hour, minute, comment: `R12 ${slot} reconciliation at ${at}` }], timezone: property.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'openRequestReconciliation',
      // The server appends the scheduled time, so each run (and its mail keys) is unique per day and slot.
      workflowId: scheduleId,
      taskQueue,
      args: [{ propertyId: property.id, slot }] as Parameters<typeof openRequestReconciliation>,
      staticSummary: `R12 ${label}核对 · open requests of ${property.id} (${slot}, ${at} ${property.timeZone})`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW_MS },
    memo: { rule: 'R12', propertyId: property.id, slot, purpose: `butlers reconcile open repairs with the front desk at ${at} (${property.timeZone})` },
  } satisfies ScheduleOptions;
}

/** S1: the monthly survey run's schedule of a property (by default the 1st of the month, 09:00 local). */
export const surveyRunScheduleId = (propertyId: string) => `survey-run-${propertyId}`;
// A run missed by a day is still this month's run: it catches up within a week.
const SURVEY_CATCHUP_WINDOW_MS = 7 * 24 * HOUR;

function surveyRunSchedule(property: ScheduledProperty, taskQueue: string) {
  const scheduleId = surveyRunScheduleId(property.id);
  const times = timesOf(property);
  const at = { dayOfMonth: times.surveyRunDayOfMonth, ...clock(times.surveyRunAt) };
  return {
    scheduleId,
    spec: { calendars: [{ ...at, comment: `S1 monthly survey sampling on day ${at.dayOfMonth} at ${times.surveyRunAt}` }], timezone: property.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'surveyMonthlyRun',
      // The server appends the scheduled time; the month's choice is made once whichever run comes first.
      workflowId: scheduleId,
      taskQueue,
      args: [{ propertyId: property.id }] as Parameters<typeof surveyMonthlyRun>,
      staticSummary: `S1 月度意见征询 · monthly survey sampling of ${property.id} (day ${at.dayOfMonth}, ${times.surveyRunAt} ${property.timeZone})`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: SURVEY_CATCHUP_WINDOW_MS },
    memo: { rule: 'S1', propertyId: property.id, purpose: `each area consults at least 10 % of its occupied households every month (${property.timeZone})` },
  } satisfies ScheduleOptions;
}

type WantedSchedule =
  | ReturnType<typeof reconciliationSchedule>
  | ReturnType<typeof surveyRunSchedule>
  | ReturnType<typeof complaintReportSchedule>
  | ReturnType<typeof appraisalSchedule>;

/** Whether the schedule already fires when and how we want. */
function upToDate(current: ScheduleDescription, wanted: WantedSchedule): boolean {
  const calendars = current.spec.calendars ?? [];
  const [calendar] = calendars;
  const only = (ranges: { start: number; end: number }[] | undefined, value: number) =>
    ranges?.length === 1 && ranges[0].start === value && ranges[0].end === value;
  const [wantedCalendar] = wanted.spec.calendars;
  const wantedDay = 'dayOfMonth' in wantedCalendar ? wantedCalendar.dayOfMonth : undefined;
  const dayOfMonth = calendar?.dayOfMonth;
  return (
    calendars.length === 1 &&
    (wantedDay === undefined ? !dayOfMonth?.length || (dayOfMonth.length === 1 && dayOfMonth[0].start === 1 && dayOfMonth[0].end === 31) : only(dayOfMonth, wantedDay)) &&
    only(calendar.hour, wantedCalendar.hour) &&
    only(calendar.minute, wantedCalendar.minute) &&
    only(calendar.second, 0) &&
    (current.spec.intervals ?? []).length === 0 &&
    current.spec.timezone === wanted.spec.timezone &&
    current.action.workflowType === wanted.action.workflowType &&
    current.action.taskQueue === wanted.action.taskQueue &&
    current.action.workflowId === wanted.action.workflowId &&
    JSON.stringify(current.action.args) === JSON.stringify(wanted.action.args) &&
    current.action.staticSummary === wanted.action.staticSummary &&
    current.policies.overlap === wanted.policies.overlap &&
    current.policies.catchupWindow === wanted.policies.catchupWindow
  );
}

/** P1: by default on the 2nd at 08:00 local time, the previous month's analysis — ready well before the 10th. */
export const COMPLAINT_REPORT_AT = {
  dayOfMonth: DEFAULT_POLICY.schedules.complaintReportDayOfMonth,
  ...clock(DEFAULT_POLICY.schedules.complaintReportAt),
} as const;
export const complaintReportScheduleId = (propertyId: string) => `complaint-report-${propertyId}`;
// Missed for days (a long outage) it still runs: the report is due by the 10th.
const COMPLAINT_REPORT_CATCHUP_MS = 7 * 24 * HOUR;

function complaintReportSchedule(property: ScheduledProperty, taskQueue: string) {
  const scheduleId = complaintReportScheduleId(property.id);
  const times = timesOf(property);
  const at = { dayOfMonth: times.complaintReportDayOfMonth, ...clock(times.complaintReportAt) };
  return {
    scheduleId,
    spec: { calendars: [{ ...at, comment: `P1 monthly complaint analysis on day ${at.dayOfMonth} at ${times.complaintReportAt}` }], timezone: property.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'monthlyComplaintReport',
      // The server appends the scheduled time: one run, and one mail per manager, per month.
      workflowId: scheduleId,
      taskQueue,
      args: [{ propertyId: property.id }] as Parameters<typeof monthlyComplaintReport>,
      staticSummary: `P1 月度投诉分析 · previous month's complaints of ${property.id} to the managers`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: COMPLAINT_REPORT_CATCHUP_MS },
    memo: { rule: 'P1', propertyId: property.id, purpose: 'monthly complaint analysis of the previous month, ready by the 10th' },
  } satisfies ScheduleOptions;
}

/** P3: by default on the 1st at 06:00 local time, the previous month's appraisal results are stored. */
export const appraisalScheduleId = (propertyId: string) => `appraisal-${propertyId}`;
// Missed for days it still runs: the month is the one before the run, whenever it starts.
const APPRAISAL_CATCHUP_MS = 7 * 24 * HOUR;

function appraisalSchedule(property: ScheduledProperty, taskQueue: string) {
  const scheduleId = appraisalScheduleId(property.id);
  const times = timesOf(property);
  const at = { dayOfMonth: times.appraisalDayOfMonth, ...clock(times.appraisalAt) };
  return {
    scheduleId,
    spec: { calendars: [{ ...at, comment: `P3 monthly appraisal on day ${at.dayOfMonth} at ${times.appraisalAt}` }], timezone: property.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'monthlyAppraisal',
      // The server appends the scheduled time: one run per month.
      workflowId: scheduleId,
      taskQueue,
      args: [{ propertyId: property.id }] as Parameters<typeof monthlyAppraisal>,
      staticSummary: `P3 员工月绩效考核 · previous month's results of ${property.id}, kept two years`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: APPRAISAL_CATCHUP_MS },
    memo: { rule: 'P3', propertyId: property.id, purpose: 'the previous month’s appraisal results stored for the supervisors’ parts; appraisals kept two years' },
  } satisfies ScheduleOptions;
}

/** Creates each property's schedules, or updates one whose spec or action changed; the rest is left as it is. */
export async function ensureSchedules(client: Client, config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>, properties: ScheduledProperty[]): Promise<void> {
  for (const property of properties) {
    const schedules: WantedSchedule[] = [
      ...RECONCILIATION_SLOT_NAMES.map((slot) => reconciliationSchedule(property, slot, config.TEMPORAL_TASK_QUEUE)),
      surveyRunSchedule(property, config.TEMPORAL_TASK_QUEUE),
      complaintReportSchedule(property, config.TEMPORAL_TASK_QUEUE),
      appraisalSchedule(property, config.TEMPORAL_TASK_QUEUE),
    ];
    for (const wanted of schedules) await ensureSchedule(client, wanted);
  }
}

async function ensureSchedule(client: Client, wanted: WantedSchedule): Promise<void> {
  try {
    await client.schedule.create(wanted);
    return;
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(wanted.scheduleId);
  if (upToDate(await handle.describe(), wanted)) return;
  // Keeps the schedule's state: a schedule an operator paused stays paused.
  await handle.update((previous) => ({ spec: wanted.spec, action: wanted.action, policies: wanted.policies, state: previous.state }));
}
