/**
 * A token bucket per API key, in this process's memory: each key may spend `burst` requests at
 * once and earns `perSecond` back. Over it, 429 with Retry-After. Several API replicas each keep
 * their own buckets, so the limit a key sees is per replica. Before that, per client address, the
 * unknown or revoked keys it sends (`BadKeyLimit`).
 */
import type { Request, RequestHandler } from 'express';
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

  /** Seconds until `key` has a token to spend, without spending one; 0 when it has one now. */
  wait(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(this.options.burst, bucket.tokens + ((this.now() - bucket.at) / 1000) * this.options.perSecond);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.options.perSecond));
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

/** The client's address: the socket's, or the one a trusted proxy names (TRUST_PROXY). */
const addressOf = (req: Request) => `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;

/**
 * Unknown and revoked API keys, counted per client address. Every API request looks its key up in
 * Postgres; an address that has spent its budget of bad keys is answered 429 before the lookup, so
 * guessing or a client stuck on a dead key cannot turn into a flood of queries. A valid key costs
 * nothing here: staff behind one office address are limited only per key.
 */
export class BadKeyLimit {
  private readonly buckets: TokenBuckets;

  constructor(private readonly options: RateLimitOptions) {
    this.buckets = new TokenBuckets(options);
  }

  /** Before authentication: refuses an address with no bad keys left to spend. */
  readonly guard: RequestHandler = (req, _res, next) => {
    const wait = this.buckets.wait(addressOf(req));
    if (wait === 0) return next();
    next(
      new HttpProblem(429, 'Too many requests', `too many unknown or revoked API keys from this address (${this.options.perSecond} a second, bursts of ${this.options.burst}); retry in ${wait} s`, {}, {
        'Retry-After': String(wait),
      }),
    );
  };

  /** Authentication found no staff member for the key the request carried. */
  unknownKey(req: Request): void {
    this.buckets.take(addressOf(req));
  }
}
