/**
 * A complaint's state and its set-up: its policy and working-day calendar, the tracker, the
 * `caseView` query, the C4 upgrade signal and the staff actions, then the case row. The workflow
 * (../complaint.ts) then runs its clocks.
 */
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CalendarSnapshot } from '../../domain/calendar';
import { allowedComplaintActions } from '../../domain/case-actions';
import {
  COMPLAINT_ROUTING,
  isConfidential,
  type ComplaintKind,
  type ComplaintSeverity,
  type ComplaintStatus,
  type ExemptionGround,
  type MajorReason,
} from '../../domain/complaint';
import type { Actor, Channel, Role } from '../../domain/people';
import type { ServicePolicy } from '../../domain/policy';
import { activities, CaseTracker, noteAssumedCalendar, type OpeningGate, openingState, receivedEvent, registerActions, type CoreState } from '../case';
import { caseViewQuery, COMPLAINT_ACTIONS, complaintMessages, complaintUpgradeSignal, type CaseView } from '../messages';
import { complaintActions } from './actions';
import { upgrade } from './upgrade';

export type { ComplaintSeverity } from '../../domain/complaint';

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
  /** C4: serious financial loss or personal injury, recorded at intake. */
  seriousLossOrInjury?: boolean;
  /** I2: why it was recorded long after it came in. */
  lateEntryReason?: string;
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
  correction?: { causeAnalysis: string; correctiveAction: string; preventiveAction?: string };
  correctiveApprovedAt?: string;
  returnVisitAt?: string;
  closingRepliedAt?: string;
  exemption?: ExemptionGround;
  closure?: { ground: string; reason: string };
}

export interface ComplaintState extends CoreState {
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
  /** C3: when a major complaint was transferred to the group; its progress report is due 2 working days later. */
  transferredAt?: string;
  respondedAt?: string;
  firstRepliedAt?: string;
  writtenRepliedAt?: string;
  groupReportedAt?: string;
  handling?: { method: string; dueAt: string };
  /** C6: handling started or progress last reported; the next report is due 24 h later. */
  progressFrom?: string;
  /** C6: the cause analysis and corrective/preventive action proposed, and when the manager approved them. */
  correction?: { causeAnalysis: string; correctiveAction: string; preventiveAction?: string };
  correctiveApprovedAt?: string;
  /** C6: handling recorded done (cleared when the customer is not satisfied and handling starts again). */
  resolvedAt?: string;
  /** C7: the visit time the customer was told. */
  returnVisitAt?: string;
  /** C11: the closing reply went out. */
  closingRepliedAt?: string;
  failedHandlings: number;
  exemption?: ExemptionGround;
  quietSince?: string;
  closure?: { ground: string; reason: string };
  archivedAt?: string;
  links: { caseId: string; relation: string }[];
}

/** A running complaint: what its steps share. */
export interface ComplaintCase {
  input: ComplaintInput;
  workflowId: string;
  policy: ServicePolicy;
  calendar: CalendarSnapshot;
  kind: ComplaintKind;
  routing: (typeof COMPLAINT_ROUTING)[ComplaintKind];
  /** Someone to reply to: not anonymous, and a phone or a household. */
  contactable: boolean;
  state: ComplaintState;
  tracker: CaseTracker;
  /** Actions wait for the case row: an audit event needs it. */
  recorded: boolean;
}

/** Where a complaint stops taking ordinary actions. */
const FINISHED: ComplaintStatus[] = ['archived', 'closed', 'invalid'];

export const isFinished = (c: ComplaintCase) => FINISHED.includes(c.state.status);
export const isOver = (c: ComplaintCase) => c.state.status === 'closed' || c.state.status === 'invalid';
export const isMajor = (c: ComplaintCase) => c.state.severity === 'major';
export const severityOf = (c: ComplaintCase): ComplaintSeverity | undefined => (c.state.severity === 'unclassified' ? undefined : (c.state.severity as ComplaintSeverity));
/** Handled (or past handling): what the resolve, handling and C4-week clocks wait for. */
export const handledOrBeyond = (c: ComplaintCase) => c.state.resolvedAt !== undefined || c.state.status === 'awaiting_archive' || c.state.status === 'quiet_period';

