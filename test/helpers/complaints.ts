/** Small steps the complaint tests share: complain, act (waiting for the case to take actions), mails. */
import request from 'supertest';
import { as, caseRow } from './repairs';

export { eventsOf, writtenEvents } from './repairs';
import { eventually, type TestStack } from './stack';

export async function complain(stack: TestStack, body: Record<string, unknown> = {}, staffId = 'S-FD1'): Promise<string> {
  const res = await request(stack.app)
    .post('/api/v1/complaints')
    .set(as(stack, staffId))
    .send({ room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '电梯频繁故障', ...body });
  if (res.status !== 201) throw new Error(`complaint failed: ${res.status} ${JSON.stringify(res.body)}`);
  await caseRow(stack, res.body.caseId, () => true, 'recorded');
  return res.body.caseId as string;
}

/** A staff action on a complaint; while the workflow is still recording the case it takes none, so retry briefly. */
export async function complaintAct(stack: TestStack, caseId: string, action: string, staffId: string, payload: Record<string, unknown> = {}) {
  let res: request.Response | undefined;
  await eventually(async () => {
    res = await request(stack.app).post(`/api/v1/complaints/${caseId}/${action}`).set(as(stack, staffId)).send(payload);
    return !(res.status === 409 && String(res.body.detail).includes('allowed now: nothing')) || undefined;
  }, { timeoutMs: 5000, what: `${caseId} ${action}` });
  return res!;
}

export const complaintView = (stack: TestStack, caseId: string, staffId = 'S-SV1') =>
  request(stack.app).get(`/api/v1/complaints/${caseId}`).set(as(stack, staffId));

export const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Mails whose subject names the case and `subject`, by recipient local part (s-sv1, s-mg1…). */
export const mailTo = (stack: TestStack, caseId: string, subject: string) =>
  stack.mails
    .filter((m) => m.subject.includes(caseId) && m.subject.includes(subject))
    .map((m) => m.to[0].split('@')[0])
    .sort();

/**
 * Walks a classified (or unsatisfied, C8: with an analysis) complaint through handling to the
 * supervisor's return visit: handling agreed, the corrective action proposed and approved by the
 * manager before it is carried out (C6), handling recorded done, the visit time given (C7).
 */
export async function handleToReturnVisit(stack: TestStack, caseId: string, staffId = 'S-BT1', approver = 'S-MG1', analysis?: string) {
  const steps: [string, string, Record<string, unknown>][] = [
    ['agreeHandling', staffId, { method: '更换电梯主板', dueAt: inMs(600_000), ...(analysis ? { analysis } : {}) }],
    ['proposeCorrective', staffId, { causeAnalysis: '主板老化', correctiveAction: '更换主板', preventiveAction: '每月巡检' }],
    ['approveCorrective', approver, { approved: true }],
    ['recordHandling', staffId, { result: '已更换' }],
    ['scheduleReturnVisit', 'S-SV1', { visitAt: inMs(60_000), method: 'phone' }],
  ];
  for (const [action, who, body] of steps) {
    const res = await complaintAct(stack, caseId, action, who, body);
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
    // An anonymous complaint has nobody to visit: it waits out its quiet week instead (C7).
    if (action === 'recordHandling' && res.body.status !== 'awaiting_return_visit') return;
  }
}
