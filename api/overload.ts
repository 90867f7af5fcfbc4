/**
 * A cap on the requests this API process works on at once. Beyond it a request is answered at
 * once with 503 + Retry-After instead of queueing for the database pool: a burst costs a short
 * answer each, so the process's memory stays bounded by the cap (× the body limit) whatever
 * arrives, and the requests it accepts still finish in reasonable time.
 */
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

export function limitInFlight(max: number, retryAfterSeconds = 1): RequestHandler & { inFlight(): number } {
  let inFlight = 0;
  const handler: RequestHandler = (_req, res, next) => {
    if (inFlight >= max) {
      return next(new HttpProblem(503, 'Overloaded', `the API is working on ${max} requests; retry shortly`, {}, { 'Retry-After': String(retryAfterSeconds) }));
    }
    inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
  return Object.assign(handler, { inFlight: () => inFlight });
}

/** The longest a request waits on the Temporal frontend (queries, updates, starts) before it is answered 503. */
export const TEMPORAL_CALL_DEADLINE_MS = 15_000;

/**
 * Gives every Temporal call a request makes a deadline. Without one the client retries an
 * unreachable frontend for a long time and the request hangs; with it the call fails with
 * DEADLINE_EXCEEDED, answered 503 + Retry-After (api/problem.ts). The deadline travels in the
 * client's async-local call context, so this must run after the body is parsed (stream callbacks
 * would lose the context).
 */
export function temporalDeadline(temporal: Client, ms = TEMPORAL_CALL_DEADLINE_MS): RequestHandler {
  return (_req, res, next) => {
    void temporal.connection.withDeadline(
      Date.now() + ms,
      () =>
        new Promise<void>((resolve) => {
          res.once('close', resolve);
          next();
        }),
    );
  };
}
