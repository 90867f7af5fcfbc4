/**
 * A cap on the requests this API process works on at once. Beyond it a request is answered at
 * once with 503 + Retry-After instead of queueing for the database pool: a burst costs a short
 * answer each, so the process's memory stays bounded by the cap (× the body limit) whatever
 * arrives, and the requests it accepts still finish in reasonable time.
 */
import type { Client } from '@temporalio/client';
import type { RequestHandler, Response } from 'express';
import { HttpProblem } from './problem';

/** Runs `release` once, when the answer is sent or the connection closes first (a caller who hung up). */
function whenAnswered(res: Response, release: () => void): void {
  let released = false;
  const once = () => {
    if (released) return;
    released = true;
    release();
  };
  res.once('finish', once);
  res.once('close', once);
}

export function limitInFlight(max: number, retryAfterSeconds = 1): RequestHandler & { inFlight(): number } {
  let inFlight = 0;
  const handler: RequestHandler = (_req, res, next) => {
    if (inFlight >= max) {
      return next(new HttpProblem(503, 'Overloaded', `the API is working on ${max} requests; retry shortly`, {}, { 'Retry-After': String(retryAfterSeconds) }));
    }
    inFlight++;
    whenAnswered(res, () => inFlight--);
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

/**
 * Admission for the requests that open a case (`opensCase` operations): at most `max` of them per
 * API process are being opened at once; the next wait their turn, first come first served, for up to
 * `waitMs`, and are then answered 503 + Retry-After having changed nothing (no case number taken, no
 * workflow started — a retry with the same Idempotency-Key is a first attempt).
 *
 * Why: a case's opening and set-up run on the same workers as the deadlines that fall due. Let a
 * burst of intake (a typhoon night) start every case it brings at once and each workflow task of a
 * falling-due deadline queues behind the burst's set-up tasks — same task queue, same priority —
 * and escalations go out seconds late (docs/deadlines-first.md). Held here, the burst waits in the
 * API, where waiting costs a timer, and the worker's queue stays a few tasks deep.
 *
 * The cap may change while the process runs (`max` as a function, and `recheck()` when it rose): the
 * process lowers it while deadlines are falling due (api/deadline-pressure.ts). A lowered cap admits
 * no one until enough openings in progress have finished; none is interrupted.
 *
 * By hand rather than p-limit/p-queue: those are ESM-only here, and neither lets a waiter leave the
 * queue at its own deadline (nor when its caller hangs up), which is the whole point.
 */
export function admitOpenings(
  max: number | (() => number),
  waitMs: number,
  retryAfterSeconds = 5,
): RequestHandler & { opening(): number; waiting(): number; recheck(): void } {
  const cap = typeof max === 'number' ? () => max : max;
  let opening = 0;
  const queue: { admit: () => void; abandon: () => void }[] = [];
  const refuse = (next: (error?: unknown) => void) =>
    next(
      new HttpProblem(
        503,
        'Too many cases being opened',
        {
          'zh-CN': `正在受理的新工单过多，已排队 ${Math.round(waitMs / 1000)} 秒仍未轮到；本次未登记任何内容，请稍后用同一幂等键重试。`,
          en: `too many cases are being opened; this one waited ${Math.round(waitMs / 1000)} s for its turn and nothing was recorded — retry shortly with the same Idempotency-Key`,
        },
        {},
        { 'Retry-After': String(retryAfterSeconds) },
      ),
    );
  const handler: RequestHandler = (req, res, next) => {
    const go = () => {
      opening++;
      whenAnswered(res, () => {
        opening--;
        // The slot passes to the longest waiters still waiting, as many as the cap now allows.
        recheck();
      });
      next();
    };
    if (opening < cap() && queue.length === 0) return go();
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      queue.splice(queue.indexOf(waiter), 1);
      refuse(next);
    }, waitMs);
    const waiter = {
      admit: () => {
        settled = true;
        clearTimeout(timer);
        go();
      },
      abandon: () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        queue.splice(queue.indexOf(waiter), 1);
      },
    };
    queue.push(waiter);
    // A caller who hung up while waiting gives up its place.
    res.once('close', waiter.abandon);
  };
  /** Admits waiters, longest first, while fewer than the cap are being opened: after a release, or when the cap rose. */
  const recheck = () => {
    while (queue.length > 0 && opening < cap()) queue.shift()!.admit();
  };
  return Object.assign(handler, { opening: () => opening, waiting: () => queue.length, recheck });
}
