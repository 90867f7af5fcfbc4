/** The console's Idempotency-Key per thing sent (console/src/retry-key.ts). */
import { retryKeys } from '../../console/src/retry-key';

describe('the console sends the same thing again with the same Idempotency-Key', () => {
  let n = 0;
  const keys = () => retryKeys(() => `key-${++n}`);

  test('a retry after a failure (lost answer, busy 503, double tap) reuses the key; the body compared as a whole', () => {
    const k = keys();
    const first = k.keyFor({ action: 'accept', body: { note: '收到' } });
    expect(k.keyFor({ action: 'accept', body: { note: '收到' } })).toBe(first);
    expect(k.keyFor({ action: 'accept', body: { note: '收到了' } })).not.toBe(first);
  });

  test('after an answer, the same thing sent again is a new request (a second repair at the same room is a new case)', () => {
    const k = keys();
    const first = k.keyFor({ room: '1-1-401', description: '漏水' });
    k.done();
    expect(k.keyFor({ room: '1-1-401', description: '漏水' })).not.toBe(first);
  });

  test('the default key is a UUID, 8–200 visible characters as the API asks', () => {
    expect(retryKeys().keyFor({})).toMatch(/^[0-9a-f-]{36}$/);
  });
});

test('send: an error answer keeps the key for the repeat, an answer starts a new one', async () => {
  const k = retryKeys(((n) => () => `send-${++n}`)(0));
  const sentWith: string[] = [];
  const failing = (header: { 'Idempotency-Key': string }) => (sentWith.push(header['Idempotency-Key']), Promise.reject(new Error('answer lost')));
  const answering = (header: { 'Idempotency-Key': string }) => (sentWith.push(header['Idempotency-Key']), Promise.resolve('ok'));
  await expect(k.send({ action: 'accept' }, failing)).rejects.toThrow('answer lost');
  await expect(k.send({ action: 'accept' }, answering)).resolves.toBe('ok');
  await k.send({ action: 'accept' }, answering);
  expect(sentWith).toEqual(['send-1', 'send-1', 'send-2']);
});
