/** What staff do to a complaint (C1–C11), one handler per action; the states that take each are in domain/case-actions.ts. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Role } from '../../domain/people';
import { closureAllowedFrom } from '../../domain/complaint-deadlines';
import { departmentOf } from '../../domain/complaint';
import type { ActionCheckMap, ActionHandlerMap, CaseActions } from '../case';
import type { COMPLAINT_ACTIONS } from '../messages';
import { allowedActions, archive, isMajor, notifyOwners, viewOf, type ComplaintCase } from './case';
import { openNewNeed } from './follow-up';
import { checkIssue, routeToDepartment, transferToGroup, upgrade } from './upgrade';

export function complaintActions(c: ComplaintCase): CaseActions<typeof COMPLAINT_ACTIONS> {
  const { state, routing } = c;
  return {
    allowed: () => allowedActions(c),
    describe: () => `complaint is ${state.status}`,
    // C2: only the roles of this complaint's kind act on it; the API already hides it from the others.
    checkAll(name, call) {
      if (call.actor.role === 'system' || !routing.handlers.includes(call.actor.role as Role)) {
        throw ApplicationFailure.create({ type: 'Forbidden', message: `this complaint is handled by ${routing.handlers.join(', ')}`, details: [{ refusal: 'not-complaint-handler', roles: routing.handlers }] });
      }
      if ((name === 'approveCorrective' || name === 'archive') && call.actor.role !== routing.approver) {
        throw ApplicationFailure.create({ type: 'Forbidden', message: `${name} is for the ${routing.approver} (C6/C7)`, details: [{ refusal: 'approver-only', action: name, roles: [routing.approver], rule: 'C6/C7' }] });
      }
    },
    checks: complaintChecks(c),
    handlers: complaintHandlers(c),
    audited: (payload) => (state.confidential ? { ...payload, confidential: true } : payload),
    view: () => viewOf(c),
  };
}

/** What each action needs beyond its payload's schema: a time in the future, C8's analysis, V2's next call, C7, C9. */
function complaintChecks(c: ComplaintCase): ActionCheckMap<typeof COMPLAINT_ACTIONS> {
  const { state, policy } = c;
  return {
    agreeHandling: ({ dueAt, analysis }) => {
      if (Date.parse(dueAt) <= Date.now()) {
        throw ApplicationFailure.create({ type: 'ImpossibleTime', message: `dueAt ${dueAt} is not in the future`, details: [{ refusal: 'time-not-in-future', field: 'dueAt', at: dueAt, timeZone: policy.timeZone }] });
      }
      if (state.status === 'unsatisfied' && !analysis) {
        throw ApplicationFailure.create({
          type: 'InvalidPayload',
          message: 'analysis: C8 — analyse why the customer was not satisfied before agreeing the improvement',
          details: [{ refusal: 'analysis-required', rule: 'C8' }],
        });
      }
    },
    scheduleReturnVisit: ({ visitAt }) => {
      if (Date.parse(visitAt) <= Date.now()) {
        throw ApplicationFailure.create({ type: 'ImpossibleTime', message: `visitAt ${visitAt} is not in the future`, details: [{ refusal: 'time-not-in-future', field: 'visitAt', at: visitAt, timeZone: policy.timeZone }] });
      }
    },
    recordReturnVisit: () => {
      if (state.nextCallFrom && Date.parse(state.nextCallFrom) > Date.now()) {
        throw ApplicationFailure.create({
          type: 'ActionNotAllowed',
          message: `V2: the last call went unanswered; call again at a different time of day, from ${state.nextCallFrom}`,
          details: [{ refusal: 'call-again-later', rule: 'V2', from: state.nextCallFrom, timeZone: c.policy.timeZone }],
        });
      }
    },
    classify: ({ severity }) => {
      if (isMajor(c) && severity !== 'major') {
        throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'a major complaint stays major (C4/C8)', details: [{ refusal: 'major-stays-major', rule: 'C4/C8' }] });
      }
    },
    exempt: ({ ground }) => {
      if (ground === 'anonymous' && c.contactable) {
        throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'the complainant left a contact: the complaint is not anonymous (C7)', details: [{ refusal: 'not-anonymous', rule: 'C7' }] });
      }
    },
    closeWithoutAgreement: ({ ground }) => {
      const since = ground === 'unconfirmed' ? (state.resolvedAt ?? state.receivedAt) : state.receivedAt;
      const from = closureAllowedFrom(policy, ground, since);
      if (from.getTime() > Date.now()) {
        throw ApplicationFailure.create({
          type: 'ActionNotAllowed',
          message: `C9: closing as ${ground} is possible from ${from.toISOString()}`,
          details: [{ refusal: 'closure-not-yet', ground, from: from.toISOString(), timeZone: policy.timeZone, rule: 'C9' }],
        });
      }
    },
  };
}

