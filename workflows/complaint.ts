/**
 * A complaint (投诉), from intake to the closing reply (domain.md §3). One workflow per complaint;
 * its ID is `complaint-` + the case number. Opened by the API (every channel of I1), or by a repair
 * that failed twice (R11).
 *
 * received → classified → handling → awaiting_approval → awaiting_return_visit → awaiting_archive
 * → archived → closed, with the detours of C7 (exempt: a quiet week), C8 (unsatisfied: improve or
 * explain) and C9 (closed without agreement). Clocks run beside that path: the 30-minute response
 * (C1), the first reply in working days and the resolution (C3), progress every 24 h (C6), the
 * week after which an unresolved complaint becomes major (C4), and the closing reply (C11).
 *
 * The return visit is recorded as actions on the complaint rather than as a `returnVisit` child:
 * that child is repair-shaped (R9 due times from repair tags, new needs become repairs), while C7
 * makes it the supervisor's, and C8 counts failed handlings on the complaint itself.
 */
import { ApplicationFailure, condition, getExternalWorkflowHandle, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CalendarSnapshot } from '../domain/calendar';
import {
  COMPLAINT_ROUTING,
  isConfidential,
  majorAtIntake,
  type ComplaintKind,
  type ComplaintSeverity,
  type ComplaintStatus,
  type ExemptionGround,
  type MajorReason,
} from '../domain/complaint';
import {
  closingReplyBy,
  closureAllowedFrom,
  exemptionClosesAt,
  firstReplyBy,
  firstResponseBy,
  groupReportBy,
  issueWindowStart,
  majorIfUnresolvedAt,
  nextProgressReportBy,
  resolveBy,
  writtenReplyBy,
} from '../domain/complaint-deadlines';
import type { Actor, Channel, Role } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import { activities, CaseTracker, noteAssumedCalendar, openingState, receivedEvent, registerActions, type CoreState } from './case-core';
import {
  caseViewQuery,
  COMPLAINT_ACTIONS,
  complaintMessages,
  complaintUpgradeSignal,
  type ActionCall,
  type CaseView,
  type ComplaintActionName,
  type ComplaintActionPayload,
} from './messages';

export type { ComplaintSeverity } from '../domain/complaint';

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
  /** C3/C5: known at intake, or set at classification. */
  severity?: ComplaintSeverity;
  category?: string;
  receivedAt: string;
  receivedBy: Actor;
  /** C2: customer unless said otherwise. */
  kind?: ComplaintKind;
  /** C7: no name or contact — no return visit, no closing reply. */
  anonymous?: boolean;
  /** C4: flagged at intake. */
  lawsuitOrMediaRisk?: boolean;
  /** C4: people behind a collective complaint. */
  complainants?: number;
  /** The case this complaint came from, e.g. the repair of R11, and why. */
  source?: { caseId: string; relation: string; reason: string };
}

/** What `caseView` shows of a complaint beyond every case's basics. */
export interface ComplaintView extends CaseView {
  complaintKind: ComplaintKind;
  category?: string;
  department?: string;
  issueKey?: string;
  /** Roles that own the complaint now (C3; new owners after a C4/C8 upgrade). */
  owners: Role[];
  majorReasons: { reason: MajorReason; rule: string; at: string }[];
  /** C8: handlings the customer was not satisfied with. */
  failedHandlings: number;
  handling?: { method: string; dueAt: string };
  exemption?: ExemptionGround;
  closure?: { ground: string; reason: string };
}

