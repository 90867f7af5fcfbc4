/**
 * P1: the monthly complaint analysis (月度投诉分析报告) of the previous month, ready by the 10th.
 * Started by the property's schedule on the 2nd at 08:00 local time (schedules.ts): one
 * activity analyses the read model and stores the report, one mails it to the managers with the
 * CSV attached, once per run.
 */
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { Month } from '../domain/reports';
import { activities } from './case/proxies';

export interface ComplaintReportInput {
  propertyId: string;
  /** The month to analyse; by default the one before the run's start, in the property's time zone. */
  month?: Month;
}

export async function monthlyComplaintReport(input: ComplaintReportInput): Promise<{ month: Month; total: number; resolved: number }> {
  const { workflowId, startTime } = workflowInfo();
  // The month is the one before the run started, so a retry on another day still reports the same month.
  const built = await activities.buildComplaintReport.executeWithOptions(
    { startToCloseTimeout: '5 minutes', summary: `P1 analysis of ${input.month ?? 'the previous month'}` },
    [{ propertyId: input.propertyId, asOf: startTime.toISOString(), month: input.month, workflowId }],
  );
  setCurrentDetails(`### P1 ${built.month} · ${input.propertyId}\n**Complaints:** ${built.total} · **resolved:** ${built.resolved}\n\nMailing the managers…`);
  const mailed = await activities.mailComplaintReport.executeWithOptions(
    { startToCloseTimeout: '2 minutes', summary: `P1 ${built.month} to the managers` },
    [{ idempotencyKey: `${workflowId}:managers`, propertyId: input.propertyId, month: built.month }],
  );
  setCurrentDetails(
    `### P1 ${built.month} · ${input.propertyId}\n**Complaints:** ${built.total} · **resolved:** ${built.resolved}\n\nMailed to ${mailed.sent + mailed.skipped} manager(s); JSON and CSV at \`/api/v1/reports/complaints/${built.month}\`.`,
  );
  return built;
}
