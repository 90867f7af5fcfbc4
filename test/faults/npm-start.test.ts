/**
 * `npm start` under `kill -9`, as the issue found it: the worker killed (it must come back by
 * itself, and the deadline that fell due while it was down must escalate once), then npm start
 * itself killed (nothing of it may be left running or holding a port, and the next start finds
 * every case where it was), then npm killed (its start must notice and stop).
 * The real command, on free ports and a data directory of its own.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Client } from 'pg';
import { compressPolicy, DEFAULT_POLICY } from '../../domain/policy';
import { figures, sleep, until } from './harness';
import { descendants, envOf, freeStartPorts, isAlive, npmStart, portOpen, stopEveryStart, type NpmStart, type StartPorts } from './npm-start';

jest.setTimeout(240_000);

let dataDir: string;
let ports: StartPorts;
let start: NpmStart | undefined;
let keys: Map<string, string>;
let caseId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wuye-npm-start-'));
  chmodSync(dataDir, 0o755); // Postgres runs as the `postgres` user when we are root
  ports = await freeStartPorts();
});
afterAll(async () => {
  await stopEveryStart();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, staffId: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${ports.PORT}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${keys.get(staffId)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
  return { status: res.status, body: (await res.json()) as any };
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${ports.EMBEDDED_POSTGRES_PORT}/service_centre` });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** What was left of a killed start: processes that were below it and still live, and its ports still open. */
async function leftBehind(pids: number[]): Promise<{ processes: number[]; ports: number[] }> {
  const open = await Promise.all(Object.values(ports).map(async (port) => ((await portOpen(port)) ? port : undefined)));
  return { processes: pids.filter(isAlive), ports: open.filter((p): p is number => p !== undefined) };
}

async function startAndWait(): Promise<NpmStart> {
  const started = npmStart({ env: envOf(dataDir, ports) });
  await started.running;
  return started;
}

