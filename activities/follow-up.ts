import { createHash } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { LockMode } from '@mikro-orm/core';
import { allocateCaseNumber } from '../db/case-numbers';
import { IdempotentRequest, Property } from '../db/entities';
import type { ActivityDeps } from './deps';

/** The requester recorded on numbers a workflow claims; no staff id looks like it. */
const WORKFLOW_REQUESTER = 'workflow';

/** Case numbers for cases a workflow opens itself: a new need at a return visit (V3), a major complaint (R11). */
export function createFollowUpActivities({ orm, clock }: ActivityDeps) {
  return {
    /**
     * The next case number of `prefix` for the property's local date. Claimed under the calling
     * step's key (workflow run + activity id unless given), so a retry after a lost completion gets
     * the same number instead of skipping one.
     */
    async allocateCaseNumber(input: { prefix: string; propertyId: string; idempotencyKey?: string }): Promise<string> {
      const em = orm.em.fork();
      const property = await em.findOne(Property, { id: input.propertyId });
      if (!property) {
        throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${input.propertyId}`, nonRetryable: true });
      }
      const info = activityInfo();
      const key =
        input.idempotencyKey ??
        (info.workflowExecution ? `${info.workflowExecution.workflowId}:${info.workflowExecution.runId}:${info.activityId}` : undefined);
      if (!key) return allocateCaseNumber(em, input.prefix, clock(), property.timeZone);
      return em.transactional(async (tx) => {
        const claimed = await tx.findOne(IdempotentRequest, { staffId: WORKFLOW_REQUESTER, key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (claimed?.resourceId) return claimed.resourceId;
        const caseId = await allocateCaseNumber(tx, input.prefix, clock(), property.timeZone);
        tx.create(IdempotentRequest, {
          staffId: WORKFLOW_REQUESTER,
          key,
          requestHash: createHash('sha256').update(`${input.prefix}|${input.propertyId}`).digest('hex'),
          resourceId: caseId,
          statusCode: null,
          response: null,
          createdAt: new Date(),
        });
        // A concurrent attempt with the same key loses on the primary key and is retried: it then reads this row.
        await tx.flush();
        return caseId;
      });
    },
  };
}
