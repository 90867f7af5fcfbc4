import 'pino-http';
import { DriverException } from '@mikro-orm/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { loggableError } from '../logging';

/** An RFC 9457 problem detail; thrown anywhere in a route, rendered as application/problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }
}

export interface InvalidParam {
  /** Where the bad value is: body, query, params or header, then its path. */
  name: string;
  in: 'body' | 'query' | 'path' | 'header';
  reason: string;
}

export function validationProblem(where: InvalidParam['in'], error: z.ZodError): HttpProblem {
  const invalid: InvalidParam[] = error.issues.map((issue) => ({
    name: issue.path.length ? issue.path.join('.') : '(root)',
    in: where,
    reason: issue.message,
  }));
  return new HttpProblem(400, 'Invalid request', `${invalid.length} invalid field(s) in the ${where}`, { 'invalid-params': invalid });
}

export const PROBLEM_TYPE_BASE = 'https://wuye.example/problems/';

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, 'Not found', `no route for ${req.method} ${req.path}`));
};

/** How long a client should wait before retrying when a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// Postgres: admin/crash shutdown, cannot connect now, too many connections.
const UNAVAILABLE_SQL_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|Timeout acquiring a connection|Client has encountered a connection error|Connection refused|the database system is (starting up|shutting down)/i;

/**
 * Is this the database (or Temporal) being unreachable rather than a bug? Those are answered
 * 503 with Retry-After: the request can succeed later unchanged. Looks through `cause` chains,
 * since the ORM and the Temporal client wrap the driver's error.
 */
export function dependencyUnavailable(error: unknown): 'database' | 'temporal' | undefined {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as Record<string, unknown> | undefined, depth++) {
    if (e.name === 'KnexTimeoutError') return 'database';
    if (typeof e.code === 'string' && CONNECTION_ERROR_CODES.has(e.code)) return 'database';
    if (typeof e.sqlState === 'string' && (e.sqlState.startsWith('08') || UNAVAILABLE_SQL_STATES.has(e.sqlState))) return 'database';
    if (e instanceof DriverException && typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return 'database';
    if (typeof e.code === 'string' && UNAVAILABLE_SQL_STATES.has(e.code)) return 'database';
    // gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4) from the Temporal frontend.
    if ((e.name === 'ServiceError' || e.name === 'ConnectionError') && [14, 4].includes((e.cause as { code?: number } | undefined)?.code ?? -1)) return 'temporal';
    if (e.name === 'ConnectionError') return 'temporal';
  }
  return undefined;
}

/** The last middleware: every error becomes problem+json; nothing internal leaks to the client. */
export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let problem: HttpProblem;
  if (error instanceof HttpProblem) {
    problem = error;
  } else if (error?.type === 'entity.too.large') {
    problem = new HttpProblem(413, 'Payload too large', `the body is over the limit of ${error.limit} bytes`);
  } else if (error?.type === 'entity.parse.failed') {
    problem = new HttpProblem(400, 'Malformed JSON', 'the body is not valid JSON');
  } else if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported') {
    problem = new HttpProblem(415, 'Unsupported encoding', String(error.message));
  } else if (dependencyUnavailable(error)) {
    const what = dependencyUnavailable(error)!;
    req.log?.warn({ dependency: what, err: { type: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'dependency unavailable');
    problem = new HttpProblem(503, 'Service unavailable', `the ${what === 'database' ? 'database' : 'workflow service'} is unreachable; retry later`, {}, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
  } else {
    // A database error's message quotes the failing row — residents' names and phones — so only its kind is logged.
    req.log?.error({ err: loggableError(error) }, 'unhandled error');
    problem = new HttpProblem(500, 'Internal error', 'the request failed; it has been logged with its request id');
  }
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `${PROBLEM_TYPE_BASE}${slug(problem.title)}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      instance: req.originalUrl,
      requestId: req.id,
      ...problem.extra,
    });
};
