/** Small steps the repair tests share: report, act, wait for the read model, mails, visibility. */
import request from 'supertest';
import { Case, CaseEvent, Property, type ICase } from '../../db/entities';
import { compressPolicy, DEFAULT_POLICY, type ServicePolicy } from '../../domain/policy';
import { eventually, type TestStack } from './stack';

/** A staff member's key; the suite reads the API's answers in English (the zh-CN default is proven in test/unit/messages.test.ts). */
export const as = (stack: TestStack, staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}`, 'Accept-Language': 'en' });

/** Stores a policy on the demo property; cases started afterwards snapshot it. */
export async function usePolicy(stack: TestStack, factor: number, tweak: (p: ServicePolicy) => void = () => undefined): Promise<ServicePolicy> {
  const policy = compressPolicy(DEFAULT_POLICY, factor);
  tweak(policy);
  const em = stack.orm.em.fork();
  const property = await em.findOneOrFail(Property, { id: stack.seed.propertyId });
  property.policy = policy as unknown as Record<string, unknown>;
  await em.flush();
  return policy;
}

export async function report(stack: TestStack, body: Record<string, unknown>): Promise<string> {
  const res = await request(stack.app)
    .post('/api/v1/repairs')
    .set(as(stack, 'S-FD1'))
    .send({ room: '3-1-502', contactName: '李女士', contactPhone: '13900139000', channel: 'wechat', description: '客厅漏电跳闸', classification: 'general', ...body });
  if (res.status !== 201) throw new Error(`report failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.caseId as string;
}

export const act = (stack: TestStack, path: string, action: string, staffId: string, payload: Record<string, unknown> = {}) =>
  request(stack.app).post(`/api/v1/${path}/${action}`).set(as(stack, staffId)).send(payload);

export const repairAction = (stack: TestStack, caseId: string, action: string, staffId: string, payload: Record<string, unknown> = {}) =>
  act(stack, `repairs/${caseId}`, action, staffId, payload);

export const view = async (stack: TestStack, path: string) => (await request(stack.app).get(`/api/v1/${path}`).set(as(stack, 'S-SV1')).expect(200)).body;

export async function caseRow(stack: TestStack, caseId: string, until: (row: ICase) => boolean, what: string): Promise<ICase> {
  return eventually(async () => {
    const row = await findCase(stack, caseId);
    return row && until(row) ? row : undefined;
  }, { what: `${caseId}: ${what}` });
}

const findCase = (stack: TestStack, caseId: string) => stack.orm.em.fork().findOne(Case, { id: caseId });

export const assigneeOf = async (stack: TestStack, caseId: string) => (await caseRow(stack, caseId, (r) => !!r.assigneeId, 'assigned')).assigneeId!;

export const mailsFor = (stack: TestStack, caseId: string, subject: string) =>
  stack.mails.filter((m) => m.subject.includes(caseId) && m.subject.includes(subject));

export async function visible(stack: TestStack, query: string) {
  return eventually(async () => {
    for await (const wf of stack.client.workflow.list({ query })) return wf;
    return undefined;
  }, { what: query });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes a repair from dispatch to the engineer's completion. */
export async function workUntilCompleted(stack: TestStack, caseId: string, payload: Record<string, unknown> = {}): Promise<string> {
  const engineer = await assigneeOf(stack, caseId);
  for (const [action, body] of [['accept', {}], ['arrive', {}], ['complete', { summary: '已修复', ...payload }]] as const) {
    const res = await repairAction(stack, caseId, action, engineer, body);
    if (res.status !== 200) throw new Error(`${action} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return engineer;
}

export const eventsOf = async (stack: TestStack, caseId: string, action: string) =>
  stack.orm.em.fork().find(CaseEvent, { caseId, action }, { orderBy: { seq: 'asc' } });

/**
 * The case's `action` events once at least `count` are in Postgres: the workflow writes its audit
 * events behind its answers (CaseTracker.append), so an answer or a mail can come a moment first.
 */
export const writtenEvents = async (stack: TestStack, caseId: string, action: string, count = 1) =>
  eventually(async () => {
    const events = await eventsOf(stack, caseId, action);
    return events.length >= count ? events : undefined;
  }, { what: `${count} ${action} event(s) of ${caseId} written` });
