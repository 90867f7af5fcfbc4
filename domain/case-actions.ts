/**
 * Which staff actions each kind of case takes, and in which state (docs/rules.md). Plain data and
 * pure functions: the workflows ask them before accepting an action, the API lists the same names,
 * and the tables are tested here rather than through a running case. The actions' payloads and
 * roles are declared beside the workflows (workflows/messages.ts), keyed by these names.
 */
import type { ComplaintStatus } from './complaint';
import type { RepairStatus } from './repair';
import type { PatrolStatus, RequestKind, SpecialServiceStatus } from './requests';
import type { ReturnVisitStatus } from './return-visit';

// ---- repairs (报修, R1–R12) ----

export const REPAIR_ACTION_NAMES = ['accept', 'arrive', 'customerNotHome', 'reschedule', 'recordMeasures', 'complete', 'signOff', 'markInvalid', 'recordUnfinishedReason'] as const;
export type RepairActionName = (typeof REPAIR_ACTION_NAMES)[number];

/**
 * R2 accept a dispatched order; R3 arrive once accepted; R6 not home, then a new appointment until
 * the work starts; R3/R4 measures and a new promise on site; R8 sign-off after completion; R1 invalid
 * until completion; R12 a reason for not finishing today, while the repair is open.
 */
export const REPAIR_ACTIONS_BY_STATUS: Readonly<Record<RepairStatus, readonly RepairActionName[]>> = {
  received: ['recordUnfinishedReason'],
  dispatched: ['accept', 'markInvalid', 'reschedule', 'recordUnfinishedReason'],
  accepted: ['arrive', 'customerNotHome', 'markInvalid', 'reschedule', 'recordUnfinishedReason'],
  awaiting_reschedule: ['markInvalid', 'reschedule', 'recordUnfinishedReason'],
  on_site: ['complete', 'recordMeasures', 'markInvalid', 'recordUnfinishedReason'],
  completed: ['signOff', 'recordUnfinishedReason'],
  signed_off: ['recordUnfinishedReason'],
  rejected: ['recordUnfinishedReason'],
  awaiting_return_visit: ['recordUnfinishedReason'],
  closed: [],
  invalid: [],
};

// ---- complaints (投诉, C1–C11) ----

export const COMPLAINT_ACTION_NAMES = [
  'respond',
  'classify',
  'markInvalid',
  'flagLawsuitOrMediaRisk',
  'firstReply',
  'writtenReply',
  'reportToGroup',
  'agreeHandling',
  'reportProgress',
  'proposeCorrective',
  'approveCorrective',
  'recordHandling',
  'scheduleReturnVisit',
  'recordReturnVisit',
  'exempt',
  'repeatComplaint',
  'explain',
  'closeWithoutAgreement',
  'archive',
  'closingReply',
] as const;
export type ComplaintActionName = (typeof COMPLAINT_ACTION_NAMES)[number];

/**
 * The actions of a complaint's path (C1–C9), by status. Some wait for a step before them (see
 * {@link allowedComplaintActions}): handling is recorded done only once the manager approved the
 * corrective action (C6), and the return visit is recorded only once its time was given to the
 * customer (C7). The replies owed come on top.
 */
export const COMPLAINT_ACTIONS_BY_STATUS: Readonly<Record<ComplaintStatus, readonly ComplaintActionName[]>> = {
  received: ['classify', 'markInvalid'],
  classified: ['classify', 'markInvalid', 'agreeHandling'],
  handling: ['classify', 'agreeHandling', 'reportProgress', 'proposeCorrective', 'recordHandling', 'closeWithoutAgreement'],
  awaiting_approval: ['approveCorrective'],
  awaiting_return_visit: ['scheduleReturnVisit', 'recordReturnVisit', 'exempt', 'closeWithoutAgreement'],
  unsatisfied: ['agreeHandling', 'explain', 'closeWithoutAgreement'],
  quiet_period: ['repeatComplaint'],
  awaiting_archive: ['archive'],
  archived: ['closingReply'],
  closed: [],
  invalid: [],
};

/** What decides a complaint's actions besides its status. */
export interface ComplaintProgress {
  status: ComplaintStatus;
  /** The case row is written: an action's audit event needs it. */
  recorded: boolean;
  /** Someone to respond and reply to (not anonymous, a contact left): C1, C3 and C11 are owed only then. */
  contactable: boolean;
  responded: boolean;
  /** Its severity is known (at intake or classification). */
  classified: boolean;
  major: boolean;
  firstReplied: boolean;
  writtenReplied: boolean;
  reportedToGroup: boolean;
  /** C6: the manager approved the corrective and preventive action of the handling under way. */
  correctiveApproved: boolean;
  /** C6: handling was recorded done. */
  handled: boolean;
  /** C7: the customer was told when the supervisor will visit. */
  visitScheduled: boolean;
  /** C11: the closing reply went out. */
  closingReplied: boolean;
}

