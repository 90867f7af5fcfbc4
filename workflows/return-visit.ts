/**
 * A return visit (回访) after a repair, later also after a complaint (docs/rules.md R9, V1–V4): a child
 * workflow of its case, e.g. `return-visit-RV-R20261122-0007-1`. It falls due by R9 (a leak waits
 * for the first rainy day), takes calls until the customer answers or is unreachable, opens a new
 * repair for any new need, and answers its parent with the outcome.
 */
import { allHandlersFinished, ApplicationFailure, condition, log, ParentClosePolicy, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { displayTime } from '../domain/calendar';
import { allowedReturnVisitActions } from '../domain/case-actions';
import { SYSTEM_ACTOR as SYSTEM, type Actor, type Channel } from '../domain/people';
import type { RepairClass, RepairTag } from '../domain/repair';
import {
  nextCallFrom,
  nonConformityDueAt,
  rainCounts,
  rainFallbackAt,
  returnVisitDue,
  returnVisitDueAfterRain,
  type NewNeed,
  type ReturnVisitMethod,
  type ReturnVisitResult,
  type ReturnVisitStatus,
} from '../domain/return-visit';
import { activities, CaseTracker, openingState, registerActions, type CaseActions, type CoreState } from './case';
import type { ServicePolicy } from '../domain/policy';
import { caseViewQuery, rainfallUpdate, RETURN_VISIT_ACTIONS, returnVisitMessages, type CaseView } from './messages';
import type { repair } from './repair';
import { AreaId, CaseStatus, CaseType, Severity } from './search-attributes';
import { workflowIds } from '../domain/workflow-ids';

export interface ReturnVisitInput {
  /** e.g. RV-R20261122-0007-1: the repair's case number and which visit of it. */
  caseId: string;
  parentCaseId: string;
  propertyId: string;
  areaId: string;
  room?: string;
  householdId?: string;
  contactName: string;
  contactPhone: string;
  /** How the customer first reached us; kept on the case row. */
  channel: Channel;
  /** The repair that was done: R9 decides from it when the visit is due. */
  subject: { classification: RepairClass; tags: RepairTag[]; completedAt: string; underWarranty: boolean };
}

export interface ReturnVisitOutcome {
  outcome: ReturnVisitResult;
  /** Calls recorded, answered or not (V2). */
  attempts: number;
  comments?: string;
  /** Repairs opened for new needs the customer raised (V3). */
  followUpCaseIds: string[];
}

/** What `caseView` shows of a return visit beyond every case's basics. */
export interface ReturnVisitView extends CaseView {
  parentCaseId: string;
  attempts: number;
  /** V2: the earliest time the next call may be placed after an unanswered one. */
  nextCallFrom?: string;
  rainfallAt?: string;
  outcome?: ReturnVisitResult;
  followUpCaseIds: string[];
}

interface Call {
  at: string;
  by: string;
  method: ReturnVisitMethod;
  answered: boolean;
}

interface ReturnVisitState extends CoreState {
  calls: Call[];
  nextCallFrom?: string;
  rainfallAt?: string;
  outcome?: ReturnVisitResult;
  comments?: string;
  followUpCaseIds: string[];
  links: { caseId: string; relation: string }[];
}

/** A running return visit: what its steps share. */
interface VisitCase {
  input: ReturnVisitInput;
  workflowId: string;
  policy: ServicePolicy;
  completedAt: Date;
  state: ReturnVisitState;
  tracker: CaseTracker;
}

const allowedActions = (v: VisitCase) => allowedReturnVisitActions({ status: v.state.status as ReturnVisitStatus, decided: v.state.outcome !== undefined });

const viewOf = (v: VisitCase): ReturnVisitView => ({
  ...v.tracker.view(allowedActions(v)),
  parentCaseId: v.input.parentCaseId,
  attempts: v.state.calls.length,
  nextCallFrom: v.state.nextCallFrom,
  rainfallAt: v.state.rainfallAt,
  outcome: v.state.outcome,
  followUpCaseIds: v.state.followUpCaseIds,
});

/** V3: the new need becomes a repair request of its own, received by whoever took the call. */
async function openFollowUp(v: VisitCase, need: NewNeed, receivedBy: Actor, call: number): Promise<void> {
  const { input, state } = v;
  const caseId = await activities.allocateCaseNumber({ prefix: 'R', propertyId: input.propertyId, idempotencyKey: `${v.workflowId}:follow-up:${call}` });
  await startChild<typeof repair>('repair', {
    workflowId: workflowIds.repair(caseId),
    // The new request lives on whatever becomes of this visit.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: CaseType, value: 'repair' },
      { key: CaseStatus, value: 'received' },
      { key: Severity, value: need.classification },
      { key: AreaId, value: input.areaId },
    ],
    staticSummary: `报修 ${caseId} ← 回访 ${state.caseId}${input.room ? ` · room ${input.room}` : ''} · ${need.classification}`,
    args: [
      {
        caseId,
        propertyId: input.propertyId,
        areaId: input.areaId,
        householdId: input.householdId,
        room: input.room,
        intake: {
          room: input.room,
          areaId: input.room ? undefined : input.areaId,
          contactName: input.contactName,
          contactPhone: input.contactPhone,
          channel: 'staff',
          description: need.description,
          classification: need.classification,
          tags: need.tags ?? [],
          publicArea: !input.room,
            underWarranty: false,
          appointmentAt: need.appointmentAt,
        },
        receivedAt: new Date().toISOString(),
        receivedBy,
      },
    ],
  });
  state.followUpCaseIds.push(caseId);
  state.links = [...state.links, { caseId, relation: 'follow-up' }];
  await v.tracker.audit('follow-up-opened', receivedBy, { caseId, rule: 'V3' }, { links: state.links });
}

