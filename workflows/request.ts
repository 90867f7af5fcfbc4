/**
 * An inquiry, suggestion, help request or praise (问询、建议、求助、表扬, docs/rules.md I3): the
 * lightweight request. Answered on the spot it closes at once; otherwise the customer is promised a
 * reply time, which is a deadline — missed, it goes to the supervisor, once per promised time.
 * A suggestion judged valuable is forwarded to the supervisor and archived.
 */
import { ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { allowedRequestActions } from '../domain/case-actions';
import { SYSTEM_ACTOR as SYSTEM, type Actor } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import { replyBy, type RequestIntake, type RequestStatus } from '../domain/requests';
import { activities, awaitOpening, CaseTracker, openingState, receivedEvent, registerActions, type CoreState } from './case';
import { caseViewQuery, type CaseView } from './messages';
import { REQUEST_ACTIONS, requestMessages } from './request-messages';

export interface ServiceRequestInput {
  caseId: string;
  propertyId: string;
  areaId: string;
  householdId?: string;
  room?: string;
  intake: RequestIntake;
  receivedAt: string;
  receivedBy: Actor;
}

interface RequestState extends CoreState {
  status: RequestStatus;
  requestKind: RequestIntake['kind'];
}

export async function serviceRequest(input: ServiceRequestInput): Promise<{ caseId: string; status: string; escalated: boolean }> {
  const opening = awaitOpening(input.caseId);
  const policy: ServicePolicy = await activities.loadPolicy(input.propertyId);
  const workflowId = workflowInfo().workflowId;
  const state: RequestState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'request',
    status: 'awaiting_reply',
    severity: input.intake.kind,
    requestKind: input.intake.kind,
    areaId: input.areaId,
    room: input.room,
    ...openingState(),
    receivedAt: input.receivedAt,
  };
  const tracker = new CaseTracker(state, policy, opening);
  const isClosed = () => state.closedAt !== undefined;
  const reply = tracker.movable({ name: 'reply', rule: 'I3', summary: 'I3 reply due' });
  const view = (): CaseView => tracker.view(allowedRequestActions({ closed: isClosed(), kind: state.requestKind }));

  setHandler(caseViewQuery, view);
  registerActions(REQUEST_ACTIONS, requestMessages, tracker, {
    allowed: () => allowedRequestActions({ closed: isClosed(), kind: state.requestKind }),
    describe: () => `request is ${state.status}`,
    checks: {
      promiseReply: ({ replyBy }) => {
        if (new Date(replyBy).getTime() <= Date.now()) {
          throw ApplicationFailure.create({ type: 'ImpossibleTime', message: 'replyBy is not in the future', details: [{ refusal: 'time-not-in-future', field: 'replyBy', at: replyBy, timeZone: policy.timeZone }] });
        }
      },
    },
    handlers: {
      answer: () => {
        state.status = 'answered';
        state.closedAt = new Date().toISOString();
      },
      promiseReply: ({ replyBy }) => reply.moveTo(new Date(replyBy)),
      forwardSuggestion: ({ note }) => {
        state.status = 'forwarded';
        state.closedAt = new Date().toISOString();
        return {
          after: () =>
            tracker.mail('the suggestion forwarded to the supervisor', [{
              idempotencyKey: `${workflowId}:forwarded`,
              workflowId,
              caseId: state.caseId,
              propertyId: input.propertyId,
              roles: ['supervisor'],
              template: 'suggestionForwarded',
              data: { caseId: state.caseId, room: state.room, description: input.intake.content, note },
            }]),
        };
      },
    },
    view,
  });

  // I2: the record of who asked what, when, through which channel, taken by whom.
  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'request',
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: input.intake.channel,
      severity: input.intake.kind,
      category: input.intake.kind,
      status: state.status,
      description: input.intake.content,
      contactName: input.intake.contactName,
      contactPhone: input.intake.contactPhone,
      receivedAt: input.receivedAt,
      receivedBy: input.receivedBy.staffId,
    },
    receivedEvent(input, { channel: input.intake.channel, kind: input.intake.kind, lateEntryReason: input.intake.lateEntryReason }),
  );
  tracker.opened();

  if (input.intake.answer) {
    // I3: answered on the spot.
    state.status = 'answered';
    state.closedAt = input.receivedAt;
    await tracker.audit('answered-on-the-spot', input.receivedBy, { answer: input.intake.answer });
  } else {
    reply.moveTo(replyBy(policy, input.receivedAt, input.intake.replyBy));
    await reply.run(isClosed, (dueAt, revision) =>
      tracker.escalate({
        deadline: 'reply',
        rule: 'I3',
        roles: ['supervisor'],
        reason: 'the customer was not answered by the promised reply time',
        dueAt,
        step: `reply:${revision}`,
      }),
    );
    await condition(isClosed);
  }
  await tracker.audit('closed', SYSTEM, { status: state.status });
  await tracker.finished();
  return { caseId: state.caseId, status: state.status, escalated: state.escalated };
}