interface ComplaintState extends CoreState {
  status: ComplaintStatus;
  complaintKind: ComplaintKind;
  category?: string;
  department?: string;
  issueKey?: string;
  /** V2: unanswered calls of the supervisor's return visit, and when the next may be placed. */
  unansweredCalls: number;
  nextCallFrom?: string;
  /** C4: recorded at classification; a complaint not of our fault is not upgraded after a week. */
  ourFault?: boolean;
  owners: Role[];
  majorReasons: { reason: MajorReason; rule: string; at: string }[];
  majorSince?: string;
  respondedAt?: string;
  firstRepliedAt?: string;
  writtenRepliedAt?: string;
  groupReportedAt?: string;
  handling?: { method: string; dueAt: string };
  /** C6: handling started or progress last reported; the next report is due 24 h later. */
  progressFrom?: string;
  resolvedAt?: string;
  failedHandlings: number;
  exemption?: ExemptionGround;
  quietSince?: string;
  closure?: { ground: string; reason: string };
  archivedAt?: string;
  links: { caseId: string; relation: string }[];
}

const SYSTEM: Actor = { staffId: 'system', role: 'system' };

/** Where a complaint stops taking ordinary actions. */
const FINISHED: ComplaintStatus[] = ['archived', 'closed', 'invalid'];

