/**
 * bench:history — how many history events a typical case writes (Temporal's limit is 51,200 per
 * run; we keep each story under 200). The repair story: intake, dispatch, accept, arrive, complete,
 * sign-off, a return visit reached at the second call, satisfied, closed. The complaint story: a
 * customer's general complaint taken in, answered within the hour, classified, replied to, handled
 * with the manager's approval of the corrective action, a satisfied return visit, archived and the
 * closing reply sent.
 */
import { fmt, report, runBench } from './lib';
import { startBenchStack } from './stack';
import { workflowIds } from '../domain/workflow-ids';

async function call(url: string, key: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function post(url: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const { status, json } = await call(url, key, body);
  if (status >= 300) throw new Error(`${url} answered ${status}: ${JSON.stringify(json)}`);
  return json;
}

/** A staff action; until the case is recorded (404) or while it takes in the previous step (409), ask again. */
async function act(url: string, key: string, body: unknown): Promise<void> {
  for (let tries = 0; ; tries++) {
    const { status, json } = await call(url, key, body);
    if (status < 300) return;
    if ((status !== 404 && status !== 409) || tries >= 50) throw new Error(`${url} answered ${status}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  // Real durations, but a call may be repeated after 1 s so the story runs in seconds.
  const stack = await startBenchStack({ policy: { returnVisit: { retryAfterMs: 1000 } } });
  try {
    const api = `${stack.api.url}/api/v1`;
    const { caseId } = (await post(`${api}/repairs`, stack.keyOf('S-FD1'), {
      room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '水管漏水', classification: 'urgent', tags: ['water'],
    })) as { caseId: string };
    let engineer: string | undefined;
    while (!engineer) {
      const view = (await (await fetch(`${api}/repairs/${caseId}`, { headers: { authorization: `Bearer ${stack.keyOf('S-SV1')}` } })).json()) as { status: string; assigneeId?: string };
      if (view.status === 'dispatched') engineer = view.assigneeId;
      else await new Promise((r) => setTimeout(r, 100));
    }
    for (const [action, body] of [['accept', {}], ['arrive', {}], ['complete', { summary: '更换水管' }]] as const) {
      await post(`${api}/repairs/${caseId}/${action}`, stack.keyOf(engineer), body);
    }
    await post(`${api}/repairs/${caseId}/signOff`, stack.keyOf('S-BT1'), { accepted: true });
    const visit = `RV-${caseId}-1`;
    for (;;) {
      const res = await fetch(`${api}/return-visits/${visit}`, { headers: { authorization: `Bearer ${stack.keyOf('S-SV1')}` } });
      if (res.status === 200 && ((await res.json()) as { allowedActions: string[] }).allowedActions.includes('recordCall')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await post(`${api}/return-visits/${visit}/recordCall`, stack.keyOf('S-BT1'), { answered: false, method: 'phone' });
    await new Promise((r) => setTimeout(r, 1100));
    await post(`${api}/return-visits/${visit}/recordCall`, stack.keyOf('S-BT1'), { answered: true, method: 'phone', satisfied: true });
    const repair = stack.client.workflow.getHandle(workflowIds.repair(caseId));
    await repair.result();
    const repairEvents = (await repair.fetchHistory()).events?.length ?? 0;
    const visitEvents = (await stack.client.workflow.getHandle(`return-visit-${visit}`).fetchHistory()).events?.length ?? 0;

    const complaint = (await post(`${api}/complaints`, stack.keyOf('S-FD1'), {
      room: '1-1-302', contactName: '李女士', contactPhone: '13900139000', channel: 'phone', description: '楼道垃圾未及时清运',
    })) as { caseId: string };
    const inTenMinutes = new Date(Date.now() + 600_000).toISOString();
    const steps: [string, string, Record<string, unknown>][] = [
      ['respond', 'S-FD1', { note: '已致电客户' }],
      ['classify', 'S-BT1', { severity: 'general', category: 'environment', department: '环境部' }],
      ['firstReply', 'S-BT1', { note: '已安排清理' }],
      ['agreeHandling', 'S-BT1', { method: '增加清运班次', dueAt: inTenMinutes }],
      ['proposeCorrective', 'S-BT1', { causeAnalysis: '排班遗漏', correctiveAction: '补排班次', preventiveAction: '每日巡查' }],
      ['approveCorrective', 'S-MG1', { approved: true }],
      ['recordHandling', 'S-BT1', { result: '已清运' }],
      ['scheduleReturnVisit', 'S-SV1', { visitAt: new Date(Date.now() + 3_600_000).toISOString(), method: 'phone' }],
      ['recordReturnVisit', 'S-SV1', { method: 'phone', satisfied: true }],
      ['archive', 'S-MG1', {}],
      ['closingReply', 'S-BT1', { note: '已书面回复客户' }],
    ];
    for (const [action, staffId, body] of steps) await act(`${api}/complaints/${complaint.caseId}/${action}`, stack.keyOf(staffId), body);
    const complaintHandle = stack.client.workflow.getHandle(`complaint-${complaint.caseId}`);
    await complaintHandle.result();
    const complaintEvents = (await complaintHandle.fetchHistory()).events?.length ?? 0;
    report('history', stack.facts, [
      {
        name: 'history events of a typical repair story (repair workflow)',
        baseline: 'budget 200 events',
        measured: `${repairEvents} events (its return visit: ${visitEvents})`,
        ratio: repairEvents / 200,
        target: '≤ 1.0',
        met: repairEvents <= 200 && visitEvents <= 200,
      },
      {
        name: 'history events of a typical complaint story (complaint workflow)',
        baseline: 'budget 200 events',
        measured: `${complaintEvents} events`,
        ratio: complaintEvents / 200,
        target: '≤ 1.0',
        met: complaintEvents <= 200,
      },
    ]);
    process.stdout.write(`(${fmt(repairEvents + visitEvents, 0)} events for the whole repair story)\n`);
  } finally {
    await stack.close();
  }
}

runBench(main);
