/** The pure parts of fault handling: which errors mean "a dependency is down", and a notification's stable Message-ID. */
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { messageIdFor } from '../../activities/notify';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { dependencyUnavailable, problemHandler, RETRY_AFTER_SECONDS, workflowTooSlow } from '../../api/problem';

const driverError = (fields: Record<string, unknown>, message = 'boom') => new DriverException(Object.assign(new Error(message), fields));

describe('dependencyUnavailable', () => {
  test.each([
    ['connection refused', driverError({ code: 'ECONNREFUSED' })],
    ['Postgres shutting down (57P01)', driverError({ code: '57P01' })],
    ['connection failure class 08', Object.assign(new Error('x'), { sqlState: '08006' })],
    ['pool timeout', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
    ['connection terminated', driverError({}, 'Connection terminated unexpectedly')],
    ['wrapped in a cause', new Error('outer', { cause: driverError({ code: 'ECONNRESET' }) })],
  ])('the database: %s', (_what, error) => {
    expect(dependencyUnavailable(error)).toBe('database');
  });

  test('Temporal unreachable: gRPC UNAVAILABLE', () => {
    const error = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { name: 'ServiceError', cause: { code: 14 } });
    expect(dependencyUnavailable(error)).toBe('temporal');
  });

  test('Temporal too slow is not Temporal down: an update (a new case opening, a staff action) not done within the call deadline', () => {
    const deadline = Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 });
    const error = new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout or cancellation waiting for update', { cause: deadline });
    expect(workflowTooSlow(error)).toBe(true);
    expect(workflowTooSlow(new Error('outer', { cause: error }))).toBe(true);
    expect(dependencyUnavailable(error)).toBeUndefined();
  });

  test.each([
    ['a unique violation', new UniqueConstraintViolationException(Object.assign(new Error('duplicate key'), { code: '23505' }))],
    ['a plain bug', new TypeError('undefined is not a function')],
    ['not an error', 'oops'],
    ['nothing', undefined],
  ])('not a dependency outage: %s', (_what, error) => {
    expect(dependencyUnavailable(error)).toBeUndefined();
    expect(workflowTooSlow(error)).toBe(false);
  });
});

describe('the answer to an update the workflow service was too slow to finish', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.post('/slow', () => {
      throw new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout or cancellation waiting for update', { cause: Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }) });
    });
    app.use(problemHandler);
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test.each([
    ['zh-CN', '系统繁忙', /刷新查看.*同一幂等键.*不会重复执行/],
    ['en', 'Overloaded', /busy.*look again.*same Idempotency-Key \(a new case or an action\) is never done twice/],
  ])('in %s: busy, may still take effect, look before repeating, safe to send again with its key — not "unreachable"', async (language, title, detail) => {
    const res = await fetch(`${url}/slow`, { method: 'POST', headers: { 'accept-language': language } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
    const body = (await res.json()) as { type: string; title: string; detail: string };
    expect(body.type).toMatch(/\/overloaded$/);
    expect(body.title).toBe(title);
    expect(body.detail).toMatch(detail);
    expect(body.detail).not.toMatch(/无法连接|unreachable/);
  });
});

describe('messageIdFor', () => {
  test('the same notification always gets the same Message-ID, in the sender’s domain', () => {
    const key = 'repair-R20261123-0001:escalate:repair:1.1:S-SV1';
    const id = messageIdFor(key, '物业客服中心 <service-centre@wuye.example>');
    expect(id).toMatch(/^<[0-9a-f]{40}@wuye\.example>$/);
    expect(messageIdFor(key, '物业客服中心 <service-centre@wuye.example>')).toBe(id);
    expect(messageIdFor(`${key}x`, '物业客服中心 <service-centre@wuye.example>')).not.toBe(id);
    expect(messageIdFor(key, 'noreply')).toMatch(/@service-centre\.invalid>$/);
  });
});
