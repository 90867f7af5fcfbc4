/**
 * What a supervisor sees in the Temporal UI, on the real dev server with the real policy compressed
 * 300× (30 min → 6 s): the warning before a breach (SlaState=warning, one mail to the owner per
 * deadline, each deadline's outcome recorded), and the saved queries of the README run with
 * `client.workflow.list` against cases moved through their states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseEvent, Notification } from '../../db/entities';
import { compressPolicy, DEFAULT_POLICY } from '../../domain/policy';
import { complain, complaintAct } from '../helpers/complaints';
import { assigneeOf, caseRow, repairAction, report, sleep } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const FACTOR = 300;

beforeAll(async () => {
  stack = await startTestStack({ policy: compressPolicy(DEFAULT_POLICY, FACTOR) });
});
afterAll(async () => stack?.close());

/** The README's saved queries, by view name, exactly as a supervisor would paste them. */
function savedQueries(): Record<string, string> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const table = /<!-- saved-queries:start -->([\s\S]*?)<!-- saved-queries:end -->/.exec(readme)?.[1] ?? '';
  return Object.fromEntries([...table.matchAll(/^\| ([^|]+?) \| `([^`]+)` \|$/gm)].map((m) => [m[1], m[2]]));
}

async function workflowIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids.sort();
}

/** Visibility is eventually consistent: waits until the query's answer satisfies `until`. */
async function listUntil(query: string, until: (ids: string[]) => boolean): Promise<string[]> {
  return eventually(async () => {
    const ids = await workflowIds(query);
    return until(ids) ? ids : undefined;
  }, { what: query, timeoutMs: 30_000 });
}

const shanghai = (date: Date) => new Date(date.getTime() + 8 * 3_600_000).toISOString().replace(/\.\d+Z$/, '+08:00');

describe('the warning before a breach', () => {
  it('SLA warning: at 75 % of the accept deadline the repair shows SlaState=warning, its engineer is mailed once, and the met deadline is recorded with who held it', async () => {
    const caseId = await report(stack, { room: '1-1-301', classification: 'general' });
    const engineer = await assigneeOf(stack, caseId);
    const workflowId = `repair-${caseId}`;

    await listUntil(`WorkflowId = '${workflowId}' AND SlaState = 'warning' AND AssigneeId = '${engineer}'`, (ids) => ids.length === 1);
    const warning = await eventually(async () => stack.mails.find((m) => m.subject.includes('时限预警') && m.subject.includes(caseId)), { what: 'warning mail' });
    expect(warning.to).toEqual([`${engineer.toLowerCase()}@demo.wuye.local`]);
    expect(warning.subject).toContain('接单');
    expect(warning.subject).not.toContain('accept');
    expect(warning.text).not.toMatch(/李女士|13900139000/);
    await caseRow(stack, caseId, (r) => r.slaState === 'warning', 'read model shows the warning');

    expect((await repairAction(stack, caseId, 'accept', engineer)).status).toBe(200);
    await listUntil(`WorkflowId = '${workflowId}' AND SlaState = 'ok' AND CaseStatus = 'accepted'`, (ids) => ids.length === 1);
    const met = await eventually(async () => (await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'deadline-met' })).find((e) => e.payload.deadline === 'accept'), {
      what: 'accept recorded as met',
    });
    expect(met.payload).toMatchObject({ rule: 'R2', ownerId: engineer });
    expect((await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'sla-warning' })).map((e) => e.payload.deadline)).toContain('accept');

    // Told once: the accept deadline's warning is one notification and one mail, however long we wait.
    await sleep(1000);
    const rows = await stack.orm.em.fork().find(Notification, { caseId, template: 'slaWarning' });
    expect(rows.filter((r) => r.idempotencyKey.includes(':warning:accept:'))).toHaveLength(1);
    expect(stack.mails.filter((m) => m.subject.includes(caseId) && m.subject.includes('时限预警') && m.subject.includes('接单'))).toHaveLength(1);
  });
});

describe('the warning goes to whoever holds the case', () => {
  it('SLA warning: a complaint nobody is assigned to warns its owner, the area\'s butler, once before the C1 response is missed', async () => {
    const caseId = await complain(stack, { room: '2-1-202' });
    await listUntil(`WorkflowId = 'complaint-${caseId}' AND SlaState = 'warning'`, (ids) => ids.length === 1);
    const warnings = await eventually(async () => {
      const found = stack.mails.filter((m) => m.subject.includes('时限预警') && m.subject.includes(caseId));
      return found.length ? found : undefined;
    }, { what: 'warning mail' });
    expect(warnings.map((m) => m.to[0])).toEqual(['s-bt1@demo.wuye.local']);
    expect(warnings[0].subject).toContain('首次响应客户');
    // Missed: the breach is recorded with nobody holding the case, and no second warning follows.
    const missed = await eventually(async () => (await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'deadline-missed' })).find((e) => e.payload.deadline === 'respond'), {
      what: 'respond recorded as missed',
    });
    expect(missed.payload).toMatchObject({ rule: 'C1', ownerId: null });
    expect(stack.mails.filter((m) => m.subject.includes('时限预警') && m.subject.includes(caseId) && m.subject.includes('首次响应客户'))).toHaveLength(1);
  });
});

describe('the README saved queries', () => {
  it('README saved queries: each runs with client.workflow.list and finds exactly the cases it names', async () => {
    const q = savedQueries();
    expect(Object.keys(q)).toEqual(['all my breached cases', 'my cases about to breach', 'major complaints open', 'major complaints past a deadline', 'due in the next hour']);

    // A repair nobody accepts: breached, escalated, and re-dispatched to another engineer.
    const lateRepair = await report(stack, { room: '2-1-101', classification: 'general' });
    const first = await assigneeOf(stack, lateRepair);
    const second = (await caseRow(stack, lateRepair, (r) => !!r.assigneeId && r.assigneeId !== first, 're-dispatched')).assigneeId!;
    // A repair taken in time stays ok.
    const onTime = await report(stack, { room: '1-2-201', classification: 'general' });
    expect((await repairAction(stack, onTime, 'accept', await assigneeOf(stack, onTime))).status).toBe(200);
    // A major complaint nobody answers within 30 min (→ 6 s): C1 breached. A general one that is answered.
    const major = await complain(stack, { room: '1-1-302' });
    expect((await complaintAct(stack, major, 'classify', 'S-SV1', { severity: 'major', category: 'engineering', department: '工程部' })).status).toBe(200);
    const general = await complain(stack, { room: '1-1-402' });
    expect((await complaintAct(stack, general, 'respond', 'S-BT1', { note: '已致电说明' })).status).toBe(200);
    expect((await complaintAct(stack, general, 'classify', 'S-BT1', { severity: 'general', category: 'environment', department: '保洁部' })).status).toBe(200);

    const mine = q['all my breached cases'].replace("'S-EN1'", `'${second}'`);
    expect(await listUntil(mine, (ids) => ids.includes(`repair-${lateRepair}`))).not.toContain(`repair-${onTime}`);

    expect(await listUntil(q['major complaints past a deadline'], (ids) => ids.includes(`complaint-${major}`))).toEqual([`complaint-${major}`]);
    // The issue's own example, written out.
    expect(await workflowIds(`CaseType='complaint' AND Severity='major' AND SlaState='breached'`)).toEqual([`complaint-${major}`]);
    const openMajor = await listUntil(q['major complaints open'], (ids) => ids.includes(`complaint-${major}`));
    expect(openMajor).not.toContain(`complaint-${general}`);

    // Due in the next hour: the README's time literals replaced by now and now + 1 h (the compressed resolution deadlines, 9.6 and 48 min, fall inside).
    const window = (from: Date, to: Date) =>
      q['due in the next hour'].replace('2026-11-23T09:00:00+08:00', shanghai(from)).replace('2026-11-23T10:00:00+08:00', shanghai(to));
    const now = new Date();
    const dueSoon = await listUntil(window(now, new Date(now.getTime() + 3_600_000)), (ids) => ids.includes(`complaint-${general}`));
    expect(dueSoon).toContain(`complaint-${major}`);
    expect(await workflowIds(window(new Date(now.getTime() + 3_600_000), new Date(now.getTime() + 7_200_000)))).toEqual([]);
  });

  it('README saved queries: "my cases about to breach" finds a repair at 75 % of its deadline for its engineer only', async () => {
    const caseId = await report(stack, { room: '3-1-101', classification: 'general' });
    const engineer = await assigneeOf(stack, caseId);
    const query = savedQueries()['my cases about to breach'];
    expect(await listUntil(query.replace("'S-EN1'", `'${engineer}'`), (ids) => ids.includes(`repair-${caseId}`))).toContain(`repair-${caseId}`);
    const other = engineer === 'S-EN1' ? 'S-EN2' : 'S-EN1';
    expect(await workflowIds(query.replace("'S-EN1'", `'${other}'`))).not.toContain(`repair-${caseId}`);
  });
});