export async function complaint(input: ComplaintInput): Promise<{ caseId: string; status: string; severity: string }> {
  const [policy, calendar]: [ServicePolicy, CalendarSnapshot] = await Promise.all([
    activities.loadPolicy(input.propertyId),
    activities.loadCalendar(input.propertyId),
  ]);
  const workflowId = workflowInfo().workflowId;
  const kind: ComplaintKind = input.kind ?? 'customer';
  const routing = COMPLAINT_ROUTING[kind];
  const contactable = !input.anonymous && Boolean(input.contactPhone || input.householdId);
  const state: ComplaintState = {
    caseId: input.caseId,
    propertyId: input.propertyId,
    kind: 'complaint',
    status: 'received',
    severity: input.severity ?? 'unclassified',
    areaId: input.areaId,
    room: input.room,
    ...openingState(),
    receivedAt: input.receivedAt,
    confidential: isConfidential(kind),
    complaintKind: kind,
    category: input.category,
    owners: [...routing.handlers.filter((r) => r === 'butler' || r === 'hr' || r === 'audit')],
    majorReasons: [],
    failedHandlings: 0,
    unansweredCalls: 0,
    links: input.source ? [{ caseId: input.source.caseId, relation: input.source.relation }] : [],
  };
  const tracker = new CaseTracker(state, policy);
  const isFinished = () => FINISHED.includes(state.status);
  const isOver = () => state.status === 'closed' || state.status === 'invalid';
  const isMajor = () => state.severity === 'major';
  const severity = (): ComplaintSeverity | undefined => (state.severity === 'unclassified' ? undefined : (state.severity as ComplaintSeverity));
  const now = () => new Date().toISOString();
  /** Actions wait for the case row: an audit event needs it. */
  let recorded = false;

  // ---- staff actions ----
  const allowed = (): ComplaintActionName[] => {
    if (!recorded || isOver()) return [];
    if (state.status === 'archived') return ['closingReply'];
    const open: ComplaintActionName[] = [];
    if (!state.respondedAt) open.push('respond');
    if (severity() && !state.firstRepliedAt) open.push('firstReply');
    if (isMajor() && !state.writtenRepliedAt) open.push('writtenReply');
    if (isMajor() && !state.groupReportedAt) open.push('reportToGroup');
    if (!isMajor()) open.push('flagLawsuitOrMediaRisk');
    const byStatus: Record<ComplaintStatus, ComplaintActionName[]> = {
      received: ['classify', 'markInvalid'],
      classified: ['classify', 'markInvalid', 'agreeHandling', 'recordHandling'],
      handling: ['classify', 'agreeHandling', 'reportProgress', 'recordHandling', 'closeWithoutAgreement'],
      awaiting_approval: ['approveCorrective'],
      awaiting_return_visit: ['recordReturnVisit', 'exempt', 'closeWithoutAgreement'],
      unsatisfied: ['agreeHandling', 'explain', 'closeWithoutAgreement'],
      quiet_period: ['repeatComplaint'],
      awaiting_archive: ['archive'],
      archived: [],
      closed: [],
      invalid: [],
    };
    return [...byStatus[state.status], ...open];
  };

  const view = (): ComplaintView => ({
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
    allowedActions: allowed(),
    recent: state.recent,
    receivedAt: state.receivedAt,
    closedAt: state.closedAt,
    ...(state.notes?.length ? { notes: state.notes } : {}),
    complaintKind: kind,
    category: state.category,
    department: state.department,
    issueKey: state.issueKey,
    owners: state.owners,
    majorReasons: state.majorReasons,
    failedHandlings: state.failedHandlings,
    handling: state.handling,
    exemption: state.exemption,
    closure: state.closure,
  });

  const notifyOwners = (step: string, template: 'complaintReceived' | 'majorComplaint' | 'invalidComplaint', roles: Role[], data: Record<string, string | undefined>, staffIds?: string[]) =>
    tracker.mail(`tell the owners: ${template}`, [{
      idempotencyKey: `${workflowId}:${step}`,
      workflowId,
      caseId: state.caseId,
      propertyId: input.propertyId,
      areaId: input.areaId,
      roles,
      staffIds,
      template,
      data: { caseId: state.caseId, room: state.confidential ? undefined : state.room, ...data },
    }]);

  /**
   * C4/C8/R11: the complaint becomes major — new owners (supervisor and manager, or hr/audit for
   * their kinds), new deadlines from now, one audit event with the reason, one mail per owner.
   */
  async function upgrade(reason: MajorReason, rule: string, detail: string, actor: Actor = SYSTEM): Promise<void> {
    // `majorSince` rather than the severity: a complaint received as major is still announced once.
    if (state.majorSince || isFinished()) return;
    const at = now();
    state.severity = 'major';
    state.majorSince = at;
    state.majorReasons = [...state.majorReasons, { reason, rule, at }];
    state.owners = [...routing.escalateTo];
    state.escalated = true;
    await tracker.audit('upgraded-to-major', actor, { reason, rule, detail, owners: state.owners });
    await notifyOwners('major', 'majorComplaint', routing.escalateTo, { reason: `${rule}: ${detail}`, relatedCaseId: input.source?.caseId });
  }

  /** C4: counts the distinct complainants of the issue; at the threshold every open complaint of it becomes major. */
  async function checkIssue(issueKey: string): Promise<void> {
    const { complainants, openWorkflowIds } = await activities.issueComplainants({
      propertyId: input.propertyId,
      issueKey,
      since: issueWindowStart(policy, new Date()).toISOString(),
    });
    if (complainants < policy.complaint.issueComplainantsForMajor) return;
    const detail = `${complainants} different complainants about issue ${issueKey} within ${Math.round(policy.complaint.issueWindowMs / 86_400_000)} days`;
    await upgrade('same-issue', 'C4', detail);
    for (const other of openWorkflowIds.filter((id) => id !== workflowId)) {
      try {
        await getExternalWorkflowHandle(other).signal(complaintUpgradeSignal, { reason: 'same-issue', rule: 'C4', detail });
      } catch (error) {
        // Closed meanwhile: a closed complaint has nothing left to upgrade.
        log.info('complaint of the same issue no longer running', { workflowId: other, error: (error as Error).message });
      }
    }
  }

  async function apply(name: ComplaintActionName, call: ActionCall): Promise<ComplaintView> {
    const at = now();
    const payload = call.payload as Record<string, unknown>;
    const after: (() => Promise<unknown>)[] = [];
    let patch: Parameters<CaseTracker['audit']>[3];
    switch (name) {
      case 'respond':
        state.respondedAt = at;
        break;
      case 'classify': {
        const p = payload as ComplaintActionPayload<'classify'>;
        const wasMajor = state.majorSince !== undefined;
        if (!wasMajor) state.severity = p.severity;
        state.category = p.category;
        state.department = p.department;
        if (p.assigneeId) state.assigneeId = p.assigneeId;
        if (p.issueKey) state.issueKey = p.issueKey;
        if (p.ourFault !== undefined) state.ourFault = p.ourFault;
        if (state.status === 'received') state.status = 'classified';
        if (!wasMajor && p.severity !== 'general') state.owners = p.severity === 'major' ? [...routing.escalateTo] : kind === 'customer' ? ['supervisor'] : state.owners;
        patch = { category: p.category, issueKey: state.issueKey ?? null };
        if (!wasMajor && p.severity === 'major') {
          state.majorSince = at;
          state.majorReasons = [...state.majorReasons, { reason: 'classified', rule: 'C3', at }];
          state.escalated = true;
          after.push(() => notifyOwners('major', 'majorComplaint', routing.escalateTo, { reason: 'C3: classified as a major complaint' }));
        }
        if (p.issueKey) after.push(() => checkIssue(p.issueKey!));
        break;
      }
      case 'markInvalid':
        state.status = 'invalid';
        state.closure = { ground: 'invalid', reason: (payload as ComplaintActionPayload<'markInvalid'>).explanation };
        state.closedAt = at;
        after.push(() =>
          notifyOwners('invalid', 'invalidComplaint', [], { reason: state.closure!.reason, channel: input.channel }, [input.receivedBy.staffId]),
        );
        break;
      case 'flagLawsuitOrMediaRisk':
        after.push(() => upgrade('lawsuit-or-media', 'C4', (payload as ComplaintActionPayload<'flagLawsuitOrMediaRisk'>).note, call.actor));
        break;
      case 'firstReply':
        state.firstRepliedAt = at;
        break;
      case 'writtenReply':
        state.writtenRepliedAt = at;
        break;
      case 'reportToGroup':
        state.groupReportedAt = at;
        break;
      case 'agreeHandling': {
        const p = payload as ComplaintActionPayload<'agreeHandling'>;
        state.handling = { method: p.method, dueAt: new Date(p.dueAt).toISOString() };
        if (p.department) state.department = p.department;
        if (state.status !== 'handling') state.progressFrom = at;
        state.status = 'handling';
        state.resolvedAt = undefined;
        break;
      }
      case 'reportProgress':
        state.progressFrom = at;
        break;
      case 'recordHandling':
        state.resolvedAt = at;
        state.status = 'awaiting_approval';
        break;
      case 'approveCorrective': {
        const { approved } = payload as ComplaintActionPayload<'approveCorrective'>;
        if (!approved) {
          state.status = 'handling';
          state.resolvedAt = undefined;
          state.progressFrom = at;
        } else if (input.anonymous) {
          state.exemption = 'anonymous';
          state.status = 'quiet_period';
          state.quietSince = at;
        } else {
          state.status = 'awaiting_return_visit';
        }
        break;
      }
      case 'recordReturnVisit': {
        const { satisfied, answered } = payload as ComplaintActionPayload<'recordReturnVisit'>;
        if (answered === false) {
          // V2: call again at another time of day; after the last attempt the customer is unreachable (C9 may follow).
          state.unansweredCalls += 1;
          const unreachable = state.unansweredCalls >= policy.returnVisit.maxAttempts;
          state.nextCallFrom = unreachable ? undefined : new Date(Date.now() + policy.returnVisit.retryAfterMs).toISOString();
          if (unreachable) patch = { outcome: 'unreachable' };
          break;
        }
        state.nextCallFrom = undefined;
        if (satisfied) {
          state.status = 'awaiting_archive';
        } else {
          state.status = 'unsatisfied';
          state.resolvedAt = undefined;
          state.failedHandlings += 1;
          if (state.failedHandlings >= policy.complaint.failedHandlingsForMajor) {
            after.push(() => upgrade('handled-twice', 'C8', `the same problem was handled ${state.failedHandlings} times without resolution`));
          }
        }
        patch = { outcome: satisfied ? 'satisfied' : 'unsatisfied' };
        break;
      }
      case 'exempt':
        state.exemption = (payload as ComplaintActionPayload<'exempt'>).ground;
        state.status = 'quiet_period';
        state.quietSince = at;
        break;
      case 'repeatComplaint':
        state.status = 'unsatisfied';
        state.quietSince = undefined;
        state.resolvedAt = undefined;
        state.failedHandlings += 1;
        if (state.failedHandlings >= policy.complaint.failedHandlingsForMajor) {
          after.push(() => upgrade('handled-twice', 'C8', `repeat complaint: handled ${state.failedHandlings} times without resolution`));
        }
        break;
      case 'explain':
        state.closure = { ground: 'explained', reason: (payload as ComplaintActionPayload<'explain'>).explanation };
        state.status = 'awaiting_archive';
        break;
      case 'closeWithoutAgreement': {
        const p = payload as ComplaintActionPayload<'closeWithoutAgreement'>;
        state.closure = { ground: p.ground, reason: p.reason };
        archive(p.ground === 'unreachable');
        break;
      }
      case 'archive':
        archive(!contactable);
        break;
      case 'closingReply':
        state.status = 'closed';
        state.closedAt = at;
        if (kind === 'customer' && input.householdId) {
          after.push(() =>
            tracker.mail('the closing reply to the household', [{
              idempotencyKey: `${workflowId}:closing-reply`,
              workflowId,
              caseId: state.caseId,
              propertyId: input.propertyId,
              householdId: input.householdId,
              template: 'complaintReply',
              data: { caseId: state.caseId, note: (payload as ComplaintActionPayload<'closingReply'>).note },
            }]),
          );
        }
        break;
    }
    await tracker.audit(name, call.actor, state.confidential ? { ...payload, confidential: true } : payload, patch);
    for (const effect of after) await effect();
    return view();
  }

  /** C7/C9: archived; C11's closing reply follows, unless there is nobody to reply to. */
  function archive(nobodyToReplyTo: boolean): void {
    state.archivedAt = now();
    if (nobodyToReplyTo) {
      state.status = 'closed';
      state.closedAt = state.archivedAt;
    } else {
      state.status = 'archived';
    }
  }

  setHandler(caseViewQuery, view);
  setHandler(complaintUpgradeSignal, async ({ reason, rule, detail }) => {
    if (!recorded) await condition(() => recorded);
    await upgrade(reason, rule, detail);
  });
  registerActions(COMPLAINT_ACTIONS, complaintMessages, {
    allowed,
    describe: () => `complaint is ${state.status}`,
    check(name, call) {
      // C2: only the roles of this complaint's kind act on it; the API already hides it from the others.
      if (call.actor.role === 'system' || !routing.handlers.includes(call.actor.role as Role)) {
        throw ApplicationFailure.create({ type: 'Forbidden', message: `this complaint is handled by ${routing.handlers.join(', ')}` });
      }
      if (['approveCorrective', 'archive'].includes(name) && call.actor.role !== routing.approver) {
        throw ApplicationFailure.create({ type: 'Forbidden', message: `${name} is for the ${routing.approver} (C6/C7)` });
      }
      const p = call.payload as Record<string, string | undefined>;
      if (name === 'agreeHandling' && p.dueAt && Date.parse(p.dueAt) <= Date.now()) {
        throw ApplicationFailure.create({ type: 'ImpossibleTime', message: `dueAt ${p.dueAt} is not in the future` });
      }
      if (name === 'agreeHandling' && state.status === 'unsatisfied' && !p.analysis) {
        throw ApplicationFailure.create({ type: 'InvalidPayload', message: 'analysis: C8 — analyse why the customer was not satisfied before agreeing the improvement' });
      }
      if (name === 'recordReturnVisit' && state.nextCallFrom && Date.parse(state.nextCallFrom) > Date.now()) {
        throw ApplicationFailure.create({
          type: 'ActionNotAllowed',
          message: `V2: the last call went unanswered; call again at a different time of day, from ${state.nextCallFrom}`,
        });
      }
      if (name === 'classify' && isMajor() && p.severity !== 'major') {
        throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'a major complaint stays major (C4/C8)' });
      }
      if (name === 'exempt' && p.ground === 'anonymous' && contactable) {
        throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'the complainant left a contact: the complaint is not anonymous (C7)' });
      }
      if (name === 'closeWithoutAgreement' && p.ground) {
        const since = p.ground === 'unconfirmed' ? (state.resolvedAt ?? state.receivedAt) : state.receivedAt;
        const from = closureAllowedFrom(policy, p.ground as never, since);
        if (from.getTime() > Date.now()) {
          throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: `C9: closing as ${p.ground} is possible from ${from.toISOString()}` });
        }
      }
    },
    apply,
  });

  // ---- intake ----
  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId,
      kind: 'complaint',
      complaintKind: kind,
      propertyId: input.propertyId,
      areaId: input.areaId,
      householdId: input.householdId,
      room: input.room,
      channel: input.channel,
      severity: state.severity,
      category: input.category,
      status: state.status,
      description: input.description,
      contactName: input.contactName,
      contactPhone: input.contactPhone,
      receivedAt: input.receivedAt,
      receivedBy: input.receivedBy.staffId,
      links: state.links,
    },
    receivedEvent(
      input,
      state.confidential
        ? { kind, confidential: true }
        : { kind, channel: input.channel, severity: input.severity, category: input.category, source: input.source, complainants: input.complainants, lawsuitOrMediaRisk: input.lawsuitOrMediaRisk },
    ),
  );
  recorded = true;
  tracker.refresh();
  await noteAssumedCalendar(tracker, calendar);

  const firstOwners: Role[] = kind !== 'customer' ? routing.escalateTo : severity() === 'general' || !severity() ? ['butler'] : ['supervisor'];
  // R11: a repair that failed twice opens a major complaint; a survey's follow-up (S6) is an ordinary one.
  if (input.source && input.source.relation !== 'survey') {
    await upgrade('repair-failed-twice', 'R11', input.source.reason);
  } else {
    await notifyOwners('received', 'complaintReceived', firstOwners, { severity: severity(), kind, description: input.description });
    const atIntake = majorAtIntake(policy.complaint, input);
    if (atIntake) await upgrade(atIntake, 'C4', atIntake === 'collective' ? `a collective complaint of ${input.complainants} people` : 'risk of a lawsuit or media exposure');
    else if (input.severity === 'major') await upgrade('classified', 'C3', 'received as a major complaint');
  }

  // ---- clocks ----
  const escalate = (deadline: string, rule: string, reason: string, dueAt: string) =>
    tracker.escalate({ deadline, rule, roles: escalationRoles(), reason, dueAt, step: `${deadline}:${dueAt}` });
  /** Missed deadlines go to the supervisor, of a major complaint also the manager; hr/audit keep their kinds. */
  const escalationRoles = (): Role[] => (kind !== 'customer' ? routing.escalateTo : isMajor() ? ['supervisor', 'manager'] : ['supervisor']);

  /**
   * Keeps one promise: while `due()` names a time and `met()` is false, watches it; a new due time
   * supersedes the old one; each missed time escalates once.
   */
  async function keep(name: string, rule: string, due: () => string | undefined, met: () => boolean, reason: string): Promise<void> {
    for (;;) {
      await condition(() => isFinished() || (due() !== undefined && !met()));
      if (isFinished()) return;
      const dueAt = due()!;
      const outcome = await tracker.watch({ name, rule, dueAt: new Date(dueAt), summary: `${rule} ${name} due` }, met, () => due() !== dueAt || isFinished());
      if (outcome === 'missed') {
        await escalate(name, rule, reason, dueAt);
        await condition(() => isFinished() || met() || due() !== dueAt);
      } else if (outcome === 'met') {
        await condition(() => isFinished() || !met() || due() !== dueAt);
      }
    }
  }

  /** The time C3's clocks count from: intake, or the moment the complaint became major. */
  const from = () => (isMajor() && state.majorSince ? state.majorSince : state.receivedAt);
  const handledOrBeyond = () => state.resolvedAt !== undefined || state.status === 'awaiting_archive' || state.status === 'quiet_period';

  const clocks = [
    // C1: the customer hears from us within 30 min.
    keep('respond', 'C1', () => firstResponseBy(policy, state.receivedAt).toISOString(), () => state.respondedAt !== undefined || isFinished(), 'no first response to the customer within 30 min'),
    // C3: the first reply, in working days on the property's calendar.
    keep(
      'firstReply',
      'C3',
      () => (severity() ? firstReplyBy(policy, calendar, severity()!, new Date(state.receivedAt)).toISOString() : undefined),
      () => state.firstRepliedAt !== undefined,
      'no first reply to the customer in time',
    ),
    // C3: resolved within 2/3/10 days; a major complaint's clock starts again when it becomes major (new deadlines).
    keep('resolve', 'C3', () => (severity() ? resolveBy(policy, severity()!, from()).toISOString() : undefined), handledOrBeyond, 'complaint not resolved in time'),
    keep('writtenReply', 'C3', () => (isMajor() && state.majorSince ? writtenReplyBy(policy, state.majorSince).toISOString() : undefined), () => state.writtenRepliedAt !== undefined, 'no written reply to a major complaint within 2 days'),
    keep(
      'reportToGroup',
      'C3',
      () => (isMajor() && state.majorSince ? groupReportBy(policy, calendar, new Date(state.majorSince)).toISOString() : undefined),
      () => state.groupReportedAt !== undefined,
      'major complaint not reported to the group within 2 working days',
    ),
    // C6: the agreed handling deadline, and progress reports at least every 24 h while handling lasts.
    keep('handling', 'C6', () => (state.status === 'handling' ? state.handling?.dueAt : undefined), handledOrBeyond, 'the handling deadline agreed with the customer passed'),
    keep(
      'progress',
      'C6',
      () => (state.status === 'handling' && state.progressFrom ? nextProgressReportBy(policy, state.progressFrom).toISOString() : undefined),
      () => state.status !== 'handling',
      'no progress report to the customer within 24 h',
    ),
    // C11: the reply after closing, within 1 working day.
    (async () => {
      await condition(() => state.status === 'archived' || isOver());
      if (isOver()) return;
      const dueAt = closingReplyBy(policy, calendar, new Date(state.archivedAt!));
      const met = await tracker.deadline({ name: 'closingReply', rule: 'C11', dueAt, summary: 'C11 closing reply due' }, () => isOver());
      if (!met) await escalate('closingReply', 'C11', 'no reply to the customer within 1 working day of closing', dueAt.toISOString());
    })(),
    // C4: still unresolved a week after it was made → major.
    (async () => {
      const at = majorIfUnresolvedAt(policy, state.receivedAt).getTime() - Date.now();
      // Only a complaint whose cause lies with us; until staff record otherwise, it is taken to.
      const settled = () => handledOrBeyond() || isFinished() || isMajor() || state.ourFault === false;
      if (at > 0 && (await condition(settled, at, { summary: 'C4 major if unresolved a week' }))) return;
      if (!settled()) await upgrade('unresolved-a-week', 'C4', `still unresolved ${Math.round(policy.complaint.unresolvedMajorAfterMs / 86_400_000)} days after it was made`);
    })(),
  ];

  // ---- C7: an exempt complaint closes after a quiet week without a repeat complaint ----
  for (;;) {
    await condition(() => isFinished() || state.status === 'quiet_period');
    if (isFinished()) break;
    const since = state.quietSince!;
    const quietFor = exemptionClosesAt(policy, since).getTime() - Date.now();
    const interrupted = await condition(() => state.quietSince !== since || isFinished(), Math.max(1, quietFor), { summary: 'C7 quiet week' });
    if (interrupted) continue;
    await tracker.audit('quiet-week-passed', SYSTEM, { rule: 'C7', exemption: state.exemption });
    archive(!contactable);
    await tracker.audit(state.status === 'closed' ? 'closed' : 'archived', SYSTEM, { rule: 'C7' });
  }

  await condition(isOver);
  await Promise.all(clocks);
  await tracker.finished();
  return { caseId: state.caseId, status: state.status, severity: state.severity };
}
