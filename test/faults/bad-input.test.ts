/**
 * Bad input and access: requests of every kind the API rejects — no key, a wrong key, the wrong
 * role, another area's case, invalid and malformed bodies, too large a body, an unknown room or
 * case, an action the case does not allow, a reused Idempotency-Key — leave no trace but a log
 * line: no case row, no case event, no notification, no mail, no workflow (text that cannot be stored
 * as sent — a lone UTF-16 surrogate — among them). And no secret (API keys, the database URL and its
 * password, the SMTP URL) appears in any log line or answer.
 */
import { Case, CaseEvent, IdempotentRequest, Notification } from '../../db/entities';
import { figures, startFaultStack, until, type ApiAnswer, type FaultStack } from './harness';

jest.setTimeout(300_000);

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
  await stack.usePolicy(1); // the documents' durations: nothing falls due while the test runs
});
afterAll(async () => stack?.close());

const repair = { room: '3-1-502', contactName: '李女士', contactPhone: '13900139000', channel: 'wechat', description: '客厅漏电跳闸', classification: 'general' };

async function traces() {
  const em = stack.orm.em.fork();
  let workflows = 0;
  for await (const _ of stack.client.workflow.list()) workflows++;
  return {
    cases: await em.count(Case, {}),
    events: await em.count(CaseEvent, {}),
    notifications: await em.count(Notification, {}),
    idempotencyRecords: await em.count(IdempotentRequest, {}),
    mails: stack.smtp.mails.length,
    workflows,
  };
}

async function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<ApiAnswer> {
  const res = await fetch(`${stack.api.url}${path}`, { method, headers, body });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('bad input and access', () => {
  it('every rejected request leaves no case, event, notification, mail or workflow; no secret is logged or returned', async () => {
    // One legitimate case (in area A2, building 3) to aim actions at; its mails settle first.
    const made = await stack.call('POST', '/repairs', 'S-FD1', repair, { 'Idempotency-Key': 'bad-input-0001' });
    expect(made.status).toBe(201);
    const caseId = made.body.caseId as string;
    await until(async () => (await stack.orm.em.fork().count(Notification, { caseId, status: 'sent' })) >= 2 && stack.smtp.mails.length >= 2, 'intake mails');
    const before = await until(async () => {
      const t = await traces();
      return t.workflows === 1 ? t : undefined;
    }, 'the case visible in Temporal');

    const key = stack.keyOf('S-FD1');
    const rejected: [string, number, Promise<ApiAnswer>][] = [
      ['no key', 401, stack.call('POST', '/repairs', null, repair)],
      ['unknown key', 401, stack.call('POST', '/repairs', null, repair, { Authorization: 'Bearer wy_not-a-real-key-at-all-000000000000' })],
      ['malformed Authorization', 401, stack.call('POST', '/repairs', null, repair, { Authorization: `Basic ${key}` })],
      ['wrong role (engineer reports a repair)', 403, stack.call('POST', '/repairs', 'S-EN1', repair)],
      ['wrong role (butler adds staff)', 403, stack.call('POST', '/staff', 'S-BT1', { id: 'S-X1', name: 'x', email: 'x@example.com', roles: ['manager'], areaIds: [] })],
      ["another area's case (butler of A1, case in A2)", 404, stack.call('POST', `/repairs/${caseId}/markInvalid`, 'S-BT1', { reason: '越权' })],
      ['missing fields', 400, stack.call('POST', '/repairs', 'S-FD1', { room: '3-1-502' })],
      ['wrong types and unknown enum', 400, stack.call('POST', '/repairs', 'S-FD1', { ...repair, classification: 'whenever', contactPhone: 13900139000 })],
      ['malformed JSON', 400, stack.call('POST', '/repairs', 'S-FD1', '{"room": "3-1-502",')],
      ['body over the limit', 413, stack.call('POST', '/repairs', 'S-FD1', { ...repair, description: 'x'.repeat(100_000) })],
      ['unknown room', 422, stack.call('POST', '/repairs', 'S-FD1', { ...repair, room: '9-9-999' })],
      ['bad Idempotency-Key', 400, stack.call('POST', '/repairs', 'S-FD1', repair, { 'Idempotency-Key': 'x' })],
      ['reused Idempotency-Key, other body', 422, stack.call('POST', '/repairs', 'S-FD1', { ...repair, description: '另一件事' }, { 'Idempotency-Key': 'bad-input-0001' })],
      ['unknown case', 404, stack.call('POST', '/repairs/R20990101-0001/accept', 'S-EN1', {})],
      ['action the case does not allow now', 409, stack.call('POST', `/repairs/${caseId}/signOff`, 'S-FD1', { accepted: true })],
      ['invalid action payload', 400, stack.call('POST', `/repairs/${caseId}/markInvalid`, 'S-BT2', { reason: 42 })],
      ['unknown route', 404, stack.call('POST', '/repairz', 'S-FD1', repair)],
      ['bad complaint', 400, stack.call('POST', '/complaints', 'S-FD1', { kind: 'customer', room: '3-1-502' })],
      [
        'a lone UTF-16 surrogate in a text field',
        400,
        raw('POST', '/api/v1/repairs', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, JSON.stringify(repair).replace('"李女士"', '"\\ud800"')),
      ],
      ['not JSON at all', 400, raw('POST', '/api/v1/repairs', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, '\u0000\u0001garbage')],
    ];
    const answers = await Promise.all(rejected.map(async ([what, expected, answer]) => ({ what, expected, answer: await answer })));
    const after = await traces();

    // Secrets: every key, the database URL (and its password), the SMTP URL.
    const dbUrl = new URL(stack.config.DATABASE_URL!);
    const secrets = [...stack.seed.staff.map((s) => s.apiKey), stack.config.DATABASE_URL!, `:${dbUrl.password}@`, stack.config.SMTP_URL!];
    const readyz = await raw('GET', '/readyz', {});
    const openapi = await raw('GET', '/openapi.json', {});
    const metrics = await fetch(stack.api.metricsUrl!).then(async (res) => ({ body: await res.text() }));
    const exposed = [...stack.apiLog, ...answers.map((a) => JSON.stringify(a.answer.body)), readyz.body, openapi.body, metrics.body, JSON.stringify(made.body)].join('\n');
    const leaked = secrets.filter((s) => exposed.includes(s));
    const logLinesForRejected = stack.apiLog.filter((line) => /"statusCode":4\d\d/.test(line)).length;

    figures('bad input and access', {
      breaks: `${answers.length} rejected requests of every kind`,
      checks: 'each answered with its problem+json status; no row, event, notification, mail or workflow; no secret in logs or answers',
      answers: Object.fromEntries(answers.map((a) => [a.what, a.answer.status])),
      'traces before': before,
      'traces after': after,
      'log lines of rejected requests': logLinesForRejected,
      'secrets checked / found in logs or answers': `${secrets.length} / ${leaked.length}`,
    });
    for (const a of answers) {
      expect({ what: a.what, status: a.answer.status }).toEqual({ what: a.what, status: a.expected });
      expect(a.answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(after).toEqual(before);
    expect(logLinesForRejected).toBeGreaterThanOrEqual(answers.length);
    expect(leaked).toEqual([]);
  });
});
