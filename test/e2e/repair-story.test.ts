/**
 * The story of issue 3, end to end on real parts: an urgent water leak reported at 23:40, a late
 * engineer, a return visit that reaches the customer only at the third call, an unsatisfied
 * customer, a second repair that fails again — and a linked major complaint.
 */
import { act, assigneeOf, caseRow, mailsFor, repairAction, report, sleep, usePolicy, visible, workUntilCompleted } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

/** The most recent 23:40 in Shanghai (the call came in then; the front desk logs it now). */
function last2340Shanghai(): string {
  const now = Date.now();
  const shanghaiMidnight = Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
  let at = shanghaiMidnight + (23 * 60 + 40) * 60_000;
  if (at > now) at -= 86_400_000;
  return new Date(at).toISOString();
}

it('R3/R9/V2/R10/R11: a night-time burst pipe, a late engineer, three calls, an unsatisfied customer and a second failure end in a linked major complaint', async () => {
  // 600×: acceptance 3 s, urgent arrival 2 s; calls may be repeated 1.5 s apart ("another time of day").
  await usePolicy(stack, 600, (p) => {
    p.returnVisit.retryAfterMs = 1500;
  });
  const caseId = await report(stack, {
    room: '2-1-801',
    contactName: '周先生',
    contactPhone: '13700137000',
    channel: 'phone',
    description: '卫生间水管爆裂，室内进水',
    classification: 'urgent',
    tags: ['water', 'dangerous'],
    receivedAt: last2340Shanghai(),
    lateEntryReason: '夜间来电，值班员次日补录',
  });
  const row = await caseRow(stack, caseId, () => true, 'recorded');
  expect(row.receivedAt.toISOString()).toBe(last2340Shanghai());

  // The engineer accepts at once but is on site late: the customer's clocks ran from the call at 23:40
  // (R3), so the 20 minutes on site and the 8 hours to repair were both gone when it was logged.
  const engineer = await assigneeOf(stack, caseId);
  await repairAction(stack, caseId, 'accept', engineer).expect(200);
  await eventually(async () => mailsFor(stack, caseId, '超时升级')[0], { what: 'late arrival escalation' });
  await repairAction(stack, caseId, 'arrive', engineer).expect(200);
  await repairAction(stack, caseId, 'complete', engineer, { summary: '更换爆裂水管' }).expect(200);
  await repairAction(stack, caseId, 'signOff', 'S-BT1', { accepted: true }).expect(200);

  // The return visit: not at home twice, answers the third call, unsatisfied.
  const visit = `return-visits/RV-${caseId}-1`;
  await caseRow(stack, `RV-${caseId}-1`, () => true, 'return visit opened');
  await act(stack, visit, 'recordCall', 'S-BT1', { answered: false, method: 'phone' }).expect(200);
  await act(stack, visit, 'recordCall', 'S-BT1', { answered: false, method: 'phone' }).expect(409);
  await sleep(1600);
  await act(stack, visit, 'recordCall', 'S-BT1', { answered: false, method: 'phone' }).expect(200);
  await sleep(1600);
  await act(stack, visit, 'recordCall', 'S-BT1', { answered: true, method: 'phone', satisfied: false, comments: '墙角仍有渗水' }).expect(200);
  await caseRow(stack, `RV-${caseId}-1`, (r) => r.outcome === 'unsatisfied', 'visit outcome counted');

  // R10: dispatched again; the second repair is rejected at sign-off → R11.
  await caseRow(stack, caseId, (r) => r.status === 'dispatched', 're-dispatched');
  await workUntilCompleted(stack, caseId, { summary: '重新封堵接口' });
  await repairAction(stack, caseId, 'signOff', 'S-BT1', { accepted: false, note: '仍然渗水' }).expect(200);

  const repaired = await caseRow(stack, caseId, (r) => r.links.some((l) => l.relation === 'major-complaint'), 'major complaint linked');
  const complaintId = repaired.links.find((l) => l.relation === 'major-complaint')!.caseId;
  // The link is written once the complaint starts; its own row follows from its first activities.
  const complaint = await caseRow(stack, complaintId, (r) => r.severity === 'major', 'major complaint recorded');
  expect(complaint).toMatchObject({ kind: 'complaint', severity: 'major', room: '2-1-801', householdId: repaired.householdId });
  expect(complaint.links).toEqual([{ caseId, relation: 'repair' }]);
  await visible(stack, `WorkflowId='complaint-${complaintId}' AND CaseType='complaint' AND Severity='major' AND AreaId='A1'`);
  await visible(stack, `WorkflowId='repair-${caseId}' AND Escalated=true`);

  // One escalation mail each for the late arrival and the late repair of the first attempt, to the supervisor.
  const escalations = mailsFor(stack, caseId, '超时升级').filter((m) => !m.subject.includes(`RV-${caseId}`));
  expect(escalations.map((m) => m.subject.split(' ').pop()).sort()).toEqual(['上门到场', '修复']);
  for (const mail of escalations) {
    expect(mail.to).toEqual([expect.stringMatching(/^s-sv1@/)]);
    expect(mail.text).toContain('R3');
  }
});