describe('npm start, killed', () => {
  it('kill -9 of the worker: it is back within seconds, and the deadline that fell due meanwhile escalates once', async () => {
    start = await startAndWait();
    keys = new Map((JSON.parse(readFileSync(join(dataDir, 'demo-keys.json'), 'utf8')) as { id: string; apiKey: string }[]).map((k) => [k.id, k.apiKey]));
    // 300×: a general repair is accepted within 6 s and fixed within 24 s of dispatch (R2, R4).
    await query("update property set policy = $1 where id = 'P001'", [JSON.stringify(compressPolicy(DEFAULT_POLICY, 300))]);

    const created = await call('POST', '/repairs', 'S-FD1', {
      room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '厨房水管漏水', classification: 'general',
    });
    expect(created.status).toBe(201);
    caseId = created.body.caseId;
    const engineer = await until(async () => (await call('GET', `/repairs/${caseId}`, 'S-SV1')).body.assigneeId as string | undefined, 'assigned');
    expect((await call('POST', `/repairs/${caseId}/accept`, engineer, {})).status).toBe(200);
    expect((await call('POST', `/repairs/${caseId}/arrive`, engineer, {})).status).toBe(200);
    const view = (await call('GET', `/repairs/${caseId}`, 'S-SV1')).body as { deadlines: { rule: string; state: string; dueAt: string }[] };
    const due = view.deadlines.filter((d) => d.state === 'pending').map((d) => ({ ...d, at: Date.parse(d.dueAt) })).sort((a, b) => a.at - b.at)[0];
    expect(due.rule).toBe('R4');

    // Killed half a second before the deadline: it falls due while no worker runs (the first restart waits 1 s).
    const worker = start.workerPid()!;
    await sleep(Math.max(0, due.at - 500 - Date.now()));
    const killedAt = Date.now();
    process.kill(worker, 'SIGKILL');
    const again = await until(async () => {
      const pid = start!.workerPid();
      return pid && pid !== worker && start!.output().includes(`"workerPid":${pid},"deathsInARow":1,"msg":"worker running again"`) ? pid : undefined;
    }, 'the worker running again', 60_000);
    const backAt = Date.now();
    expect(isAlive(worker)).toBe(false);
    expect(start.output()).toContain(`"workerPid":${worker},"code":null,"signal":"SIGKILL","restartInMs":1000`);
    expect(due.at).toBeGreaterThan(killedAt);
    expect(due.at).toBeLessThan(backAt);

    const rows = await until(async () => {
      const found = await query<{ idempotency_key: string; status: string; message_id: string }>(
        "select idempotency_key, status, message_id from notification where case_id = $1 and template = 'escalation'",
        [caseId],
      );
      return found.length > 0 && found.every((r) => r.status === 'sent') ? found : undefined;
    }, 'the escalation sent');
    const escalations = await query<{ n: string }>("select count(*) as n from case_event where case_id = $1 and action = 'escalated'", [caseId]);
    const mails = await Promise.all(
      readdirSync(join(dataDir, 'mail')).map(async (file) => simpleParser(readFileSync(join(dataDir, 'mail', file)))),
    );
    const escalationMails = mails.filter((m) => m.subject?.includes('超时升级') && m.subject.includes(caseId));
    figures('npm start: kill -9 of its worker just before an R4 deadline', {
      breaks: `kill -9 of the worker (pid ${worker}) ${due.at - killedAt} ms before the deadline`,
      checks: 'the worker is started again by npm start; the deadline that fell due meanwhile escalates once',
      'worker back after (ms)': backAt - killedAt,
      'new worker pid': again,
      'escalated audit events': Number(escalations[0].n),
      'escalation notifications': rows.length,
      'escalation mails in .data/mail': escalationMails.length,
    });
    expect(Number(escalations[0].n)).toBe(1);
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(rows.length);
    expect(new Set(escalationMails.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.message_id)));
    expect(escalationMails).toHaveLength(rows.length);
  });

  it('kill -9 of npm start leaves no process and no port behind, the next start finds every case where it was, and killing npm stops its start too', async () => {
    expect(start).toBeDefined();
    const before = (await call('GET', `/repairs/${caseId}`, 'S-SV1')).body;
    const below = descendants(start!.npm.pid!).map((p) => p.pid);
    const startPid = start!.startPid();
    process.kill(startPid, 'SIGKILL');
    const killedAt = Date.now();
    const left = await until(async () => {
      const found = await leftBehind(below);
      return found.processes.length === 0 && found.ports.length === 0 ? found : undefined;
    }, 'nothing of the killed start left', 60_000).catch(() => leftBehind(below));
    const cleanAfter = Date.now() - killedAt;
    expect(left).toEqual({ processes: [], ports: [] });
    await start!.exited;

    start = await startAndWait();
    const after = (await call('GET', `/repairs/${caseId}`, 'S-SV1')).body;
    expect(after.source).toBe('workflow');
    expect({ status: after.status, assigneeId: after.assigneeId, escalated: after.escalated, deadlines: after.deadlines }).toEqual({
      status: before.status, assigneeId: before.assigneeId, escalated: before.escalated, deadlines: before.deadlines,
    });
    // The case goes on: its workflow answers an action.
    expect((await call('POST', `/repairs/${caseId}/complete`, after.assigneeId, { summary: '已修复' })).status).toBe(200);

    // npm itself killed: no signal reaches its start, which notices it was orphaned and stops.
    const belowAgain = descendants(start.npm.pid!).map((p) => p.pid);
    process.kill(start.npm.pid!, 'SIGKILL');
    const npmKilledAt = Date.now();
    const leftAgain = await until(async () => {
      const found = await leftBehind(belowAgain);
      return found.processes.length === 0 && found.ports.length === 0 ? found : undefined;
    }, 'nothing of the orphaned start left', 60_000).catch(() => leftBehind(belowAgain));
    figures('npm start: kill -9 of npm start, then of npm', {
      breaks: `kill -9 of scripts/start.ts (pid ${startPid}, ${below.length} processes below npm); then kill -9 of npm (${belowAgain.length} below it)`,
      checks: 'no process of either start left, no port open; the second start found the case as it was and it went on',
      'all gone after the start was killed (ms)': cleanAfter,
      'all gone after npm was killed (ms)': Date.now() - npmKilledAt,
    });
    expect(leftAgain).toEqual({ processes: [], ports: [] });
    expect(start.output()).toContain('the process that started us is gone; stopping');
  });
});
