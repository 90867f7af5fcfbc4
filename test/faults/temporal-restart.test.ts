/**
 * Fault 2 — the Temporal dev server is stopped and started again on its database file while
 * cases wait on their timers, and their deadlines fall due while it is down. Checks: after it is
 * back every timer fires (the late ones at once), every case is still there and running, and
 * each escalates exactly once.
 */
import { CaseEvent, Notification } from '../../db/entities';
import { checkConsistency } from '../../scripts/consistency';
import { figures, OUTAGE_MS, sleep, startFaultStack, until, type FaultStack } from './harness';

jest.setTimeout(600_000);

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
  await stack.usePolicy(300); // R4: repaired 2 h → 24 s after dispatch
});
afterAll(async () => stack?.close());

describe('fault: Temporal dev server restarted', () => {
  it('temporal restart: deadlines that fall due while the Temporal server is down fire once it is back; no case is lost', async () => {
    const cases: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await stack.call('POST', '/repairs', 'S-FD1', {
        room: `4-1-${(5 + i) * 100 + 2}`, contactName: '赵女士', contactPhone: '13600136000', channel: 'phone', description: '电梯按钮失灵', classification: 'general',
      });
      expect(res.status).toBe(201);
      cases.push(res.body.caseId);
      const engineer = await until(async () => (await stack.call('GET', `/repairs/${res.body.caseId}`, 'S-SV1')).body.assigneeId as string | undefined, 'assigned');
      expect((await stack.call('POST', `/repairs/${res.body.caseId}/accept`, engineer, {})).status).toBe(200);
      expect((await stack.call('POST', `/repairs/${res.body.caseId}/arrive`, engineer, {})).status).toBe(200);
    }
    const escalationsBefore = await stack.orm.em.fork().count(CaseEvent, { caseId: { $in: cases }, action: 'escalated' });

    // Every case waits on its R4 timer when the server goes down…
    const dues: number[] = [];
    for (const caseId of cases) {
      const view = (await stack.call('GET', `/repairs/${caseId}`, 'S-SV1')).body as { deadlines: { name: string; state: string; dueAt: string }[] };
      const repairDue = view.deadlines.find((d) => d.name === 'repair' && d.state === 'pending');
      expect(repairDue).toBeDefined();
      dues.push(new Date(repairDue!.dueAt).getTime());
    }
    await stack.temporal.stop();
    const stoppedAt = Date.now();
    expect(Math.min(...dues)).toBeGreaterThan(stoppedAt);
    // …and stays down until every one of them has passed.
    const downMs = Math.max(OUTAGE_MS, Math.max(...dues) - stoppedAt + 3000);
    // Meanwhile staff look at a case (its live view is a workflow query) and the probe asks /readyz: 503, never a 500 or a hang.
    const duringOutage: { status: number; retryAfter: string | null }[] = [];
    while (Date.now() - stoppedAt < downMs) {
      const answer = await Promise.race([
        stack.call('GET', `/repairs/${cases[0]}`, 'S-SV1'),
        sleep(25_000).then(() => ({ status: 0, headers: new Headers() })), // the API gives Temporal 15 s
      ]);
      duringOutage.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') });
      const ready = await Promise.race([fetch(`${stack.api.url}/readyz`), sleep(25_000).then(() => ({ status: 0, headers: new Headers() }))]);
      duringOutage.push({ status: ready.status, retryAfter: ready.headers.get('retry-after') });
      await sleep(1000);
    }
    const restartedAt = Date.now();
    await stack.temporal.start();
    const backAt = Date.now();

    const escalated = await until(async () => {
      const rows = await stack.orm.em.fork().find(CaseEvent, { caseId: { $in: cases }, action: 'escalated' });
      return new Set(rows.map((r) => r.caseId)).size === cases.length ? rows : undefined;
    }, 'every case escalated after the restart', 240_000);
    const sent = await until(async () => {
      const rows = await stack.orm.em.fork().find(Notification, { caseId: { $in: cases }, template: 'escalation' });
      return rows.length >= cases.length && rows.every((r) => r.status === 'sent') ? rows : undefined;
    }, 'escalation mails sent');
    const running: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowType = 'repair' AND ExecutionStatus = 'Running'` })) running.push(wf.workflowId);
    for (const caseId of cases) {
      const view = await stack.call('GET', `/repairs/${caseId}`, 'S-SV1');
      expect(view.status).toBe(200);
    }
    const consistency = await until(async () => {
      const r = await checkConsistency(stack.orm, stack.client);
      return r.mismatches.length === 0 ? r : undefined;
    }, 'read model consistent with the workflows').catch(() => checkConsistency(stack.orm, stack.client));
    figures('Temporal dev server restarted', {
      breaks: `dev server stopped (SIGINT) for ${(downMs / 1000).toFixed(0)} s and restarted on its database file; every R4 deadline fell due meanwhile`,
      checks: 'each late timer fires after the restart, each case escalates once, no case lost',
      'read-model mismatches (scripts/consistency.ts)': consistency.mismatches.length,
      cases: cases.length,
      'escalations before the stop': escalationsBefore,
      'escalations after the restart': escalated.length,
      'escalation mails': sent.length,
      'seconds the restarted server took to answer': ((backAt - restartedAt) / 1000).toFixed(1),
      'seconds from the restart to each escalation mail being queued': sent.map((n) => ((n.createdAt.getTime() - restartedAt) / 1000).toFixed(1)),
      'running workflows': running.length,
      'GET /repairs/{id} and /readyz while down, by status': duringOutage.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {}),
      'stopped at': new Date(stoppedAt).toISOString(),
    });
    expect(escalationsBefore).toBe(0);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const a of duringOutage) expect(a).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(consistency.mismatches).toEqual([]);
    expect(escalated).toHaveLength(cases.length);
    // Each timer fired on the restarted server: its escalation was queued after the restart (wall clock of the activity).
    for (const n of sent) expect(n.createdAt.getTime()).toBeGreaterThanOrEqual(restartedAt);
    expect(new Set(sent.map((s) => s.caseId))).toEqual(new Set(cases));
    expect(sent).toHaveLength(cases.length);
    expect(new Set(running)).toEqual(new Set(cases.map((c) => `repair-${c}`)));
  });
});
