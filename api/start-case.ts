import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { allocateCaseNumber } from '../db/case-numbers';
import type { OperationResult } from './contract';
import { withIdempotency } from './idempotency';

type CaseStart<W extends Workflow> = Pick<WorkflowStartOptions<W>, 'workflowId' | 'args' | 'typedSearchAttributes' | 'staticSummary'> & {
  self: string;
  status?: string;
};

/**
 * A creating request's whole path: at most once per Idempotency-Key, allocate the case number
 * (prefix + property-local date) and start the case's workflow under it.
 */
export function openCase<W extends Workflow>(
  deps: { em: EntityManager; temporal: Client; config: Config },
  request: { staffId: string; idempotencyKey: string | undefined; body: unknown; prefix: string; at: Date; timeZone: string },
  workflowType: string,
  start: (caseId: string) => CaseStart<W>,
): Promise<OperationResult> {
  return withIdempotency(
    deps.em,
    { staffId: request.staffId, key: request.idempotencyKey, body: request.body },
    (tx) => allocateCaseNumber(tx, request.prefix, request.at, request.timeZone),
    (caseId) => startCase<W>(deps.temporal, deps.config, workflowType, { caseId, ...start(caseId) }),
  );
}

/**
 * Starts a case's workflow under its business key and answers 201 with where to find it. A
 * retried create finds the case it already opened instead of failing or opening a second.
 */
async function startCase<W extends Workflow>(
  temporal: Client,
  config: Config,
  workflowType: string,
  options: CaseStart<W> & { caseId: string },
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
