/**
 * A token bucket per API key, in this process's memory: each key may spend `burst` requests at
 * once and earns `perSecond` back. Over it, 429 with Retry-After. Several API replicas each keep
 * their own buckets, so the limit a key sees is per replica.
 */
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Spends one token of `key`; when there is none, how many seconds until there is. */
  take(key: string): { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const { perSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.forgetFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }

  /** A bucket that has refilled is the same as no bucket: forget it, so memory follows the active keys. */
  private forgetFull(now: number): void {
    const refillMs = (this.options.burst / this.options.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= refillMs) this.buckets.delete(key);
  }
}

/** After authentication: limits the acting staff member's key. */
export function rateLimitPerKey(options: RateLimitOptions): RequestHandler {
  const buckets = new TokenBuckets(options);
  return (req, res, next) => {
    const result = buckets.take(req.staff!.id);
    if (result.allowed) {
      res.setHeader('RateLimit-Remaining', String(result.remaining));
      return next();
    }
    next(
      new HttpProblem(429, 'Too many requests', `this API key is limited to ${options.perSecond} requests a second (bursts of ${options.burst}); retry in ${result.retryAfterSeconds} s`, {}, {
        'Retry-After': String(result.retryAfterSeconds),
      }),
    );
  };
}
