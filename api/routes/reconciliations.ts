import { ACCESS } from '../../domain/access';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { Property } from '../../db/entities';
import { manualReconciliationWorkflowId, RECONCILIATION_SLOT_NAMES } from '../../domain/reconciliation';
import type { openRequestReconciliation } from '../../workflows/reconciliation';
import { operation, type Operation } from '../contract';
import type { RouteDeps } from './repairs';


const startedSchema = z.object({
  workflowId: z.string(),
  slot: z.enum(RECONCILIATION_SLOT_NAMES),
});

export function reconciliationOperations({ orm, temporal, config }: RouteDeps): Operation[] {
  return [
    operation({
      method: 'post',
      path: '/reconciliations',
      operationId: 'startReconciliation',
      summary: 'R12: reconcile the open requests now (未完成报修核对) — the lists go out by mail as at the scheduled times',
      description:
        'Starts a reconciliation of the caller’s property at once, besides the scheduled 09:00 and 15:00 runs. ' +
        'Requests within the same minute are one run.',
      tags: ['reconciliations'],
      roles: ACCESS.reconciliations.run,
      body: z.object({ slot: z.enum(RECONCILIATION_SLOT_NAMES).describe('afternoon also tells the supervisor what has no reason yet') }).strict(),
      bodyExample: { slot: 'afternoon' },
      responses: { 202: { description: 'Started; the mails follow', schema: startedSchema } },
      handler: async ({ body, staff }) => {
        const property = await orm.em.fork().findOneOrFail(Property, { id: staff.propertyId });
        const workflowId = manualReconciliationWorkflowId(property.id, body.slot, new Date(), property.timeZone);
        try {
          await temporal.workflow.start<typeof openRequestReconciliation>('openRequestReconciliation', {
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            workflowId,
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [{ propertyId: property.id, slot: body.slot, requestedBy: staff.id }],
            staticSummary: `R12 reconciliation of ${property.id} (${body.slot}), started by ${staff.id}`,
          });
        } catch (error) {
          // This minute's run already finished: the lists went out, the answer is the same run.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
        return { status: 202, body: { workflowId, slot: body.slot } };
      },
    }),
  ];
}
