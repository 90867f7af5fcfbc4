import 'pino-http';
import { DriverException } from '@mikro-orm/core';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { DEFAULT_LOCALE, LOCALES, type Locale, type Words } from '../domain/words';
import { loggableError } from '../logging';
import { problemWords, WHERE_WORDS, zhIssueReason } from './problem-words';

/**
 * An RFC 9457 problem detail; thrown anywhere in a route, rendered as application/problem+json in
 * the language the request asks for (docs/messages.md). `title` is the English title of its kind in
 * api/problem-words.ts; `detail` is English, or written in both languages.
 */
export class HttpProblem extends Error {
  readonly detail?: string;
  /** The detail written for a Chinese answer; without it the kind's detail of the catalogue. */
  readonly detailZh?: string;

  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string | Words,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
    /** What replaces `extra`'s fields in a Chinese answer (the validation reasons in Chinese). */
    readonly extraZh: Record<string, unknown> = {},
  ) {
    const en = typeof detail === 'string' || detail === undefined ? detail : detail.en;
    super(en ?? title);
    this.name = 'HttpProblem';
    this.detail = en;
    this.detailZh = typeof detail === 'object' ? detail['zh-CN'] : undefined;
  }
}

/** The language an answer is written in: the request's Accept-Language, zh-CN when it names neither language. */
export function requestLocale(req: Request): Locale {
  const accepted = typeof req.acceptsLanguages === 'function' ? req.acceptsLanguages(...LOCALES) : false;
  return (accepted as Locale | false) || DEFAULT_LOCALE;
}

export interface InvalidParam {
  /** Where the bad value is: body, query, params or header, then its path. */
  name: string;
  in: 'body' | 'query' | 'path' | 'header';
  reason: string;
}

/** `count` invalid fields in `where`, in each language. */
export const invalidFields = (count: number, where: InvalidParam['in']): Words => ({
  'zh-CN': `${WHERE_WORDS[where]['zh-CN']}中有 ${count} 个无效字段。`,
  en: `${count} invalid field(s) in the ${where}`,
});

/** `error` is a ZodError, or the issues a workflow's validator passed with its refusal (api/refusal-words.ts). */
export function validationProblem(where: InvalidParam['in'], error: Pick<z.ZodError, 'issues'>): HttpProblem {
  const name = (issue: z.core.$ZodIssue) => (issue.path.length ? issue.path.join('.') : '(root)');
  const invalid: InvalidParam[] = error.issues.map((issue) => ({ name: name(issue), in: where, reason: issue.message }));
  const invalidZh: InvalidParam[] = error.issues.map((issue) => ({ name: name(issue), in: where, reason: zhIssueReason(issue) }));
  return new HttpProblem(400, 'Invalid request', invalidFields(invalid.length, where), { 'invalid-params': invalid }, {}, { 'invalid-params': invalidZh });
}

export const PROBLEM_TYPE_BASE = 'https://wuye.example/problems/';

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, 'Not found', { 'zh-CN': `没有这个地址：${req.method} ${req.path}`, en: `no route for ${req.method} ${req.path}` }));
};

/** The name of the error an attachment store throws when its server cannot be reached (api/s3-store.ts). */
export const ATTACHMENT_STORE_UNAVAILABLE = 'AttachmentStoreUnavailable';

/** How long a client should wait before retrying when a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// Postgres: admin/crash shutdown, cannot connect now, too many connections.
const UNAVAILABLE_SQL_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|Timeout acquiring a connection|Client has encountered a connection error|Connection refused|the database system is (starting up|shutting down)/i;

/** An error and the errors it wraps (`cause`), outermost first, at most five deep. */
function* causeChain(error: unknown): Generator<Record<string, unknown>> {
  let e = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    yield e as Record<string, unknown>;
    e = (e as { cause?: unknown }).cause;
  }
}

/**
 * Is this the database (or Temporal) being unreachable rather than a bug? Those are answered
 * 503 with Retry-After: the request can succeed later unchanged. Looks through `cause` chains,
 * since the ORM and the Temporal client wrap the driver's error.
 */
