/**
 * Activities: what no retry can fix fails at once, typed; everything else retries. Without this a
 * RangeError from domain code (the 2027 calendar) or a row Postgres refuses retried for ever.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../../activities';
import { permanentFailure, withPermanentFailures } from '../../activities/failures';
import { recipientRefused } from '../../activities/notify';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('permanent activity failures', () => {
  test('a RangeError, TypeError or SyntaxError from our code is non-retryable, typed by its name', () => {
    for (const error of [new RangeError('no calendar data for 2027..2028'), new TypeError("Cannot read properties of undefined (reading 'id')"), new SyntaxError('Unexpected token')]) {
      const failure = permanentFailure(error)!;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe(error.name);
      expect(failure.message).toBe(error.message);
    }
  });

  test('a value Postgres cannot hold or a constraint it enforces is non-retryable; the query and its values are left out', () => {
    const tooLong = permanentFailure(pgError('22001', "insert into \"service_case\" (\"channel\") values ('x') - value too long for type character varying(32)"))!;
    expect(tooLong).toMatchObject({ type: 'InvalidData', nonRetryable: true, message: 'value too long for type character varying(32) (SQLSTATE 22001)' });
    expect(permanentFailure(pgError('23503', 'violates foreign key constraint "x_fkey"'))).toMatchObject({ type: 'ConstraintViolation', nonRetryable: true });
    expect(permanentFailure(Object.assign(new Error('null value'), { sqlState: '23502' }))).toMatchObject({ type: 'ConstraintViolation' });
  });

  test('what a retry may fix stays retryable: a lost race, a connection, a missing migration, our own retryable failures', () => {
    expect(permanentFailure(pgError('23505', 'duplicate key value violates unique constraint'))).toBeUndefined();
    expect(permanentFailure(pgError('57P01', 'terminating connection due to administrator command'))).toBeUndefined();
    expect(permanentFailure(pgError('42P01', 'relation "national_calendar_year" does not exist'))).toBeUndefined();
    expect(permanentFailure(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBeUndefined();
    expect(permanentFailure(new Error('Connection terminated unexpectedly'))).toBeUndefined();
    expect(permanentFailure(ApplicationFailure.create({ type: 'Busy', message: 'later', nonRetryable: false }))).toBeUndefined();
    const ours = ApplicationFailure.create({ type: 'UnknownProperty', message: 'no property X', nonRetryable: true });
    expect(permanentFailure(ours)).toBe(ours);
  });

  test('the wrapper keeps results and retryable errors, and turns permanent ones', async () => {
    const wrapped = withPermanentFailures({
      ok: async (n: number) => n + 1,
      flaky: async () => {
        throw new Error('ECONNRESET');
      },
      broken: async () => {
        throw new RangeError('bad date');
      },
    });
    await expect(wrapped.ok(1)).resolves.toBe(2);
    await expect(wrapped.flaky()).rejects.toThrow('ECONNRESET');
    await expect(wrapped.broken()).rejects.toMatchObject({ type: 'RangeError', nonRetryable: true });
    expect(wrapped.broken.name).toBe('broken');
  });

  test('every activity the worker registers goes through it', async () => {
    // Dependencies that throw a RangeError at first touch: an activity that is not wrapped rejects
    // with that raw RangeError (or a TypeError), a wrapped one with a non-retryable ApplicationFailure.
    const explode = (): never => {
      throw new RangeError('dependency touched');
    };
    const trap = new Proxy({}, { get: explode, apply: explode });
    const deps = { orm: trap, mailer: trap, config: { MAIL_FROM: 'x <x@example.com>', PUBLIC_BASE_URL: 'http://x', TEMPORAL_UI_URL: undefined, TEMPORAL_NAMESPACE: 'default' }, clock: explode } as unknown as ActivityDeps;
    const activities = createActivities(deps);
    const names = Object.keys(activities);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const outcome = await (activities as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]({}, {}).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      if (outcome === 'resolved') continue; // nothing of the trap was needed for empty input
      expect([name, outcome instanceof ApplicationFailure]).toEqual([name, true]);
    }
  });
});

describe('mail the server refuses for good', () => {
  test('a recipient refused with a 5xx is not retried; a server down, a 4xx or a failed login is', () => {
    expect(recipientRefused(Object.assign(new Error("Can't send mail - all recipients were rejected"), { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }))).toBe(true);
    expect(recipientRefused(Object.assign(new Error('550 no such user'), { code: 'EMESSAGE', responseCode: 550, command: 'RCPT TO' }))).toBe(true);
    expect(recipientRefused(Object.assign(new Error('451 try later'), { responseCode: 451, command: 'RCPT TO' }))).toBe(false);
    expect(recipientRefused(Object.assign(new Error('535 auth failed'), { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }))).toBe(false);
    expect(recipientRefused(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toBe(false);
  });
});
