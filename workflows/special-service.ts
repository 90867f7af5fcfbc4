/**
 * A special or personalised service (特约服务, domain.md O2). An internal one becomes a work order:
 * a repair case (R2 dispatch, acceptance, sign-off; R8 records its fee) linked to this one. An
 * external one waits for a partner's confirmation, which must reach the customer by the time they
 * asked for — missed, it goes to the supervisor once; its fee is recorded for finance when done.
 */
import { condition, executeChild, ParentClosePolicy, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Actor } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import type { SpecialServiceIntake, SpecialServiceStatus } from '../domain/requests';
import { activities, CaseTracker, openingState, receivedEvent, registerActions, type CoreState } from './case-core';
import { caseViewQuery, type ActionCall, type CaseView } from './messages';
import type { repair } from './repair';
import { SPECIAL_SERVICE_ACTIONS, specialServiceMessages, type SpecialServiceActionName, type SpecialServiceActionPayload } from './request-messages';

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

const SYSTEM: Actor = { staffId: 'system', role: 'system' };

export async function specialService(input: SpecialServiceInput): Promise<{ caseId: string; status: string; escalated: boolean; workOrderId?: string }> {
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
  const tracker = new CaseTracker(state, policy);
  const isOver = () => state.closedAt !== undefined;
  const answered = () => state.status !== 'received' && state.status !== 'awaiting_partner';

  const allowed = (): SpecialServiceActionName[] => {
    if (intake.provider === 'internal' || isOver()) return [];
    if (state.status === 'awaiting_partner') return ['confirmPartner', 'decline'];
    if (state.status === 'confirmed') return ['complete', 'decline'];
    return [];
  };

  async function apply(name: SpecialServiceActionName, call: ActionCall): Promise<CaseView> {
    const now = new Date().toISOString();
    const payload = call.payload as Record<string, unknown>;
    switch (name) {
      case 'confirmPartner':
        state.partner = (payload as SpecialServiceActionPayload<'confirmPartner'>).partner;
        state.status = 'confirmed';
        break;
      case 'decline':
        state.status = 'declined';
        state.closedAt = now;
        break;
      case 'complete': {
        const { feeCents, feeDescription } = payload as SpecialServiceActionPayload<'complete'>;
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
        state.closedAt = now;
        break;
      }
    }
    await tracker.audit(name, call.actor, payload);
    return tracker.view(allowed());
  }

  setHandler(caseViewQuery, () => tracker.view(allowed()));
  registerActions(SPECIAL_SERVICE_ACTIONS, specialServiceMessages, { allowed, describe: () => `special service is ${state.status}`, apply });

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
    receivedEvent(input, { rule: 'O2', channel: intake.channel, provider: intake.provider, requestedBy: intake.requestedBy, partner: intake.partner }),
  );
  tracker.refresh();

  if (intake.provider === 'internal') {
    // The work order is a repair case: the same dispatch, acceptance, sign-off and fee (R2, R8).
    const workOrderId = await activities.allocateCaseNumber({ prefix: 'R', propertyId: input.propertyId });
    state.status = 'work_order';
    state.links = [{ caseId: workOrderId, relation: 'work-order' }];
    await tracker.audit('work-order-opened', SYSTEM, { workOrderId }, { links: state.links });
    const requestedInFuture = new Date(intake.requestedBy).getTime() > Date.now();
    const outcome = await executeChild<typeof repair>('repair', {
      workflowId: `repair-${workOrderId}`,
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
