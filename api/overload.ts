/**
 * A cap on the requests this API process works on at once. Beyond it a request is answered at
 * once with 503 + Retry-After instead of queueing for the database pool: a burst costs a short
 * answer each, so the process's memory stays bounded by the cap (× the body limit) whatever
 * arrives, and the requests it accepts still finish in reasonable time.
 */
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
