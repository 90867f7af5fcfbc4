/**
 * P3: the monthly staff appraisal (员工月绩效考核) of the previous month. Started by the property's
 * schedule (by default on the 1st at 06:00 local time, scripts/schedules.ts): one activity stores
 * every case holder's results of the month beside the parts supervisors enter, and deletes the
 * appraisals older than the policy keeps (two years).
 */
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { Month } from '../domain/reports';
import { activities } from './case/proxies';

export interface MonthlyAppraisalInput {
  propertyId: string;
  /** The month to store; by default the one before the run's start, in the property's time zone. */
  month?: Month;
}

export async function monthlyAppraisal(input: MonthlyAppraisalInput): Promise<{ month: Month; staff: number; purgedMonths: number; purgedYears: number }> {
  // The month is the one before the run started, so a retry on another day still stores the same month.
  const { startTime } = workflowInfo();
  const stored = await activities.storeMonthlyAppraisal.executeWithOptions(
    { startToCloseTimeout: '5 minutes', summary: `P3 appraisal of ${input.month ?? 'the previous month'}` },
    [{ propertyId: input.propertyId, asOf: startTime.toISOString(), month: input.month }],
  );
  setCurrentDetails(
    [
      `### P3 appraisal ${stored.month} · ${input.propertyId}`,
      `**Results stored:** ${stored.staff} staff member(s); supervisors enter conduct, diligence and ability at \`/api/v1/appraisals/${stored.month}\`.`,
      `**Kept two years:** ${stored.purgedMonths} older month(s) and ${stored.purgedYears} year-end record(s) deleted.`,
    ].join('\n'),
  );
  return stored;
}
