/**
 * A complaint (投诉). For now the minimal entry that R11 needs: a major complaint opened from a
 * repair that failed twice — recorded, linked to its repair, announced once to the supervisor
 * and the manager, and open until one of them closes it with a resolution. The full complaint
 * rules (C1–C11) build on this workflow.
 */
import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Actor, Channel } from '../domain/people';
import { activities, CaseTracker, registerActions, type CoreState } from './case-core';
import { caseViewQuery, COMPLAINT_ACTIONS, complaintMessages, type ActionCall, type CaseView } from './messages';

export type ComplaintSeverity = 'general' | 'important' | 'major';

export interface ComplaintInput {
  caseId: string;
  propertyId: string;
  areaId: string;
  householdId?: string;
  room?: string;
  contactName?: string;
  contactPhone?: string;
  channel: Channel;
  description: string;
  severity: ComplaintSeverity;
  category: string;
  receivedAt: string;
  receivedBy: Actor;
  /** The case this complaint came from, e.g. the repair of R11, and why. */
  source?: { caseId: string; relation: string; reason: string };
}

export async function complaint(input: ComplaintInput): Promise<{ caseId: string; status: string }> {
  const policy = await activities.loadPolicy(input.propertyId);
  const state: CoreState & { resolution?: string } = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'complaint',
    status: 'received',
    severity: input.severity,
    areaId: input.areaId,
    room: input.room,
    slaState: 'ok',
    escalated: input.severity === 'major',
    deadlines: [],
    recent: [],
    seq: 0,
    receivedAt: input.receivedAt,
  };
  const tracker = new CaseTracker(state, policy);
  const workflowId = workflowInfo().workflowId;

  const view = (): CaseView => ({
    caseId: state.caseId,
    workflowId,
    kind: 'complaint',
    status: state.status,
    severity: state.severity,
    areaId: state.areaId,
    room: state.room,
    assigneeId: state.assigneeId,
    slaState: state.slaState,
    escalated: state.escalated,
    deadlines: state.deadlines,
    allowedActions: state.status === 'closed' ? [] : ['close'],
    recent: state.recent,
    receivedAt: state.receivedAt,
    closedAt: state.closedAt,
  });

  setHandler(caseViewQuery, view);
  registerActions(COMPLAINT_ACTIONS, complaintMessages, {
    allowed: () => (state.status === 'closed' ? [] : ['close']),
    describe: () => `complaint is ${state.status}`,
    async apply(name, call: ActionCall) {
      const { resolution } = call.payload as { resolution: string };
      state.resolution = resolution;
      state.status = 'closed';
      state.closedAt = new Date().toISOString();
      await tracker.audit(name, call.actor, { resolution });
      return view();
    },
  });

  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'complaint',
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: input.channel,
      severity: input.severity,
      category: input.category,
      status: state.status,
      description: input.description,
      contactName: input.contactName,
      contactPhone: input.contactPhone,
      receivedAt: input.receivedAt,
      receivedBy: input.receivedBy.staffId,
      links: input.source ? [{ caseId: input.source.caseId, relation: input.source.relation }] : [],
    },
    {
      idempotencyKey: `${workflowId}:0`,
      action: 'received',
      actor: input.receivedBy,
      at: input.receivedAt,
      payload: { severity: input.severity, category: input.category, source: input.source },
    },
  );
  tracker.refresh();

  if (input.severity === 'major') {
    await activities.notify({
      idempotencyKey: `${workflowId}:major`,
      workflowId,
      caseId: state.caseId,
      propertyId: input.propertyId,
      roles: ['supervisor', 'manager'],
      template: 'majorComplaint',
      data: { caseId: state.caseId, room: state.room, reason: input.source?.reason ?? input.description, relatedCaseId: input.source?.caseId },
    });
  }

  await condition(() => state.status === 'closed');
  await condition(allHandlersFinished);
  return { caseId: state.caseId, status: state.status };
}