/** V1–V3 calls and the C7 exemption. State changes before the first await: a second action validated meanwhile sees them. */
function visitActions(v: VisitCase): CaseActions<typeof RETURN_VISIT_ACTIONS, ReturnVisitView> {
  const { state, policy } = v;
  return {
    allowed: () => allowedActions(v),
    describe: () =>
      state.outcome
        ? `return visit is done (${state.outcome})`
        : state.status === 'awaiting_rain'
          ? 'return visit awaits the first rainy day after the leak repair (R9)'
          : `return visit is ${state.status}`,
    checks: {
      recordCall: () => {
        if (!state.nextCallFrom || Date.now() >= Date.parse(state.nextCallFrom)) return;
        const last = state.calls[state.calls.length - 1];
        throw ApplicationFailure.create({
          type: 'ActionNotAllowed',
          message:
            `V2: the call at ${displayTime(last.at, policy.timeZone)} went unanswered; call again at a different time of day, ` +
            `from ${displayTime(state.nextCallFrom, policy.timeZone)} (${state.nextCallFrom})`,
          details: [{ refusal: 'call-again-later', rule: 'V2', from: state.nextCallFrom, timeZone: policy.timeZone }],
        });
      },
    },
    handlers: {
      exempt: ({ reason }) => {
        state.outcome = 'exempt';
        state.comments = reason;
        return { recorded: { reason } };
      },
      recordCall: (payload, call) => {
        const now = new Date();
        state.calls.push({ at: now.toISOString(), by: call.actor.staffId, method: payload.method, answered: payload.answered });
        const unanswered = state.calls.filter((c) => !c.answered).length;
        if (payload.answered) {
          state.outcome = payload.satisfied ? 'satisfied' : 'unsatisfied';
          state.comments = payload.comments;
          state.nextCallFrom = undefined;
        } else if (unanswered >= policy.returnVisit.maxAttempts) {
          state.outcome = 'unreachable';
          state.nextCallFrom = undefined;
        } else {
          state.nextCallFrom = nextCallFrom(policy, now).toISOString();
        }
        const { newNeed } = payload;
        return {
          recorded: { ...payload, attempt: state.calls.length, unanswered, nextCallFrom: state.nextCallFrom },
          after: newNeed ? () => openFollowUp(v, newNeed, call.actor, state.calls.length) : undefined,
        };
      },
    },
    view: () => viewOf(v),
  };
}

/** The policy, the handlers and the case row. */
async function openVisit(input: ReturnVisitInput): Promise<{ visit: VisitCase; due: ReturnType<typeof returnVisitDue> }> {
  const policy = await activities.loadPolicy(input.propertyId);
  const workflowId = workflowInfo().workflowId;
  const completedAt = new Date(input.subject.completedAt);
  const due = returnVisitDue(policy, { ...input.subject, completedAt });
  const state: ReturnVisitState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'return_visit',
    status: due.kind === 'after-rain' ? 'awaiting_rain' : 'open',
    severity: input.subject.classification,
    areaId: input.areaId,
    room: input.room,
    ...openingState(),
    receivedAt: new Date().toISOString(),
    calls: [],
    followUpCaseIds: [],
    links: [{ caseId: input.parentCaseId, relation: 'parent' }],
  };
  const v: VisitCase = { input, workflowId, policy, completedAt, state, tracker: new CaseTracker(state, policy) };

  setHandler(caseViewQuery, () => viewOf(v));
  setHandler(rainfallUpdate, ({ at }) => {
    const rainAt = new Date(at);
    if (state.status !== 'awaiting_rain' || state.rainfallAt) return { moved: false, reason: 'not waiting for rain' };
    if (Number.isNaN(rainAt.getTime()) || !rainCounts(rainAt, completedAt)) {
      log.info('rain before the repair was done does not count (R9)', { at, completedAt: input.subject.completedAt });
      return { moved: false, reason: 'the rain came before the repair was done' };
    }
    state.rainfallAt = rainAt.toISOString();
    return { moved: true };
  });
  registerActions(RETURN_VISIT_ACTIONS, returnVisitMessages, v.tracker, visitActions(v));

  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'return_visit',
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: input.channel,
      severity: input.subject.classification,
      status: state.status,
      description: `回访 ${input.parentCaseId}`,
      contactName: input.contactName,
      contactPhone: input.contactPhone,
      receivedAt: state.receivedAt,
      receivedBy: SYSTEM.staffId,
    },
    {
      idempotencyKey: `${workflowId}:0`,
      action: 'opened',
      actor: SYSTEM,
      at: state.receivedAt,
      payload: { parentCaseId: input.parentCaseId, rule: 'R9', due: due.kind, subject: input.subject },
    },
  );
  v.tracker.opened();
  return { visit: v, due };
}