function complaintHandlers(c: ComplaintCase): ActionHandlerMap<typeof COMPLAINT_ACTIONS> {
  const { state, policy, routing, input, tracker } = c;
  const now = () => new Date().toISOString();

  /** C8: one more handling the customer was not satisfied with; the second makes the complaint major. */
  const failedHandling = (why: (times: number) => string) => {
    state.failedHandlings += 1;
    const times = state.failedHandlings;
    return times >= policy.complaint.failedHandlingsForMajor ? { after: () => upgrade(c, 'handled-twice', 'C8', why(times)) } : undefined;
  };

  return {
    respond: () => {
      state.respondedAt = now();
    },
    classify: (p, call) => {
      const at = now();
      const wasMajor = state.majorSince !== undefined;
      if (!wasMajor) state.severity = p.severity;
      state.category = p.category;
      state.department = p.department;
      if (p.assigneeId) state.assigneeId = p.assigneeId;
      if (p.issueKey) state.issueKey = p.issueKey;
      if (p.ourFault !== undefined) state.ourFault = p.ourFault;
      if (state.status === 'received') state.status = 'classified';
      if (!wasMajor && p.severity !== 'general') state.owners = p.severity === 'major' ? [...routing.escalateTo] : c.kind === 'customer' ? ['supervisor'] : state.owners;
      const becameMajor = !wasMajor && p.severity === 'major';
      if (becameMajor) {
        state.majorSince = at;
        state.majorReasons = [...state.majorReasons, { reason: 'classified', rule: 'C3', at }];
        state.escalated = true;
      }
      return {
        patch: { category: p.category, issueKey: state.issueKey ?? null },
        after: async () => {
          if (becameMajor) {
            await notifyOwners(c, 'major', 'majorComplaint', routing.escalateTo, { majorReason: 'classified', rule: 'C3' });
            await transferToGroup(c, 'classified', 'C3', 'C3: classified as a major complaint');
          }
          // C3: a general or important customer complaint goes to the head of the department that handles it.
          const department = departmentOf(p.department);
          if (!becameMajor && !wasMajor && c.kind === 'customer' && department) await routeToDepartment(c, department, p.severity);
          if (p.seriousLossOrInjury) await upgrade(c, 'serious-loss-or-injury', 'C4', 'serious financial loss or personal injury recorded at classification', call.actor);
          if (p.issueKey) await checkIssue(c, p.issueKey);
        },
      };
    },
    markInvalid: ({ explanation }) => {
      state.status = 'invalid';
      state.closure = { ground: 'invalid', reason: explanation };
      state.closedAt = now();
      return { after: () => notifyOwners(c, 'invalid', 'invalidComplaint', [], { reason: explanation, channel: input.channel }, [input.receivedBy.staffId]) };
    },
    flagLawsuitOrMediaRisk: ({ note }, call) => ({ after: () => upgrade(c, 'lawsuit-or-media', 'C4', note, call.actor) }),
    firstReply: () => {
      state.firstRepliedAt = now();
    },
    writtenReply: () => {
      state.writtenRepliedAt = now();
    },
    reportToGroup: () => {
      state.groupReportedAt = now();
    },
    agreeHandling: ({ method, dueAt, department }) => {
      state.handling = { method, dueAt: new Date(dueAt).toISOString() };
      if (department) state.department = department;
      if (state.status !== 'handling') state.progressFrom = now();
      // C8: an improvement after an unsatisfied visit is a new handling, approved again (C6).
      if (state.status === 'unsatisfied') state.correctiveApprovedAt = undefined;
      state.status = 'handling';
      state.resolvedAt = undefined;
    },
    reportProgress: () => {
      state.progressFrom = now();
    },
    proposeCorrective: ({ causeAnalysis, correctiveAction, preventiveAction }) => {
      state.correction = { causeAnalysis, correctiveAction, preventiveAction };
      state.correctiveApprovedAt = undefined;
      state.status = 'awaiting_approval';
    },
    approveCorrective: ({ approved }) => {
      state.status = 'handling';
      if (approved) {
        state.correctiveApprovedAt = now();
      } else {
        state.progressFrom = now();
      }
    },
    recordHandling: () => {
      state.resolvedAt = now();
      if (input.anonymous) {
        // C7: nobody to visit: a quiet week without a repeat complaint closes it.
        state.exemption = 'anonymous';
        state.status = 'quiet_period';
        state.quietSince = state.resolvedAt;
      } else {
        state.status = 'awaiting_return_visit';
      }
    },
    scheduleReturnVisit: ({ visitAt, method }) => {
      state.returnVisitAt = new Date(visitAt).toISOString();
      if (!input.householdId) return;
      return {
        after: () =>
          tracker.mail('C7 the visit time to the customer', [
            {
              idempotencyKey: `${c.workflowId}:visit-notice:${state.returnVisitAt}`,
              workflowId: c.workflowId,
              caseId: state.caseId,
              propertyId: input.propertyId,
              householdId: input.householdId,
              template: 'complaintVisitNotice',
              data: { caseId: state.caseId, appointmentAt: state.returnVisitAt, channel: method },
            },
          ]),
      };
    },
    recordReturnVisit: ({ satisfied, answered, newNeed }, call) => {
      if (answered === false) {
        // V2: call again at another time of day; after the last attempt the customer is unreachable (C9 may follow).
        state.unansweredCalls += 1;
        const unreachable = state.unansweredCalls >= policy.returnVisit.maxAttempts;
        state.nextCallFrom = unreachable ? undefined : new Date(Date.now() + policy.returnVisit.retryAfterMs).toISOString();
        return unreachable ? { patch: { outcome: 'unreachable' } } : undefined;
      }
      state.nextCallFrom = undefined;
      const outcome = { outcome: satisfied ? 'satisfied' : 'unsatisfied' };
      const calls = state.unansweredCalls + 1;
      const follow = newNeed ? () => openNewNeed(c, newNeed, call.actor, calls) : undefined;
      if (satisfied) {
        state.status = 'awaiting_archive';
        return { patch: outcome, after: follow };
      }
      state.status = 'unsatisfied';
      state.resolvedAt = undefined;
      state.returnVisitAt = undefined;
      state.closingRepliedAt = undefined;
      const failed = failedHandling((times) => `the same problem was handled ${times} times without resolution`);
      return {
        patch: outcome,
        after: async () => {
          if (follow) await follow();
          if (failed) await failed.after();
        },
      };
    },
    exempt: ({ ground }) => {
      state.exemption = ground;
      state.status = 'quiet_period';
      state.quietSince = now();
    },
    repeatComplaint: () => {
      state.status = 'unsatisfied';
      state.quietSince = undefined;
      state.resolvedAt = undefined;
      state.closingRepliedAt = undefined;
      return failedHandling((times) => `repeat complaint: handled ${times} times without resolution`);
    },
    explain: ({ explanation }) => {
      state.closure = { ground: 'explained', reason: explanation };
      state.status = 'awaiting_archive';
    },
    closeWithoutAgreement: ({ ground, reason }) => {
      state.closure = { ground, reason };
      archive(c, ground === 'unreachable');
    },
    archive: () => archive(c),
    closingReply: ({ note }) => {
      state.closingRepliedAt = now();
      if (state.status === 'archived') {
        state.status = 'closed';
        state.closedAt = state.closingRepliedAt;
      }
      if (c.kind !== 'customer' || !input.householdId) return;
      return {
        after: () =>
          tracker.mail('the closing reply to the household', [
            {
              idempotencyKey: `${c.workflowId}:closing-reply`,
              workflowId: c.workflowId,
              caseId: state.caseId,
              propertyId: input.propertyId,
              householdId: input.householdId,
              template: 'complaintReply',
              data: { caseId: state.caseId, note },
            },
          ]),
      };
    },
  };
}
