/**
 * logging.ts: what the processes log never holds a credential — an API key, a survey link's token,
 * a bearer header, a password in a URL — nor a database error's message (MikroORM quotes the row in
 * it), whether the API, an activity, or the Temporal SDK wrote the line.
 */
import { Writable } from 'node:stream';
import { DriverException } from '@mikro-orm/core';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, loggableError, scrub, sdkLogger } from '../../logging';

const token = 'Xo3kq_9ZpD-2fW8mYcV1bN4sR7tL0aHjEeUuIiOoPp0';
const apiKey = 'wy_3fJ9kLmN0pQrStUvWxYz12345678abcdEF';

function capture(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink as never), lines };
}

describe('scrub', () => {
  it('replaces survey tokens in links, API keys, bearer credentials and URL passwords, and leaves the rest', () => {
    expect(scrub(`GET /s/${token}?lang=en`)).toBe('GET /s/[redacted]?lang=en');
    expect(scrub(`mail with http://localhost:3000/s/${token} in it`)).toBe('mail with http://localhost:3000/s/[redacted] in it');
    // The resident's case link and a staff member's password link (docs/console.md).
    expect(scrub(`GET /c/${token}?lang=en`)).toBe('GET /c/[redacted]?lang=en');
    expect(scrub(`http://localhost:3000/console/set-password#${token}`)).toBe('http://localhost:3000/console/set-password#[redacted]');
    expect(scrub(`key ${apiKey} refused`)).toBe('key wy_[redacted] refused');
    expect(scrub(`Authorization: Bearer ${apiKey}`)).toBe('Authorization: Bearer [redacted]');
    expect(scrub('postgres://service_centre:s3cr3t@postgres:5432/service_centre')).toBe('postgres://[redacted]@postgres:5432/service_centre');
    expect(scrub('smtps://mailer:p%40ss@smtp.example.com:465')).toBe('smtps://[redacted]@smtp.example.com:465');
    const ordinary = 'repair R20261123-0007 dispatched to S-EN1 at /api/v1/repairs/R20261123-0007 (http://localhost:8233)';
    expect(scrub(ordinary)).toBe(ordinary);
  });
});

describe('createLogger', () => {
  it('writes JSON lines with every credential scrubbed, wherever in the line it is', () => {
    const { logger, lines } = capture();
    logger.info({ req: { url: `/s/${token}` }, apiKey, note: `issued ${apiKey}` }, `answered /s/${token}`);
    logger.warn({ databaseUrl: 'postgres://app:hunter2@db:5432/app' }, 'connecting');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const text = lines.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(lines[0])).toMatchObject({ level: 30, msg: 'answered /s/[redacted]', apiKey: '[redacted]', req: { url: '/s/[redacted]' } });
  });
});

describe('the Temporal SDK through pino', () => {
  /** What MikroORM throws when a statement fails: the query with its parameters inlined, then the driver's message. */
  const rowQuotingError = () => {
    const driver = Object.assign(new Error(`insert into "household_contact" ("name", "phone") values ('王先生', '13800138000') - duplicate key value violates unique constraint`), {
      code: '23505',
      sqlState: '23505',
      detail: 'Key (phone)=(13800138000) already exists.',
    });
    return new DriverException(driver);
  };

  it("a failed activity's database error is logged by its kind, code and frames, never its message or detail", () => {
    const { logger, lines } = capture();
    sdkLogger(logger).warn('Activity failed', { sdkComponent: 'worker', activityType: 'saveHousehold', attempt: 3, error: rowQuotingError() });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ level: 40, msg: 'Activity failed', activityType: 'saveHousehold', attempt: 3, error: { type: 'DriverException', code: '23505', sqlState: '23505' } });
    expect(line.error.message).toBeUndefined();
    expect(lines[0]).not.toMatch(/13800138000|王先生/);
    expect(line.error.stack).toMatch(/^\s+at /);
  });

  it('other failures keep their message and type, scrubbed, with their causes', () => {
    const failure = ApplicationFailure.create({ type: 'NotFound', message: `no survey for /s/${token}`, nonRetryable: true, cause: new Error(`bad key ${apiKey}`) });
    expect(loggableError(failure)).toMatchObject({ type: 'ApplicationFailure', failureType: 'NotFound', message: 'no survey for /s/[redacted]', cause: { type: 'Error', message: 'bad key wy_[redacted]' } });
  });

  it("the SDK's own chatter below a warning is kept for LOG_LEVEL=debug; our workflows' and activities' info lines are not", () => {
    const info = capture('info');
    const sdk = sdkLogger(info.logger);
    sdk.info('Workflow bundle created', { sdkComponent: 'worker', size: '1.2MB' });
    sdk.debug('Activity completed', { sdkComponent: 'worker' });
    sdk.info('rain before the repair was done does not count (R9)', { sdkComponent: 'workflow', workflowId: 'return-visit-1' });
    sdk.log('ERROR', 'Failed to poll', { sdkComponent: 'core' });
    expect(info.lines.map((l) => JSON.parse(l).msg)).toEqual(['rain before the repair was done does not count (R9)', 'Failed to poll']);

    const debug = capture('debug');
    sdkLogger(debug.logger).info('Workflow bundle created', { sdkComponent: 'worker' });
    expect(debug.lines.map((l) => JSON.parse(l).msg)).toEqual(['Workflow bundle created']);
  });
});
