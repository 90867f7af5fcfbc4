/**
 * R12: the reconciliation of open requests (未完成报修核对), morning and afternoon. A short
 * workflow started by the property's schedules (or by staff through the API): one activity builds
 * every butler's list from the read model, then each list goes out once — to its butler, all of them
 * to the front desk, and in the afternoon the count still without a reason to the supervisor.
 */
import { ApplicationFailure, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { NotifyInput } from '../activities/notify';
import {
  RECONCILIATION_SLOT_NAMES,
  RECONCILIATION_SLOTS,
  withoutReasonToday,
  type ReconciliationSlot,
  type ReconciliationSummary,
} from '../domain/reconciliation';
import { activities } from './case/proxies';

export interface ReconciliationInput {
  propertyId: string;
  slot: ReconciliationSlot;
  /** The staff member who started it by hand; absent when the schedule did. */
  requestedBy?: string;
}

export async function openRequestReconciliation(input: ReconciliationInput): Promise<ReconciliationSummary> {
  if (!RECONCILIATION_SLOT_NAMES.includes(input.slot)) {
    throw ApplicationFailure.create({ type: 'UnknownSlot', message: `no reconciliation slot ${input.slot}`, nonRetryable: true, details: [{ refusal: 'unknown-slot', slot: input.slot }] });
  }
  const { workflowId, startTime } = workflowInfo();
  // The day is the one the run started on, so a retry after midnight still reports the same day.
  const lists = await activities.buildOpenRequestLists.executeWithOptions(
    { startToCloseTimeout: '2 minutes', summary: `R12 open-request lists (${input.slot})` },
    [{ propertyId: input.propertyId, asOf: startTime.toISOString() }],
  );
  const { date, timeZone } = lists;
  const summary: ReconciliationSummary = {
    slot: input.slot,
    date,
    butlers: lists.butlers.map((b) => ({
      butlerId: b.butlerId,
      open: b.requests.length,
      withoutReason: b.requests.filter((r) => !r.reasonToday).length,
    })),
  };
  const missing = withoutReasonToday(lists);

  // One mail per recipient and run: the schedule makes the workflow ID unique per slot and day.
  const mail = (step: string, what: string, message: Omit<NotifyInput, 'idempotencyKey' | 'propertyId'>) =>
    activities.notify.executeWithOptions({ startToCloseTimeout: '1 minute', summary: what }, [
      { idempotencyKey: `${workflowId}:${step}`, propertyId: input.propertyId, ...message },
    ]);
  const common = { slot: input.slot, date, timeZone, requestedBy: input.requestedBy };
  const everyList = [...lists.butlers, ...(lists.unowned.length ? [{ butlerId: undefined, requests: lists.unowned }] : [])];
  await Promise.all([
    ...lists.butlers.map((b) =>
      mail(`butler:${b.butlerId}`, `R12 list to ${b.butlerId}`, {
        staffIds: [b.butlerId],
        template: 'openRequests',
        data: { ...common, forButler: b.butlerId, lists: [{ butlerId: b.butlerId, requests: b.requests }] },
      }),
    ),
    mail('frontdesk', 'R12 every list to the front desk', {
      roles: ['frontdesk'],
      template: 'openRequests',
      data: { ...common, lists: everyList.map((l) => ({ butlerId: l.butlerId, requests: l.requests })) },
    }),
    input.slot === 'afternoon' &&
      mail('supervisor', 'R12 count without a reason to the supervisor', {
        roles: ['supervisor'],
        template: 'openRequestsSummary',
        data: { slot: input.slot, date, timeZone, butlers: summary.butlers, withoutReason: missing },
      }),
  ]);

  setCurrentDetails(
    [
      `### R12 ${date} ${RECONCILIATION_SLOTS[input.slot].label} · ${input.propertyId}`,
      `**Open:** ${new Set(everyList.flatMap((l) => l.requests.map((r) => r.caseId))).size} · **without a reason today:** ${missing.length}`,
      '',
      ...summary.butlers.map((b) => `- ${b.butlerId}: ${b.open} open, ${b.withoutReason} without a reason`),
      ...(lists.unowned.length ? [`- no butler: ${lists.unowned.length} open`] : []),
    ].join('\n'),
  );
  return summary;
}
