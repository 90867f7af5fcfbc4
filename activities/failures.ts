/**
 * Which activity failures a retry cannot fix (docs/architecture.md §4: failures that retrying
 * cannot fix are non-retryable with a `type`; everything else retries with backoff). Without this, a bug or bad
 * data — a `RangeError` from domain code, a row Postgres refuses — was retried for ever while the
 * case sat invisible. Every activity the worker registers goes through {@link withPermanentFailures}.
 */
import { ApplicationFailure } from '@temporalio/common';

/**
 * Postgres SQLSTATEs no retry changes: a value the column cannot hold (class 22) or a constraint
 * the row breaks (class 23). Not 23505, unique_violation: a concurrent attempt at the same row
 * (a case number, an idempotency claim) loses on it and finds the winner's row when retried.
 * Class 42 (an undefined table or column) stays retryable: a migration that has not run yet fixes it.
 */
const PERMANENT_SQL_CLASSES = new Map([
  ['22', 'InvalidData'],
  ['23', 'ConstraintViolation'],
]);
const RETRYABLE_SQL_STATES = new Set(['23505']);

/** Errors of the language that say the input or the code is wrong, not the world outside. */
const PERMANENT_ERRORS = new Set(['RangeError', 'TypeError', 'SyntaxError', 'ZodError']);

function sqlStateOf(error: Error): string | undefined {
  const e = error as { sqlState?: unknown; code?: unknown };
  const state = typeof e.sqlState === 'string' ? e.sqlState : typeof e.code === 'string' ? e.code : undefined;
  return state && /^[0-9A-Z]{5}$/.test(state) ? state : undefined;
}

/**
 * The non-retryable failure `error` stands for, or undefined when a retry may succeed (a
 * connection refused, a timeout, SMTP down, a lost race). An ApplicationFailure is taken as the
 * activity made it.
 */
export function permanentFailure(error: unknown): ApplicationFailure | undefined {
  if (error instanceof ApplicationFailure) return error.nonRetryable ? error : undefined;
  if (!(error instanceof Error)) return undefined;
  const sqlState = sqlStateOf(error);
  if (sqlState) {
    const type = PERMANENT_SQL_CLASSES.get(sqlState.slice(0, 2));
    if (!type || RETRYABLE_SQL_STATES.has(sqlState)) return undefined;
    // The driver's message names the constraint or the type, not the row's values (those are in `detail`, left out).
    const message = `${(error as { message: string }).message.split('\n')[0].replace(/^.* - /, '')} (SQLSTATE ${sqlState})`;
    return ApplicationFailure.create({ type, message, nonRetryable: true });
  }
  if (PERMANENT_ERRORS.has(error.name)) {
    return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
  }
  return undefined;
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/** The same activities, each throwing its permanent failures as non-retryable ApplicationFailures. */
export function withPermanentFailures<T extends Record<string, AnyActivity>>(activities: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    // A named function: the worker registers activities under their keys, and stack traces keep the name.
    wrapped[name] = {
      async [name](...args: never[]) {
        try {
          return await activity(...args);
        } catch (error) {
          throw permanentFailure(error) ?? error;
        }
      },
    }[name];
  }
  return wrapped as T;
}
