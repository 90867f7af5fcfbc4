/** The pure parts of fault handling: which errors mean "a dependency is down", and a notification's stable Message-ID. */
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { messageIdFor } from '../../activities/notify';
import { dependencyUnavailable } from '../../api/problem';

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

  test('Temporal too slow: an update (a new case opening, a staff action) not done within the call deadline', () => {
    const deadline = Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 });
    const error = new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout or cancellation waiting for update', { cause: deadline });
    expect(dependencyUnavailable(error)).toBe('temporal');
  });

  test.each([
    ['a unique violation', new UniqueConstraintViolationException(Object.assign(new Error('duplicate key'), { code: '23505' }))],
    ['a plain bug', new TypeError('undefined is not a function')],
    ['not an error', 'oops'],
    ['nothing', undefined],
  ])('not a dependency outage: %s', (_what, error) => {
    expect(dependencyUnavailable(error)).toBeUndefined();
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
