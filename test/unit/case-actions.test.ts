/**
 * Which staff action each case takes in which state: the tables the workflows ask before accepting
 * an action (domain/case-actions.ts), tested as data.
 */
import {
  allowedComplaintActions,
  allowedRequestActions,
  allowedReturnVisitActions,
  COMPLAINT_ACTION_NAMES,
  COMPLAINT_ACTIONS_BY_STATUS,
  PATROL_ACTIONS_BY_STATUS,
  REPAIR_ACTION_NAMES,
  REPAIR_ACTIONS_BY_STATUS,
  SPECIAL_SERVICE_ACTIONS_BY_STATUS,
  type ComplaintProgress,
} from '../../domain/case-actions';
import { COMPLAINT_STATUSES } from '../../domain/complaint';
import { REPAIR_STATUSES } from '../../domain/repair';
import { COMPLAINT_ACTIONS, REPAIR_ACTIONS } from '../../workflows/messages';

describe('repair actions by status', () => {
  test('R2: only a dispatched work order is accepted; R3: only an accepted one is arrived at', () => {
    const taking = (action: string) => REPAIR_STATUSES.filter((s) => REPAIR_ACTIONS_BY_STATUS[s].includes(action as never));
    expect(taking('accept')).toEqual(['dispatched']);
    expect(taking('arrive')).toEqual(['accepted']);
  });

  test('R6: the customer is not home only once accepted; a new appointment until the work starts', () => {
    const taking = (action: string) => REPAIR_STATUSES.filter((s) => REPAIR_ACTIONS_BY_STATUS[s].includes(action as never));
    expect(taking('customerNotHome')).toEqual(['accepted']);
    expect(taking('reschedule')).toEqual(['dispatched', 'accepted', 'awaiting_reschedule']);
  });

  test('R3/R4: measures and a new promise on site; R8: sign-off after completion; R1: invalid until completed', () => {
    const taking = (action: string) => REPAIR_STATUSES.filter((s) => REPAIR_ACTIONS_BY_STATUS[s].includes(action as never));
    expect(taking('recordMeasures')).toEqual(['on_site']);
    expect(taking('complete')).toEqual(['on_site']);
    expect(taking('signOff')).toEqual(['completed']);
    expect(taking('markInvalid')).toEqual(['dispatched', 'accepted', 'awaiting_reschedule', 'on_site']);
  });

  test('R12: a reason for not finishing today, in every open status; a closed or invalid repair takes nothing', () => {
    for (const status of REPAIR_STATUSES) {
      const open = status !== 'closed' && status !== 'invalid';
      expect([status, REPAIR_ACTIONS_BY_STATUS[status].includes('recordUnfinishedReason')]).toEqual([status, open]);
      if (!open) expect(REPAIR_ACTIONS_BY_STATUS[status]).toEqual([]);
    }
  });

  test('every repair action has a payload and roles, and every one is taken in some state', () => {
    expect(Object.keys(REPAIR_ACTIONS).sort()).toEqual([...REPAIR_ACTION_NAMES].sort());
    for (const action of REPAIR_ACTION_NAMES) expect(REPAIR_STATUSES.some((s) => REPAIR_ACTIONS_BY_STATUS[s].includes(action))).toBe(true);
  });
});