export function allowedActions(c: ComplaintCase) {
  const s = c.state;
  return allowedComplaintActions({
    status: s.status,
    responded: s.respondedAt !== undefined,
    classified: severityOf(c) !== undefined,
    major: isMajor(c),
    firstReplied: s.firstRepliedAt !== undefined,
    writtenReplied: s.writtenRepliedAt !== undefined,
    reportedToGroup: s.groupReportedAt !== undefined,
    contactable: c.contactable,
    correctiveApproved: s.correctiveApprovedAt !== undefined,
    handled: s.resolvedAt !== undefined,
    visitScheduled: s.returnVisitAt !== undefined,
    closingReplied: s.closingRepliedAt !== undefined,
  });
}

export function viewOf(c: ComplaintCase): ComplaintView {
  const s = c.state;
  return {
    ...c.tracker.view(allowedActions(c)),
    complaintKind: c.kind,
    category: s.category,
    department: s.department,
    issueKey: s.issueKey,
    owners: s.owners,
    majorReasons: s.majorReasons,
    failedHandlings: s.failedHandlings,
    handling: s.handling,
    correction: s.correction,
    correctiveApprovedAt: s.correctiveApprovedAt,
    returnVisitAt: s.returnVisitAt,
    closingRepliedAt: s.closingRepliedAt,
    exemption: s.exemption,
    closure: s.closure,
  };
}

/** A mail to the roles (or staff) that own the complaint, once per step. */
export const notifyOwners = (
  c: ComplaintCase,
  step: string,
  template: 'complaintReceived' | 'majorComplaint' | 'invalidComplaint',
  roles: Role[],
  data: Record<string, string | undefined>,
  staffIds?: string[],
) =>
  c.tracker.mail(`tell the owners: ${template}`, [
    {
      idempotencyKey: `${c.workflowId}:${step}`,
      workflowId: c.workflowId,
      caseId: c.state.caseId,
      propertyId: c.input.propertyId,
      areaId: c.input.areaId,
      roles,
      staffIds,
      template,
      data: { caseId: c.state.caseId, room: c.state.confidential ? undefined : c.state.room, ...data },
    },
  ]);

/**
 * C7/C9: archived. It closes at once when the C11 closing reply already went out or there is nobody
 * to reply to (anonymous, no contact, unreachable); otherwise it waits for that reply.
 */
export function archive(c: ComplaintCase, nobodyToReplyTo = !c.contactable): void {
  c.state.archivedAt = new Date().toISOString();
  if (nobodyToReplyTo || c.state.closingRepliedAt !== undefined) {
    c.state.status = 'closed';
    c.state.closedAt = c.state.archivedAt;
  } else {
    c.state.status = 'archived';
  }
}

/** The policy and calendar, the handlers, then the case row (with a note when working days are assumed). */
export async function openComplaint(input: ComplaintInput, opening?: OpeningGate): Promise<ComplaintCase> {
  const [policy, calendar]: [ServicePolicy, CalendarSnapshot] = await Promise.all([activities.loadPolicy(input.propertyId), activities.loadCalendar(input.propertyId)]);
  const kind: ComplaintKind = input.kind ?? 'customer';
  const routing = COMPLAINT_ROUTING[kind];
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
  const c: ComplaintCase = {
    input,
    workflowId: workflowInfo().workflowId,
    policy,
    calendar,
    kind,
    routing,
    contactable: !input.anonymous && Boolean(input.contactPhone || input.householdId),
    state,
    tracker: new CaseTracker(state, policy, opening),
    recorded: false,
  };

  setHandler(caseViewQuery, () => viewOf(c));
  setHandler(complaintUpgradeSignal, async ({ reason, rule, detail }) => {
    if (!c.recorded) await condition(() => c.recorded);
    await upgrade(c, reason, rule, detail);
  });
  registerActions(COMPLAINT_ACTIONS, complaintMessages, c.tracker, complaintActions(c));

  await activities.recordCase(
    {
      caseId: input.caseId,
      workflowId: c.workflowId,
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
        ? { kind, confidential: true, lateEntryReason: input.lateEntryReason }
        : {
            kind,
            channel: input.channel,
            severity: input.severity,
            category: input.category,
            source: input.source,
            complainants: input.complainants,
            lawsuitOrMediaRisk: input.lawsuitOrMediaRisk,
            seriousLossOrInjury: input.seriousLossOrInjury,
            lateEntryReason: input.lateEntryReason,
          },
    ),
  );
  c.recorded = true;
  c.tracker.opened();
  await noteAssumedCalendar(c.tracker, calendar);
  return c;
}
