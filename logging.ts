/**
 * One way to log for every process (API, worker, `npm start`): pino JSON lines on stdout at
 * LOG_LEVEL, and nothing that is a credential or quotes a resident's row. What must never reach a log:
 *  - an API key (`wy_…`), a survey or case link's token (`/s/<token>`, `/c/<token>`: the only
 *    credential a resident has), a password link's token,
 *    an `Authorization` header's value, a password inside a URL (DATABASE_URL, SMTP_URL);
 *  - a database error's message: MikroORM writes the failing query into it with its parameters
 *    inlined — names, phones, complaint text.
 * Every line passes through {@link scrub} on its way out, whatever wrote it (a request, an activity, the
 * Temporal SDK or its Rust core), so a new log call cannot leak what the patterns know. The
 * request serializer and {@link loggableError} keep those values out in the first place; the
 * patterns are the net behind them.
 */
import { DriverException } from '@mikro-orm/core';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

/** What a credential looks like inside any logged text, and what stands in its place. */
const SECRETS: readonly [RegExp, string][] = [
  // First the forms that wrap a credential, then the credentials themselves.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // user:password@ in a URL (postgres://, smtps://…).
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:"\\]*:[^\s/@"\\]*@/gi, '$1[redacted]@'],
  // A survey link's token (43 base64url characters; anything that long after /s/).
  [/\/s\/[A-Za-z0-9_-]{16,}/g, '/s/[redacted]'],
  // A resident's case link (/c/<token>, api/case-page.ts) and a staff member's password link (…#<token>).
  [/\/c\/[A-Za-z0-9_-]{16,}/g, '/c/[redacted]'],
  [/(set-password#)[A-Za-z0-9_-]{16,}/g, '$1[redacted]'],
  // A staff API key (db/secrets.ts newApiKey).
  [/\bwy_[A-Za-z0-9_-]{16,}/g, 'wy_[redacted]'],
];

/** `text` with every credential the patterns know replaced. */
export function scrub(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  return out;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  sqlState?: unknown;
  type?: unknown;
  stack?: unknown;
  cause?: unknown;
}

/** Postgres' own error (pg's DatabaseError), or MikroORM's wrapping of one: the message may quote the row. */
function quotesRows(error: ErrorLike): boolean {
  return error instanceof DriverException || typeof error.sqlState === 'string' || error.name === 'DatabaseError';
}

/**
 * An error as it may be logged: its kind, code and where it happened; its message only when it
 * cannot quote a row (a database error's is left out), scrubbed; and its causes, a few deep.
 */
export function loggableError(error: unknown, depth = 0): Record<string, unknown> | string {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return scrub(String(error));
  const e = error as ErrorLike;
  const databaseError = quotesRows(e);
  // The frames only: a stack's first lines repeat the message.
  const stack = typeof e.stack === 'string' ? e.stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n') : undefined;
  return {
    type: typeof e.name === 'string' ? e.name : 'Error',
    ...(databaseError ? {} : { message: scrub(String(e.message ?? '')) }),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.sqlState === 'string' ? { sqlState: e.sqlState } : {}),
    // An ApplicationFailure's type (NotFound, InvalidData…).
    ...(typeof e.type === 'string' ? { failureType: e.type } : {}),
    ...(stack ? { stack: scrub(stack) } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: loggableError(e.cause, depth + 1) } : {}),
  };
}

/** Writes every line to `out` after {@link scrub}. */
function scrubbing(out: DestinationStream): DestinationStream {
  return { write: (line: string) => out.write(scrub(line)) };
}

/**
 * The process's logger. `destination` defaults to stdout; tests pass a stream that collects the
 * lines, and get them scrubbed exactly as production writes them.
 */
export function createLogger(level: Config['LOG_LEVEL'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      // Paths a caller might log by mistake, and the SDK's activity task token (it completes the activity
      // it names); the scrubbing destination catches the known credentials anywhere else.
      redact: { paths: ['apiKey', '*.apiKey', 'token', '*.token', 'password', '*.password', 'taskToken', 'req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    scrubbing(destination ?? pino.destination(1)),
  );
}

const SDK_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The SDK's metadata with its `error` (a failed activity's, a workflow task's) made loggable. */
function sdkMeta(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) out[key] = value instanceof Error || key === 'error' || key === 'failure' ? loggableError(value) : value;
  return out;
}

/** The SDK's own components (the worker's lifecycle, its Rust core), as opposed to our workflows' and activities' `log` calls. */
const SDK_OWN = new Set(['worker', 'core']);

/**
 * The Temporal SDK's logger (Runtime.install): its messages — a failed activity with its error, a
 * workflow task's failure, the workflows' and activities' own `log` calls — and, forwarded, its Rust
 * core's, as pino lines of `logger` at their level. The SDK's own chatter below a warning (bundle
 * sizes, state changes, every activity started and completed) only when `logger` logs debug.
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const at =
    (level: LogLevel) =>
    (message: string, meta?: LogMetadata): void => {
      const method = SDK_LEVELS[level];
      const chatter = SDK_OWN.has(String(meta?.sdkComponent)) && (level === 'TRACE' || level === 'DEBUG' || level === 'INFO');
      if (chatter && !logger.isLevelEnabled('debug')) return;
      if (logger.isLevelEnabled(method)) logger[method](sdkMeta(meta), message);
    };
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

/** How much of the SDK's Rust core is forwarded to the logger: its warnings, and more at debug. */
export function coreLogFilter(level: Config['LOG_LEVEL']): { core: LogLevel; other: LogLevel } {
  return level === 'debug' || level === 'trace' ? { core: 'INFO', other: 'WARN' } : { core: 'WARN', other: 'ERROR' };
}
