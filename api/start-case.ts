import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { Config } from '../config';
import type { OperationResult } from './contract';

/**
 * Starts a case's workflow under its business key and answers 201 with where to find it. A
 * retried create finds the case it already opened instead of failing or opening a second.
 */
export async function startCase<W extends Workflow>(
  temporal: Client,
  config: Config,
  workflowType: string,
  options: Pick<WorkflowStartOptions<W>, 'workflowId' | 'args' | 'typedSearchAttributes' | 'staticSummary'> & { caseId: string; self: string; status?: string },
): Promise<OperationResult> {
  const { caseId, self, status = 'received', ...start } = options;
  await temporal.workflow.start<W>(workflowType, {
    ...start,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  } as WorkflowStartOptions<W>);
  return {
    status: 201,
    body: { caseId, workflowId: options.workflowId, status, links: { self } },
    headers: { Location: self },
  };
}