describe('complaint actions by status and progress', () => {
  const fresh: ComplaintProgress = {
    status: 'received',
    recorded: true,
    contactable: true,
    responded: false,
    classified: false,
    major: false,
    firstReplied: false,
    writtenReplied: false,
    reportedToGroup: false,
    correctiveApproved: false,
    handled: false,
    visitScheduled: false,
    closingReplied: false,
  };

  test('C1: a new complaint is classified or found invalid, and owes its 30-minute response; C4 may flag it major', () => {
    expect(allowedComplaintActions(fresh)).toEqual(['classify', 'markInvalid', 'respond', 'flagLawsuitOrMediaRisk']);
    expect(allowedComplaintActions({ ...fresh, recorded: false })).toEqual([]);
  });

  test('C1/C3: an anonymous complaint owes no response and no first reply — there is nobody to give them to', () => {
    expect(allowedComplaintActions({ ...fresh, contactable: false, status: 'classified', classified: true })).toEqual(['classify', 'markInvalid', 'agreeHandling', 'flagLawsuitOrMediaRisk']);
  });

  test('C3: a classified complaint owes its first reply; a major one its written reply and its report to the group, and is not flagged again', () => {
    expect(allowedComplaintActions({ ...fresh, status: 'classified', responded: true, classified: true })).toEqual(['classify', 'markInvalid', 'agreeHandling', 'firstReply', 'flagLawsuitOrMediaRisk']);
    expect(allowedComplaintActions({ ...fresh, status: 'handling', responded: true, classified: true, firstReplied: true, major: true })).toEqual([
      'classify',
      'agreeHandling',
      'reportProgress',
      'proposeCorrective',
      'closeWithoutAgreement',
      'writtenReply',
      'reportToGroup',
    ]);
  });

  test('C6: handling is recorded done only once the manager approved its corrective action', () => {
    const handling = { ...fresh, status: 'handling' as const, responded: true, classified: true, firstReplied: true };
    expect(allowedComplaintActions(handling)).not.toContain('recordHandling');
    expect(allowedComplaintActions({ ...handling, correctiveApproved: true })).toContain('recordHandling');
    expect(COMPLAINT_ACTIONS_BY_STATUS.awaiting_approval).toEqual(['approveCorrective']);
  });

  test('C7: the return visit is recorded only once the customer was told its time; or exempted', () => {
    const visiting = { ...fresh, status: 'awaiting_return_visit' as const, responded: true, classified: true, firstReplied: true, correctiveApproved: true, handled: true, closingReplied: true };
    expect(allowedComplaintActions(visiting)).toEqual(['scheduleReturnVisit', 'exempt', 'closeWithoutAgreement', 'flagLawsuitOrMediaRisk']);
    expect(allowedComplaintActions({ ...visiting, visitScheduled: true })).toEqual(['scheduleReturnVisit', 'recordReturnVisit', 'exempt', 'closeWithoutAgreement', 'flagLawsuitOrMediaRisk']);
    expect(COMPLAINT_ACTIONS_BY_STATUS.quiet_period).toEqual(['repeatComplaint']);
  });

  test('C11: the closing reply is owed from the end of handling, once; an archived complaint still waiting for it takes only that', () => {
    const handled = { ...fresh, status: 'awaiting_return_visit' as const, responded: true, classified: true, firstReplied: true, correctiveApproved: true, handled: true };
    expect(allowedComplaintActions(handled)).toContain('closingReply');
    expect(allowedComplaintActions({ ...handled, closingReplied: true })).not.toContain('closingReply');
    expect(allowedComplaintActions({ ...handled, contactable: false })).not.toContain('closingReply');
    expect(allowedComplaintActions({ ...handled, status: 'archived' })).toEqual(['closingReply']);
    expect(allowedComplaintActions({ ...fresh, status: 'closed' })).toEqual([]);
    expect(allowedComplaintActions({ ...fresh, status: 'invalid' })).toEqual([]);
  });

  test('C8: an unsatisfied customer means improving, explaining, or closing without agreement (C9)', () => {
    expect(COMPLAINT_ACTIONS_BY_STATUS.unsatisfied).toEqual(['agreeHandling', 'explain', 'closeWithoutAgreement']);
  });

  test('every complaint action has a payload and roles, and every status has its row', () => {
    expect(Object.keys(COMPLAINT_ACTIONS).sort()).toEqual([...COMPLAINT_ACTION_NAMES].sort());
    expect(Object.keys(COMPLAINT_ACTIONS_BY_STATUS).sort()).toEqual([...COMPLAINT_STATUSES].sort());
  });
});

describe('the lighter cases', () => {
  test('V2/R9: a leak visit waiting for rain can only be exempted; a decided visit takes nothing', () => {
    expect(allowedReturnVisitActions({ recorded: true, status: 'awaiting_rain', decided: false })).toEqual(['exempt']);
    expect(allowedReturnVisitActions({ recorded: true, status: 'open', decided: false })).toEqual(['recordCall', 'exempt']);
    expect(allowedReturnVisitActions({ recorded: true, status: 'open', decided: true })).toEqual([]);
    expect(allowedReturnVisitActions({ recorded: false, status: 'open', decided: false })).toEqual([]);
  });

  test('I3: only a suggestion is forwarded; a closed request takes nothing', () => {
    expect(allowedRequestActions({ closed: false, kind: 'suggestion' })).toEqual(['answer', 'promiseReply', 'forwardSuggestion']);
    expect(allowedRequestActions({ closed: false, kind: 'help' })).toEqual(['answer', 'promiseReply']);
    expect(allowedRequestActions({ closed: true, kind: 'suggestion' })).toEqual([]);
  });

  test('O2: an external service is confirmed, then completed; O1: a notice is started, then rectified', () => {
    expect(SPECIAL_SERVICE_ACTIONS_BY_STATUS.awaiting_partner).toEqual(['confirmPartner', 'decline']);
    expect(SPECIAL_SERVICE_ACTIONS_BY_STATUS.confirmed).toEqual(['complete', 'decline']);
    expect(SPECIAL_SERVICE_ACTIONS_BY_STATUS.work_order).toEqual([]);
    expect(PATROL_ACTIONS_BY_STATUS.notified).toEqual(['startRectification', 'completeRectification']);
    expect(PATROL_ACTIONS_BY_STATUS.rectified).toEqual([]);
  });
});
