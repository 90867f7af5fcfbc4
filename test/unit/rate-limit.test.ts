import { TokenBuckets } from '../../api/rate-limit';

describe('the token bucket of an API key', () => {
  it('allows a burst, then one request per refill interval, and says how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => buckets.take('k').allowed)).toEqual([true, true, true]);
    expect(buckets.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500; // half a second earns one token at 2/s
    expect(buckets.take('k').allowed).toBe(true);
    expect(buckets.take('k').allowed).toBe(false);
    now += 60_000; // a long pause refills to the burst, not beyond
    expect([1, 2, 3, 4].map(() => buckets.take('k').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1, now: () => 0 });
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('rounds the wait up to whole seconds for a slow rate', () => {
    const buckets = new TokenBuckets({ perSecond: 0.1, burst: 1, now: () => 0 });
    buckets.take('k');
    expect(buckets.take('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('says how long until a key could spend, without spending (the per-address limit of bad keys checks before it counts)', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 0.5, burst: 2, now: () => now });
    expect(buckets.wait('a')).toBe(0);
    buckets.take('a');
    expect(buckets.wait('a')).toBe(0);
    buckets.take('a');
    expect(buckets.wait('a')).toBe(2);
    expect(buckets.wait('a')).toBe(2);
    now += 2000;
    expect(buckets.wait('a')).toBe(0);
  });
});
