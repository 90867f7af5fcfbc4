/**
 * A workflow that fails — an activity failed for good (bad data, an unknown id, a bug) — leaves a
 * case nobody follows: the read model may not even have its row. Its property's supervisors and
 * managers hear of it at once by mail, and the workflow still fails with the cause, so the Temporal
 * UI lists it (`ExecutionStatus = 'Failed'`). Cancellation and continue-as-new are not failures.
 */
import { isCancellation, proxyActivities, TemporalFailure, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { notify } = proxyActivities<Pick<Activities, 'notify'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** What a failed workflow's input says about where it belongs. */
interface Whereabouts {
  propertyId?: string;
  caseId?: string;
  campaignId?: string;
  areaId?: string;
  room?: string;
}

/** The innermost message of a failure chain, with its type: what went wrong, not where it surfaced. */
function reasonOf(error: TemporalFailure): string {
  let failure: Error = error;
  while (failure.cause instanceof Error) failure = failure.cause;
  const type = (failure as { type?: string }).type;
  return type ? `${type}: ${failure.message}` : failure.message;
}

/** `run`, and when it fails for good, the mail that says so before the failure goes on. */
export function reportingFailure<F extends (input: never) => Promise<unknown>>(run: F): F {
  const reporting = async (input: Whereabouts) => {
    try {
      return await run(input as never);
    } catch (error) {
      if (!(error instanceof TemporalFailure) || isCancellation(error) || !input?.propertyId) throw error;
      const { workflowId, runId } = workflowInfo();
      await notify({
        idempotencyKey: `${workflowId}:${runId}:failed`,
        workflowId,
        caseId: input.caseId,
        propertyId: input.propertyId,
        areaId: input.areaId,
        roles: ['supervisor', 'manager'],
        template: 'caseFailed',
        data: { caseId: input.caseId ?? input.campaignId ?? workflowId, room: input.room, reason: reasonOf(error) },
      });
      throw error;
    }
  };
  return reporting as unknown as F;
}
