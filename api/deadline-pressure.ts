/**
 * Deadlines first, at the door: the cap on case openings (api/overload.ts admitOpenings) is
 * API_MAX_OPENINGS while no deadline is falling due, and API_MAX_OPENINGS_NEAR_DEADLINES while one
 * is — an open case's next deadline due within API_DEADLINE_LOOKAHEAD_MS, or fallen due and its
 * breach not yet recorded (db/deadlines-near.ts).
 *
 * Why: admission alone bounds how many cases a burst sets up at once, but a burst admitted at the
 * full cap still takes both cores of a small machine, and the escalations that fall due meanwhile
 * share them (docs/deadlines-first.md: p99 1.6–2.2× its quiet value at caps 2–4). Only while
 * deadlines fall due does the intake give way; the rest of the night it takes the burst at full pace.
 *
 * The count is read lazily: when a case is to be opened and the last count is older than
 * `refreshMs`, one query starts, and the cap changes when it answers (`onChange` lets the gate admit
 * its waiters if the cap rose). An idle API asks nothing; a busy one asks once per `refreshMs`. A
 * count that fails keeps the last answer and is tried again after `refreshMs`.
 */

/**
 * A deadline fallen due this long ago whose breach is still not recorded no longer holds the door:
 * its escalation is late for another reason (a worker down), and the intake must not wait on it.
 */
export const DEADLINE_BEHIND_MS = 120_000;

export interface DeadlinePressure {
  /** The cap on openings now (refreshing the count in the background when it is stale). */
  cap(): number;
  /** The cap as last counted, without asking again (for metrics). */
  current(): number;
  /** Deadlines falling due around now, as last counted. */
  near(): number;
  /** Called whenever a new count moves the cap. */
  onChange(listener: () => void): void;
}

export function deadlinePressure(input: {
  count: (now: Date) => Promise<number>;
  /** The cap while no deadline falls due. */
  freeCap: number;
  /** The cap while deadlines fall due. */
  nearCap: number;
  refreshMs?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}): DeadlinePressure {
  const refreshMs = input.refreshMs ?? 1000;
  const now = input.now ?? Date.now;
  const listeners: (() => void)[] = [];
  let near = 0;
  let countedAt = -Infinity;
  let counting = false;
  const capFor = (n: number) => (n > 0 ? input.nearCap : input.freeCap);
  const refresh = () => {
    if (counting || now() - countedAt < refreshMs) return;
    counting = true;
    const at = now();
    input
      .count(new Date(at))
      .then(
        (n) => {
          const before = capFor(near);
          near = n;
          if (capFor(n) !== before) for (const listener of listeners) listener();
        },
        (error: unknown) => input.onError?.(error),
      )
      .finally(() => {
        countedAt = at;
        counting = false;
      });
  };
  return {
    cap: () => {
      refresh();
      return capFor(near);
    },
    current: () => capFor(near),
    near: () => near,
    onChange: (listener) => void listeners.push(listener),
  };
}
