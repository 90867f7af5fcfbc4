/**
 * No credential in any log line of a whole run: the API logs through logging.ts at debug into this
 * test, the worker runs as its own process (worker.ts, as deployed) at LOG_LEVEL=debug, and the test
 * walks a month's survey — invitation mails with personal links, a resident opening and answering
 * one, a forged link — and staff administration — a key issued, used, forged, revoked, a refused
 * grant — and a repair, whose household opens its case link. Then no line of either process holds an
 * API key, a survey token or a case link's token, and every
 * line the worker wrote is pino JSON at the level asked for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { Express } from 'express';
import { buildApp } from '../../api/app';
import { Case, SurveyInvitation } from '../../db/entities';
import { DEFAULT_POLICY } from '../../domain/policy';
import { createLogger } from '../../logging';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');

let stack: TestStack;
let app: Express;
let worker: ChildProcess;
const apiLines: string[] = [];
const workerOut: string[] = [];
const workerErr: string[] = [];

function lines(into: string[]): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop() ?? '';
    into.push(...parts.filter((line) => line.trim() !== ''));
  };
}

beforeAll(async () => {
  stack = await startTestStack({ policy: DEFAULT_POLICY });
  // The real worker process on a queue of its own; the stack's in-process worker polls another and stays idle.
  const taskQueue = `logs-${randomBytes(4).toString('hex')}`;
  const config = { ...stack.config, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'debug' as const };
  worker = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: config.DATABASE_URL,
      SMTP_URL: config.SMTP_URL,
      LOG_LEVEL: 'debug',
      WORKER_METRICS_PORT: '0',
      WORKER_HEALTH_PORT: '0',
      // The production entrypoint on this machine's test SMTP and addresses: a demo, said so.
      ALLOW_DEMO_SETTINGS: 'true',
      ...TEST_PAYLOAD_KEYS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', lines(workerOut));
  worker.stderr!.on('data', lines(workerErr));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      apiLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  app = buildApp({ orm: stack.orm, temporal: stack.client, config, logger: createLogger('debug', sink as never) });
  await eventually(async () => {
    if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}: ${workerErr.join('\n')}`);
    return workerOut.some((line) => /"state":"RUNNING"/.test(line));
  }, { timeoutMs: 180_000, intervalMs: 250, what: 'the worker polling' });
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await stack?.close();
});

const as = (staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}` });

describe('logs of a whole run', () => {
  it('no API key, survey token or payload key appears in any line the API or the worker logged; the worker logs pino JSON at LOG_LEVEL', async () => {
    // Staff administration: a key issued, used, forged, revoked; a grant the manager may not make.
    await request(app).post('/api/v1/staff').set(as('S-MG1')).send({ id: 'S-FD9', name: '前台 九', email: 's-fd9@demo.wuye.local', roles: ['frontdesk'], areaIds: [] }).expect(201);
    const issued = (await request(app).post('/api/v1/staff/S-FD9/keys').set(as('S-MG1')).expect(201)).body.apiKey as string;
    const repair = await request(app)
      .post('/api/v1/repairs')
      .set({ Authorization: `Bearer ${issued}` })
      .send({ room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '厨房水管漏水', classification: 'general' })
      .expect(201);
    await request(app).get('/api/v1/repairs').set({ Authorization: `Bearer ${issued}x` }).expect(401);
    await request(app).delete('/api/v1/staff/S-FD9/keys').set(as('S-MG1')).expect(204);
    await request(app).get('/api/v1/repairs').set({ Authorization: `Bearer ${issued}` }).expect(401);
    await request(app).post('/api/v1/staff/S-HR1/keys').set(as('S-MG1')).expect(403);

    // A month's survey: every chosen household gets a mail with its personal link.
    const run = await request(app).post('/api/v1/survey-runs').set(as('S-SV1')).send({ month: '2026-07' }).expect(202);
    await stack.client.workflow.getHandle<typeof surveyMonthlyRun>(run.body.workflowId).result();
    const invitations = await eventually(
      async () => {
        const rows = await stack.orm.em.fork().find(SurveyInvitation, { month: '2026-07' });
        return rows.length > 0 && rows.every((r) => r.status !== 'chosen') && rows;
      },
      { timeoutMs: 120_000, what: 'the invitations mailed' },
    );
    const tokens = await eventually(
      async () => {
        const found = stack.mails.flatMap((m) => [...m.text.matchAll(/\/s\/([A-Za-z0-9_-]{43})\b/g)].map((match) => match[1]));
        return found.length >= invitations.length && [...new Set(found)];
      },
      { what: 'a link in every invitation' },
    );

    // A resident opens a link and answers with a complaint (S6 opens a case); a forged link is refused.
    const path = `/s/${tokens[0]}`;
    await request(app).get(path).expect(200);
    await request(app).post(path).type('form').send({ score: '1', complaint: '电梯经常停运' }).expect(200);
    await request(app).get(`/s/${'A'.repeat(43)}`).expect(404);
    await eventually(async () => (await stack.orm.em.fork().count(Case, { kind: 'complaint' })) > 0, { what: 'the S6 complaint opened' });
    await eventually(async () => (await stack.orm.em.fork().count(Case, { id: repair.body.caseId, assigneeId: { $ne: null } })) > 0, { what: 'the repair dispatched' });

    // The repair's household was mailed its case link (docs/console.md); the resident opens it.
    const caseTokens = await eventually(
      async () => {
        const found = stack.mails.flatMap((m) => [...m.text.matchAll(/\/c\/([A-Za-z0-9_-]{43})\b/g)].map((match) => match[1]));
        return found.length > 0 && [...new Set(found)];
      },
      { what: 'a case link in the household mail' },
    );
    await request(app).get(`/c/${caseTokens[0]}`).expect(200);

    const payloadKeys = Object.values(TEST_PAYLOAD_KEYS).map((pair) => pair.split(':')[1]);
    const secrets = [...stack.seed.staff.map((s) => s.apiKey), issued, ...tokens, ...caseTokens, ...payloadKeys];
    const logged = [...apiLines, ...workerOut, ...workerErr];
    const leaks = logged.filter((line) => secrets.some((secret) => line.includes(secret)));
    const workerJson = workerOut.map((line) => {
      try {
        return JSON.parse(line) as { level?: number; msg?: string };
      } catch {
        return undefined;
      }
    });
    process.stdout.write(
      `\n[logs] API ${apiLines.length} lines, worker ${workerOut.length} (+${workerErr.length} on stderr); ${secrets.length} secrets (${tokens.length} survey tokens); leaking lines: ${leaks.length}\n`,
    );

    expect(tokens.length).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
    // The walk was logged: the survey page's requests with the token replaced, and the worker's activities at debug.
    expect(apiLines.filter((line) => line.includes('"url":"/s/[redacted]"')).length).toBeGreaterThanOrEqual(3);
    expect(apiLines.filter((line) => line.includes('"url":"/c/[redacted]"')).length).toBeGreaterThanOrEqual(1);
    expect(workerOut.filter((line) => line.includes('sendSurveyLink') || line.includes('Activity completed')).length).toBeGreaterThan(0);
    expect(workerJson.filter((line) => line === undefined || typeof line.level !== 'number')).toEqual([]);
    expect(workerJson.some((line) => line?.level === 20)).toBe(true);
  });
});
