/**
 * Operating the API and the worker: Prometheus metrics of both (the API's on a port of its own), one
 * log line per request with the acting staff member and nothing personal, and the per-key rate limit.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import request from 'supertest';
import { buildApp } from '../../api/app';
import { startApi } from '../../api/server';
import type { Config } from '../../config';
import { createMailer, createWorker } from '../../worker';
import { as } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

const intake = { room: '2-1-101', contactName: '赵女士', contactPhone: '13700137000', channel: 'phone', description: '门锁坏了', classification: 'general', tags: [] };

describe('operability', () => {
  it('GET /metrics, on a port of its own and not beside the API, counts requests by route template and status, with durations', async () => {
    const api = await startApi({ config: stack.config, orm: stack.orm, temporal: stack.client, logger: pino({ level: 'silent' }), port: 0, metricsPort: 0, host: '127.0.0.1' });
    try {
      const bearer = { Authorization: `Bearer ${stack.keyOf('S-SV1')}` };
      expect((await fetch(`${api.url}/api/v1/repairs`, { headers: bearer })).status).toBe(200);
      expect((await fetch(`${api.url}/api/v1/repairs/R20991231-0001`, { headers: bearer })).status).toBe(404);
      expect((await fetch(`${api.url}/api/v1/repairs/R20991231-0001`)).status).toBe(401);
      expect((await fetch(`${api.url}/nowhere/42`)).status).toBe(404);
      const res = await fetch(api.metricsUrl!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/repairs",status="200"\} 1/);
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/repairs\/:caseId",status="404"\} 1/);
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/repairs\/:caseId",status="401"\} 1/);
      expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
      expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.5",method="GET",route="\/api\/v1\/repairs",status="200"\} 1/);
      expect(text).not.toContain('R20991231-0001');
      expect(text).toContain('process_cpu_seconds_total');
      // Not on the API's port, where staff and residents reach it; nothing but /metrics on its own.
      expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
      expect((await fetch(api.metricsUrl!.replace(/\/metrics$/, '/api/v1/repairs'), { headers: bearer })).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it('every request line names the acting staff member, and never a key, a body or personal data', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l))), done()) });
    const app = buildApp({ orm: stack.orm, temporal: stack.client, config: stack.config, logger: pino({ level: 'info' }, sink) });
    const created = await request(app).post('/api/v1/repairs').set(as(stack, 'S-FD1')).set('X-Request-Id', 'trace-op-1').send(intake).expect(201);
    expect(created.body.caseId).toBeDefined();
    await request(app).get('/api/v1/repairs?status=received').set(as(stack, 'S-BT1')).expect(200);
    await request(app).post('/api/v1/repairs').set(as(stack, 'S-FD1')).send({ ...intake, room: '' }).expect(400);
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed.map((l) => [(l.req as { id: string }).id === 'trace-op-1' || undefined, l.staffId, (l.res as { statusCode: number }).statusCode].filter((x) => x !== undefined))).toEqual([
      [true, 'S-FD1', 201],
      ['S-BT1', 200],
      ['S-FD1', 400],
    ]);
    const text = JSON.stringify(lines);
    for (const secret of [stack.keyOf('S-FD1'), stack.keyOf('S-BT1'), '赵女士', '13700137000', '门锁坏了', 'authorization']) expect(text).not.toContain(secret);
  });

  it('a key over its rate gets 429 problem+json with Retry-After; other keys are not held back', async () => {
    const app = buildApp({ orm: stack.orm, temporal: stack.client, config: { ...stack.config, RATE_LIMIT_PER_SECOND: 0.5, RATE_LIMIT_BURST: 3 }, logger: pino({ level: 'silent' }) });
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/repairs').set(as(stack, 'S-CC1')).expect(200);
    const limited = await request(app).get('/api/v1/repairs').set(as(stack, 'S-CC1')).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.body).toMatchObject({ status: 429, title: 'Too many requests' });
    await request(app).get('/api/v1/repairs').set(as(stack, 'S-SV1')).expect(200);
    const doc = await request(app).get('/openapi.json').expect(200);
    expect(doc.body.paths['/api/v1/repairs'].get.responses['429']).toBeDefined();
  });

  it('the worker keeps WORKER_MAX_CACHED_WORKFLOWS open cases in memory when it is set; unset, the SDK sizes its cache from the heap', async () => {
    const connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS! });
    const mailer = createMailer(stack.config.SMTP_URL!);
    const cacheOf = async (config: Config) => {
      const worker = await createWorker({ connection, orm: stack.orm, mailer, config }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } });
      const running = worker.run();
      worker.shutdown();
      await running;
      return worker.options.maxCachedWorkflows;
    };
    try {
      expect(await cacheOf({ ...stack.config, TEMPORAL_TASK_QUEUE: 'cache-sized', WORKER_MAX_CACHED_WORKFLOWS: 12_345 })).toBe(12_345);
      const byHeap = await cacheOf({ ...stack.config, TEMPORAL_TASK_QUEUE: 'cache-by-heap', WORKER_MAX_CACHED_WORKFLOWS: undefined });
      expect(byHeap).not.toBe(12_345);
      expect(byHeap).toBeGreaterThanOrEqual(10);
    } finally {
      mailer.close();
      await connection.close();
    }
  });

  it('the worker process serves the Temporal runtime metrics for Prometheus at WORKER_METRICS_PORT', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const root = join(__dirname, '../..');
    const env = Object.fromEntries(Object.entries(stack.config).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    // The test stack's addresses are on loopback: a production start would refuse them.
    const worker = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'worker.ts')], { env: { ...process.env, ...env, WORKER_METRICS_PORT: String(port), ALLOW_DEMO_SETTINGS: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    worker.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const metrics = await eventually(
        async () => {
          if (worker.exitCode !== null) throw new Error(`worker exited ${worker.exitCode}: ${stderr}`);
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return /temporal_\w*(poll|slots)/.test(text) ? text : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'worker metrics' },
      );
      expect(metrics).toMatch(/^# (HELP|TYPE) temporal_/m);
      expect(metrics).toContain(`task_queue="${stack.config.TEMPORAL_TASK_QUEUE}"`);
    } finally {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
  });
});
