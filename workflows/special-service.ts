/**
 * A special or personalised service (特约服务, docs/rules.md O2). An internal one becomes a work order:
 * a repair case (R2 dispatch, acceptance, sign-off; R8 records its fee) linked to this one. An
 * external one waits for a partner's confirmation, which must reach the customer by the time they
 * asked for — missed, it goes to the supervisor once; its fee is recorded for finance when done.
 */
import { condition, executeChild, ParentClosePolicy, setHandler, workflowInfo } from '@temporalio/workflow';
import { SPECIAL_SERVICE_ACTIONS_BY_STATUS, type SpecialServiceActionName } from '../domain/case-actions';
import { SYSTEM_ACTOR as SYSTEM, type Actor } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import type { SpecialServiceIntake, SpecialServiceStatus } from '../domain/requests';
import { activities, awaitOpening, CaseTracker, openingState, receivedEvent, registerActions, type CoreState } from './case';
import { caseViewQuery } from './messages';
import type { repair } from './repair';
import { SPECIAL_SERVICE_ACTIONS, specialServiceMessages } from './request-messages';
import { workflowIds } from '../domain/workflow-ids';

export interface SpecialServiceInput {
  caseId: string;
  propertyId: string;
  areaId: string;
  householdId?: string;
  room?: string;
  intake: SpecialServiceIntake;
  receivedAt: string;
  receivedBy: Actor;
}

interface SpecialServiceState extends CoreState {
  status: SpecialServiceStatus | 'received';
  partner?: string;
  links: { caseId: string; relation: string }[];
}

export async function specialService(input: SpecialServiceInput): Promise<{ caseId: string; status: string; escalated: boolean; workOrderId?: string }> {
  const opening = awaitOpening(input.caseId);
  const policy: ServicePolicy = await activities.loadPolicy(input.propertyId);
  const workflowId = workflowInfo().workflowId;
  const { intake } = input;
  const state: SpecialServiceState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'special_service',
    status: 'received',
    severity: intake.provider,
    areaId: input.areaId,
    room: input.room,
    ...openingState(),
    receivedAt: input.receivedAt,
    partner: intake.partner,
    links: [],
  };
  const tracker = new CaseTracker(state, policy, opening);
  const isOver = () => state.closedAt !== undefined;
  const answered = () => state.status !== 'received' && state.status !== 'awaiting_partner';

  /** An internal service is acted on through its work order (a repair case). */
  const allowed = (): SpecialServiceActionName[] => (intake.provider === 'internal' || state.status === 'received' ? [] : [...SPECIAL_SERVICE_ACTIONS_BY_STATUS[state.status]]);
  const view = () => tracker.view(allowed());

  setHandler(caseViewQuery, view);
  registerActions(SPECIAL_SERVICE_ACTIONS, specialServiceMessages, tracker, {
    allowed,
    describe: () => `special service is ${state.status}`,
    handlers: {
      confirmPartner: ({ partner }) => {
        state.partner = partner;
        state.status = 'confirmed';
      },
      decline: () => {
        state.status = 'declined';
        state.closedAt = new Date().toISOString();
      },
      complete: async ({ feeCents, feeDescription }, call) => {
        if (feeCents) {
          // R8: the fee goes to finance (交财务部入帐) before the case shows it as done.
          await activities.recordFinanceEntry({
            idempotencyKey: `${workflowId}:fee`,
            caseId: state.caseId,
            propertyId: input.propertyId,
            amountCents: feeCents,
            description: feeDescription!,
            recordedBy: call.actor.staffId,
          });
        }
        state.status = 'completed';
        state.closedAt = new Date().toISOString();
      },
    },
    view,
  });

  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'special_service',
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: intake.channel,
      severity: intake.provider,
      category: intake.provider,
      status: state.status,
      description: intake.description,
      contactName: intake.contactName,
      contactPhone: intake.contactPhone,
      receivedAt: input.receivedAt,
      receivedBy: input.receivedBy.staffId,
    },
    receivedEvent(input, { rule: 'O2', channel: intake.channel, provider: intake.provider, requestedBy: intake.requestedBy, partner: intake.partner, lateEntryReason: intake.lateEntryReason }),
  );
  tracker.opened();

  if (intake.provider === 'internal') {
    // The work order is a repair case: the same dispatch, acceptance, sign-off and fee (R2, R8).
    const workOrderId = await activities.allocateCaseNumber({ prefix: 'R', propertyId: input.propertyId });
    state.status = 'work_order';
    state.links = [{ caseId: workOrderId, relation: 'work-order' }];
    await tracker.audit('work-order-opened', SYSTEM, { workOrderId }, { links: state.links });
    const requestedInFuture = new Date(intake.requestedBy).getTime() > Date.now();
    const outcome = await executeChild<typeof repair>('repair', {
      workflowId: workflowIds.repair(workOrderId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `特约服务工单 ${workOrderId} ← ${state.caseId}${state.room ? ` · room ${state.room}` : ''}`,
      args: [
        {
          caseId: workOrderId,
          propertyId: input.propertyId,
          areaId: input.areaId,
          householdId: input.householdId,
          room: input.room,
          intake: {
            room: input.room,
            contactName: intake.contactName,
            contactPhone: intake.contactPhone,
            channel: intake.channel,
            description: `特约服务 ${state.caseId}: ${intake.description}`,
            classification: 'general',
            tags: [],
            publicArea: false,
            underWarranty: false,
            appointmentAt: requestedInFuture ? intake.requestedBy : undefined,
          },
          receivedAt: new Date().toISOString(),
          receivedBy: input.receivedBy,
        },
      ],
    });
    state.status = 'completed';
    state.closedAt = new Date().toISOString();
    await tracker.audit('work-order-finished', SYSTEM, { workOrderId, status: outcome.status });
    await tracker.finished();
    return { caseId: state.caseId, status: state.status, escalated: state.escalated, workOrderId };
  }

  // External: the partner's answer must reach the customer by the time they asked for.
  state.status = 'awaiting_partner';
  await tracker.audit('partner-asked', SYSTEM, { partner: intake.partner });
  const dueAt = new Date(intake.requestedBy);
  const met = await tracker.deadline({ name: 'answer', rule: 'O2', dueAt, summary: 'O2 answer to the customer due' }, answered);
  if (!met) {
    await tracker.escalate({
      deadline: 'answer',
      rule: 'O2',
      roles: ['supervisor'],
      reason: 'no partner confirmation reached the customer by the requested time',
      dueAt: dueAt.toISOString(),
      step: 'answer',
    });
  }
  await condition(isOver);
  await tracker.audit('closed', SYSTEM, { status: state.status });
  await tracker.finished();
  return { caseId: state.caseId, status: state.status, escalated: state.escalated };
}