export function dependencyUnavailable(error: unknown): 'database' | 'temporal' | 'attachments' | undefined {
  for (const e of causeChain(error)) {
    // Before the connection codes below, which its cause carries too (api/s3-store.ts).
    if (e.name === ATTACHMENT_STORE_UNAVAILABLE) return 'attachments';
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

/**
 * An update (a staff action, or a new case being opened) that did not finish within the call's
 * deadline: Temporal answered, but its workers are saturated — on a night of missed deadlines the
 * escalations come first (docs/deadlines-first.md). Not an outage: the request may still take
 * effect: a new case or a staff action sent again with the same Idempotency-Key finds it rather
 * than doing it twice (the console keeps the key across a repeat); without one, look first.
 * Under a burst this was a 500, then a 503 that called Temporal unreachable, which sent clerks to
 * look for a network fault.
 */
export function workflowTooSlow(error: unknown): boolean {
  return [...causeChain(error)].some((e) => e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError');
}

const DEPENDENCY_WORDS = {
  database: { 'zh-CN': '数据库', en: 'database' },
  temporal: { 'zh-CN': '工作流服务', en: 'workflow service' },
  attachments: { 'zh-CN': '照片存储', en: 'photo store' },
} as const;

/** The last middleware: every error becomes problem+json; nothing internal leaks to the client. */
export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let problem: HttpProblem;
  if (error instanceof HttpProblem) {
    problem = error;
  } else if (error?.type === 'entity.too.large') {
    problem = new HttpProblem(413, 'Payload too large', { 'zh-CN': `请求体超过了 ${error.limit} 字节的限制。`, en: `the body is over the limit of ${error.limit} bytes` });
  } else if (error?.type === 'entity.parse.failed') {
    problem = new HttpProblem(400, 'Malformed JSON', { 'zh-CN': '请求体不是有效的 JSON。', en: 'the body is not valid JSON' });
  } else if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported') {
    problem = new HttpProblem(415, 'Unsupported encoding', { 'zh-CN': '请求体的编码或字符集不受支持，请使用 UTF-8。', en: String(error.message) });
  } else if (workflowTooSlow(error)) {
    req.log?.warn({ err: { type: (error as Error)?.name } }, 'workflow too slow to answer');
    problem = new HttpProblem(
      503,
      'Overloaded',
      {
        'zh-CN': '工作流服务正忙，本次操作未能在时限内完成，稍后可能仍会生效。请稍后刷新查看后再决定是否重做；带同一幂等键重新发送的请求（新建工单或操作）不会重复执行。',
        en: 'the workflow service is busy and did not finish this in time; it may still take effect — look again shortly before repeating it; a request sent again with the same Idempotency-Key (a new case or an action) is never done twice',
      },
      {},
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  } else if (dependencyUnavailable(error)) {
    const what = dependencyUnavailable(error)!;
    req.log?.warn({ dependency: what, err: { type: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'dependency unavailable');
    problem = new HttpProblem(
      503,
      'Service unavailable',
      { 'zh-CN': `${DEPENDENCY_WORDS[what]['zh-CN']}暂时无法连接，请稍后重试。`, en: `the ${DEPENDENCY_WORDS[what].en} is unreachable; retry later` },
      {},
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  } else {
    // A database error's message quotes the failing row — residents' names and phones — so only its kind is logged.
    req.log?.error({ err: loggableError(error) }, 'unhandled error');
    problem = new HttpProblem(500, 'Internal error', { 'zh-CN': '请求失败，已连同请求编号记录在日志中。', en: 'the request failed; it has been logged with its request id' });
  }
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .setHeader('Content-Language', requestLocale(req))
    .json(problemBody(problem, requestLocale(req), { instance: req.originalUrl, requestId: req.id }));
};

/** A problem's body in one language: the kind's title and the detail written for that language. */
export function problemBody(problem: HttpProblem, locale: Locale, at: { instance?: string; requestId?: unknown } = {}): Record<string, unknown> {
  const words = problemWords(problem.title);
  const detail = locale === 'en' ? problem.detail : (problem.detailZh ?? words.detail);
  // Fields a route named with an English reason and no Chinese one: in Chinese each says what the kind says.
  const params = problem.extra['invalid-params'];
  const paramsZh =
    locale !== 'en' && Array.isArray(params) && !problem.extraZh['invalid-params'] ? { 'invalid-params': (params as InvalidParam[]).map((p) => ({ ...p, reason: words.detail })) } : {};
  return {
    type: `${PROBLEM_TYPE_BASE}${slug(problem.title)}`,
    title: words.title[locale],
    status: problem.status,
    ...(detail ? { detail } : {}),
    ...at,
    ...problem.extra,
    ...(locale === 'en' ? {} : problem.extraZh),
    ...paramsZh,
  };
}