/**
 * A complaint's actions now: those of its status (less the ones still waiting for an earlier step),
 * then the replies still owed — C1's response and C3's first reply to a complainant we can reach, a
 * major complaint's written reply and report to the group, C11's closing reply once handling is
 * done — and, until it is major, the C4 flag. A closed or invalid complaint takes nothing.
 */
export function allowedComplaintActions(c: ComplaintProgress): ComplaintActionName[] {
  if (!c.recorded || c.status === 'closed' || c.status === 'invalid') return [];
  const waiting: ComplaintActionName[] = [
    ...(c.correctiveApproved ? [] : (['recordHandling'] as const)),
    ...(c.visitScheduled ? [] : (['recordReturnVisit'] as const)),
    ...(c.closingReplied || !c.contactable ? (['closingReply'] as const) : []),
  ];
  const path = COMPLAINT_ACTIONS_BY_STATUS[c.status].filter((a) => !waiting.includes(a));
  if (c.status === 'archived') return path;
  const owed: ComplaintActionName[] = [];
  if (c.contactable && !c.responded) owed.push('respond');
  if (c.contactable && c.classified && !c.firstReplied) owed.push('firstReply');
  if (c.major && !c.writtenReplied) owed.push('writtenReply');
  if (c.major && !c.reportedToGroup) owed.push('reportToGroup');
  if (c.contactable && c.handled && !c.closingReplied) owed.push('closingReply');
  if (!c.major) owed.push('flagLawsuitOrMediaRisk');
  return [...path, ...owed];
}

// ---- return visits (回访, V1–V4) ----

export const RETURN_VISIT_ACTION_NAMES = ['recordCall', 'exempt'] as const;
export type ReturnVisitActionName = (typeof RETURN_VISIT_ACTION_NAMES)[number];

/** V1–V3 calls once the visit is due (a leak visit waits for rain, R9); C7 an exemption any time before an outcome. */
export function allowedReturnVisitActions(v: { recorded: boolean; status: ReturnVisitStatus; decided: boolean }): ReturnVisitActionName[] {
  if (!v.recorded || v.decided) return [];
  return v.status === 'awaiting_rain' ? ['exempt'] : ['recordCall', 'exempt'];
}

// ---- inquiries, suggestions, help, praise (I3); special services (O2); patrol findings (O1) ----

export const REQUEST_ACTION_NAMES = ['answer', 'promiseReply', 'forwardSuggestion'] as const;
export type RequestActionName = (typeof REQUEST_ACTION_NAMES)[number];

/** I3: an open request is answered or gets a new promised time; a suggestion may be forwarded (S3). */
export function allowedRequestActions(r: { closed: boolean; kind: RequestKind }): RequestActionName[] {
  if (r.closed) return [];
  return r.kind === 'suggestion' ? ['answer', 'promiseReply', 'forwardSuggestion'] : ['answer', 'promiseReply'];
}

export const SPECIAL_SERVICE_ACTION_NAMES = ['confirmPartner', 'decline', 'complete'] as const;
export type SpecialServiceActionName = (typeof SPECIAL_SERVICE_ACTION_NAMES)[number];

/** O2: an external service waits for a partner, then is completed; either may be declined. An internal one is its work order's repair. */
export const SPECIAL_SERVICE_ACTIONS_BY_STATUS: Readonly<Record<SpecialServiceStatus, readonly SpecialServiceActionName[]>> = {
  work_order: [],
  awaiting_partner: ['confirmPartner', 'decline'],
  confirmed: ['complete', 'decline'],
  declined: [],
  completed: [],
};

export const PATROL_ACTION_NAMES = ['startRectification', 'completeRectification'] as const;
export type PatrolActionName = (typeof PATROL_ACTION_NAMES)[number];

/** O1: a notice is started, then rectified (completing also starts one not yet started). */
export const PATROL_ACTIONS_BY_STATUS: Readonly<Record<PatrolStatus, readonly PatrolActionName[]>> = {
  notified: ['startRectification', 'completeRectification'],
  started: ['completeRectification'],
  rectified: [],
};