/** R9: the visit is due by `dueAt`; missed, the supervisor hears of it once, and it may still be done late. */
async function visitBy(v: VisitCase, dueAt: Date, event: string, payload: Record<string, unknown>): Promise<void> {
  const { tracker, state } = v;
  const visited = tracker.deadline({ name: 'visit', rule: 'R9', dueAt, summary: 'R9 return visit due' }, () => state.outcome !== undefined);
  await tracker.audit(event, SYSTEM, { ...payload, rule: 'R9', dueAt: dueAt.toISOString() }, { links: state.links });
  if (await visited) return;
  await tracker.escalate({
    deadline: 'visit',
    rule: 'R9',
    roles: ['supervisor'],
    reason: `return visit of ${v.input.parentCaseId} not done by its R9 deadline; it is still open`,
    params: { parentCaseId: v.input.parentCaseId },
    dueAt: dueAt.toISOString(),
    step: 'visit',
  });
}

export async function returnVisit(input: ReturnVisitInput): Promise<ReturnVisitOutcome> {
  const { visit: v, due } = await openVisit(input);
  const { state, tracker, policy, workflowId } = v;

  if (due.kind === 'by') {
    await visitBy(v, due.dueAt, 'scheduled', {});
  } else {
    await tracker.audit('scheduled', SYSTEM, { rule: 'R9', due: 'after-rain' }, { links: state.links });
    // R9: no rainy day recorded by the fallback (30 days after the repair): the visit falls due anyway, and says why.
    const fallbackAt = rainFallbackAt(policy, v.completedAt);
    const rainedOrDone = () => state.rainfallAt !== undefined || state.outcome !== undefined;
    const waited = await condition(rainedOrDone, Math.max(1, fallbackAt.getTime() - Date.now()), { summary: 'R9 waiting for the first rainy day' });
    if (!state.outcome) {
      state.status = 'open';
      if (waited) await visitBy(v, returnVisitDueAfterRain(policy, new Date(state.rainfallAt!)), 'rainfall', { rainfallAt: state.rainfallAt });
      else {
        const reason = `no rainy day recorded within ${Math.round(policy.returnVisit.rainFallbackMs / 86_400_000)} days of the repair`;
        await visitBy(v, returnVisitDueAfterRain(policy, new Date()), 'rain-fallback', { reason });
      }
    }
  }
  // A new need is still being opened by the call's handler: its case id belongs in the outcome.
  await condition(() => state.outcome !== undefined && allHandlersFinished());

  // ---- V4: the result is counted; a non-conformity goes to the supervisor with a deadline ----
  if (state.outcome === 'unsatisfied') {
    const dueAt = nonConformityDueAt(policy, new Date());
    await tracker.mail('V4 non-conformity to the supervisor', [{
      idempotencyKey: `${workflowId}:non-conformity`,
      workflowId,
      caseId: state.caseId,
      propertyId: input.propertyId,
      roles: ['supervisor'],
      template: 'nonConformity',
      data: { caseId: state.caseId, relatedCaseId: input.parentCaseId, room: input.room, reason: state.comments, dueAt: dueAt.toISOString() },
    }]);
  }
  state.status = 'closed';
  state.closedAt = new Date().toISOString();
  await tracker.audit('closed', SYSTEM, { outcome: state.outcome, attempts: state.calls.length }, { outcome: state.outcome });
  await tracker.finished();
  return { outcome: state.outcome!, attempts: state.calls.length, comments: state.comments, followUpCaseIds: state.followUpCaseIds };
}
