/**
 * Fault 6 — an intake burst beyond what the API opens at once (API_MAX_OPENINGS=1, a 100 ms wait):
 * the creates past their wait are answered 503 + Retry-After having recorded nothing — no case row,
 * no case number taken — and each, sent again with its Idempotency-Key, opens its case once. The
 * case numbers of the whole burst run without a gap, so a refused create burnt none.
 */
import { figures, sleep, startFaultStack, type ApiAnswer, type FaultStack } from './harness';

jest.setTimeout(600_000);

const BURST = 24;
let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ apiEnv: { API_MAX_OPENINGS: '1', API_OPENING_WAIT_MS: '100' } });
  await stack.usePolicy(1);
});
afterAll(async () => stack?.close());

const create = (i: number): Promise<ApiAnswer> =>
  stack.call(
    'POST',
    '/repairs',
    'S-FD1',
    { room: `3-2-${(2 + (i % 4)) * 100 + 1}`, contactName: '张先生', contactPhone: '13700137000', channel: 'phone', description: `台风夜 ${i}`, classification: 'general' },
    { 'Idempotency-Key': `typhoon-${i}`, 'Accept-Language': 'en' },
  );

const caseCount = async () => Number((await stack.orm.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from service_case where id like 'R%'`))[0].n);

describe('fault: case admission', () => {
  it('case admission: creates past their wait are 503 + Retry-After with nothing recorded, and each retried with its key opens its case once, numbers without a gap', async () => {
    const first = await Promise.all(Array.from({ length: BURST }, (_, i) => create(i)));
    const opened = first.filter((a) => a.status === 201);
    const refused = first.map((a, i) => ({ a, i })).filter(({ a }) => a.status === 503);
    expect(opened.length + refused.length).toBe(BURST);
    expect(refused.length).toBeGreaterThan(0);
    for (const { a } of refused) {
      expect(a.headers.get('retry-after')).toBe('5');
      expect(a.body.title).toBe('Too many cases being opened');
    }
    // Nothing of the refused ones was recorded: the case rows are exactly the 201s'.
    expect(await caseCount()).toBe(opened.length);

    // The front desk sends each again with its key, one at a time.
    await sleep(500);
    const retried: ApiAnswer[] = [];
    for (const { i } of refused) retried.push(await create(i));
    expect(retried.map((a) => a.status)).toEqual(refused.map(() => 201));
    // An answered create sent again finds its case rather than opening a second.
    const again = await create(refused[0].i);
    expect(again.status).toBe(201);
    expect(again.body.caseId).toBe(retried[0].body.caseId);

    const ids = [...opened, ...retried].map((a) => a.body.caseId as string);
    expect(new Set(ids).size).toBe(BURST);
    expect(await caseCount()).toBe(BURST);
    const numbers = ids.map((id) => Number(id.split('-').pop())).sort((x, y) => x - y);
    expect(numbers[numbers.length - 1] - numbers[0] + 1).toBe(BURST);
    figures('case admission', { burst: BURST, 'opened at once': opened.length, 'refused (503)': refused.length, 'opened on retry': retried.length, 'case numbers': `${numbers[0]}–${numbers[numbers.length - 1]}` });
  });
});
