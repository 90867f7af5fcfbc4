/**
 * A patrol finding (片区巡查, docs/rules.md O1): what a butler found on patrol becomes a rectification
 * notice (问题整改通知单) to cleaning, greening or engineering, with a deadline. A finding whose
 * rectification has not started within 2 days goes to the supervisor, as a public-facility repair
 * does (R7); so does a notice not rectified by its deadline. Each escalates once.
 */
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { PATROL_ACTIONS_BY_STATUS } from '../domain/case-actions';
import { SYSTEM_ACTOR as SYSTEM, type Actor, type Role } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import { rectificationStartBy, rectifiedBy, type PatrolFinding, type PatrolStatus } from '../domain/requests';
import { activities, CaseTracker, openingState, registerActions, type CoreState } from './case';
import { caseViewQuery } from './messages';
import { PATROL_ACTIONS, patrolMessages } from './request-messages';

export interface PatrolFindingInput {
  caseId: string;
  propertyId: string;
  finding: PatrolFinding;
  foundAt: string;
  foundBy: Actor;
}

interface PatrolState extends CoreState {
  status: PatrolStatus;
  startedAt?: string;
}

/**
 * Who receives the notice. Engineering is the engineers; cleaning and greening have no role of
 * their own in docs/rules.md §0 — the area's butler hands the notice to them (or their contractor).
 */
const NOTICE_ROLES: Record<PatrolFinding['department'], Role[]> = {
  engineering: ['engineer', 'butler'],
  cleaning: ['butler'],
  greening: ['butler'],
};

export async function patrolFinding(input: PatrolFindingInput): Promise<{ caseId: string; status: string; escalated: boolean }> {
  const policy: ServicePolicy = await activities.loadPolicy(input.propertyId);
  const workflowId = workflowInfo().workflowId;
  const { finding } = input;
  const state: PatrolState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'patrol_finding',
    status: 'notified',
    severity: finding.department,
    areaId: finding.areaId,
    ...openingState(),
    receivedAt: input.foundAt,
  };
  const tracker = new CaseTracker(state, policy);
  const isRectified = () => state.status === 'rectified';

  const view = () => tracker.view([...PATROL_ACTIONS_BY_STATUS[state.status]]);
  /** Starting (or completing one not yet started) records when the rectification began. */
  const rectify = (status: 'started' | 'rectified') => {
    const now = new Date().toISOString();
    if (status === 'started' || !state.startedAt) state.startedAt = now;
    state.status = status;
    if (isRectified()) state.closedAt = now;
  };

  setHandler(caseViewQuery, view);
  registerActions(PATROL_ACTIONS, patrolMessages, tracker, {
    allowed: () => [...PATROL_ACTIONS_BY_STATUS[state.status]],
    describe: () => `rectification is ${state.status}`,
    handlers: { startRectification: () => rectify('started'), completeRectification: () => rectify('rectified') },
    view,
  });

  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'patrol_finding',
      propertyId: input.propertyId,
      areaId: finding.areaId,
      channel: 'staff',
      severity: finding.department,
      category: finding.department,
      status: state.status,
      description: `${finding.location}: ${finding.description}`,
      receivedAt: input.foundAt,
      receivedBy: input.foundBy.staffId,
    },
    {
      idempotencyKey: `${workflowId}:0`,
      action: 'found-on-patrol',
      actor: input.foundBy,
      at: input.foundAt,
      payload: { rule: 'O1', location: finding.location, photoRef: finding.photoRef, department: finding.department },
    },
  );
  tracker.refresh();

  const startBy = rectificationStartBy(policy, input.foundAt);
  const dueBy = rectifiedBy(policy, input.foundAt, finding.rectifyBy);
  await activities.notify({
    idempotencyKey: `${workflowId}:notice`,
    workflowId,
    caseId: state.caseId,
    propertyId: input.propertyId,
    areaId: finding.areaId,
    roles: NOTICE_ROLES[finding.department],
    template: 'rectificationNotice',
    data: { caseId: state.caseId, kind: finding.department, note: finding.location, description: finding.description, reason: finding.photoRef, dueAt: dueBy.toISOString() },
  });
  await tracker.audit('notice-sent', SYSTEM, { department: finding.department, rectifyBy: dueBy.toISOString() });

  const escalate = (deadline: string, reason: string, dueAt: Date) =>
    tracker.escalate({ deadline, rule: 'O1', roles: ['supervisor'], reason, dueAt: dueAt.toISOString(), step: deadline });

  await Promise.all([
    (async () => {
      const met = await tracker.deadline({ name: 'start', rule: 'O1', dueAt: startBy, summary: 'O1 rectification start due' }, () => state.startedAt !== undefined);
      if (!met) await escalate('start', 'rectification not started within 2 days of the patrol finding', startBy);
    })(),
    (async () => {
      const met = await tracker.deadline({ name: 'rectify', rule: 'O1', dueAt: dueBy, summary: 'O1 rectification due' }, isRectified);
      if (!met) await escalate('rectify', 'not rectified by the deadline of the notice', dueBy);
    })(),
  ]);
  await condition(isRectified);
  await tracker.audit('closed', SYSTEM);
  await tracker.finished();
  return { caseId: state.caseId, status: state.status, escalated: state.escalated };
}
