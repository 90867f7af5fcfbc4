/**
 * One contract: each operation is declared once with its zod schemas; the same declaration
 * mounts the express route (parsing every input at the edge) and generates the OpenAPI 3.1
 * document. A route cannot exist without appearing in the document.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../domain/people';
import type { StaffPrincipal } from './auth';
import { HttpProblem, invalidFields, validationProblem, type InvalidParam } from './problem';
import { rolesOnly } from './problem-words';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OperationContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** An operation that takes an upload: the file as sent, and its media type. */
  file?: { buffer: Buffer; mediaType: string };
  /** Present on every operation that is not public. */
  staff: StaffPrincipal;
  req: Request;
  res: Response;
}

export interface OperationResult {
  status: number;
  body?: unknown;
  /** A body sent as is (e.g. CSV), with the Content-Type the headers name. */
  text?: string;
  /** Bytes sent as is (a photo), with the Content-Type the headers name. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export interface Operation<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Express-style path under the API prefix, e.g. `/repairs/:caseId`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Roles allowed (docs/rules.md §0), or `public` for unauthenticated routes. */
  roles: readonly Role[] | 'public';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  bodyExample?: unknown;
  /**
   * A second way to send the body: a text document of `mediaType` (e.g. text/calendar), turned
   * into what `body` parses by `read` (which throws an HttpProblem for a document it cannot read).
   */
  textBody?: { mediaType: string; description: string; read: (text: string) => unknown };
  /**
   * The body is a file sent as is (a CSV or XLSX import), of one of `mediaTypes`, up to `limit`; the
   * handler reads it as `file`. Such an operation has no JSON body.
   */
  upload?: { mediaTypes: string[]; limit: string; description: string };
  /** Accepts an Idempotency-Key header: `true` for a creating request, or what the key does here. */
  idempotent?: boolean | string;
  /** Opens a case: waits its turn among the process's case openings (api/overload.ts admitOpenings). */
  opensCase?: true;
  /**
   * A POST that only reads (the Temporal UI's codec decode, whose batch does not fit a URL): a
   * console session needs no CSRF token for it — a forged request changes nothing, and CORS keeps
   * its answer from any other origin.
   */
  readOnly?: true;
  /** `mediaType` defaults to application/json; a CSV download declares text/csv and its handler answers `text`. */
  responses: Record<number, { description: string; schema?: z.ZodType; example?: unknown; mediaType?: string }>;
  handler: (ctx: OperationContext<P, Q, B>) => Promise<OperationResult>;
}

/** Keeps each operation's generic types while collecting them in one list. */
export function operation<P, Q, B>(op: Operation<P, Q, B>): Operation {
  return op as unknown as Operation;
}

/**
 * Text Postgres cannot keep as sent: U+0000, which its text type cannot hold (such a value would pass
 * validation and then fail every retry of the activity that stores it), and a lone UTF-16 surrogate
 * (JSON's "\ud800"), which the driver's UTF-8 encoding turns into U+FFFD — a different string
 * stored in silence. Both are refused at the door, naming the field.
 */
const UNSTORABLE: readonly [RegExp, string][] = [
  [/\u0000/, 'contains a NUL character (U+0000), which cannot be stored'],
  [/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, 'contains a lone UTF-16 surrogate (e.g. \\ud800), which is not text and cannot be stored as sent'],
];
/** The same reasons for a Chinese answer, by the English one. */
const UNSTORABLE_ZH: Record<string, string> = {
  [UNSTORABLE[0][1]]: '含有空字符（U+0000），无法保存',
  [UNSTORABLE[1][1]]: '含有不成对的 UTF-16 代理字符，不是有效文本，无法按原样保存',
};

const unstorable = (text: string) => UNSTORABLE.find(([pattern]) => pattern.test(text))?.[1];

/** Where a request carries text Postgres cannot keep as sent (keys included), and why. */
export function unstorableText(value: unknown, path: string[] = []): { name: string; reason: string }[] {
  const here = (p: string[]) => (p.length ? p.join('.') : '(root)');
  if (typeof value === 'string') {
    const reason = unstorable(value);
    return reason ? [{ name: here(path), reason }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableText(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const reason = unstorable(k);
      return [...(reason ? [{ name: here([...path, k]), reason }] : []), ...unstorableText(v, [...path, k])];
    });
  }
  return [];
}

function unstorableProblem(where: InvalidParam['in'], found: { name: string; reason: string }[]): HttpProblem {
  const invalid: InvalidParam[] = found.map(({ name, reason }) => ({ name, in: where, reason }));
  const invalidZh: InvalidParam[] = found.map(({ name, reason }) => ({ name, in: where, reason: UNSTORABLE_ZH[reason] ?? '无法保存' }));
  return new HttpProblem(400, 'Invalid request', invalidFields(invalid.length, where), { 'invalid-params': invalid }, {}, { 'invalid-params': invalidZh });
}

/** `guards` run before a non-public operation: the per-address limit of bad keys, authentication, then the per-key rate limit. */
export function mount(
  router: Router,
  op: Operation,
  guards: RequestHandler[],
  textParser?: (mediaType: string) => RequestHandler,
  uploadParser?: (upload: NonNullable<Operation['upload']>) => RequestHandler[],
  openings?: RequestHandler,
): void {
  const handlers = [
    // The route template labels this request's metrics, whatever the outcome.
    (req: Request, res: Response, next: () => void) => {
      res.locals.routeTemplate = `${req.baseUrl}${op.path}`;
      next();
    },
    ...(op.roles === 'public' ? [] : guards),
    ...(op.textBody && textParser ? [textParser(op.textBody.mediaType)] : []),
    ...(op.upload && uploadParser ? uploadParser(op.upload) : []),
    ...(op.opensCase && openings ? [openings] : []),
    async (req: Request, res: Response) => {
      if (op.roles !== 'public') {
        const staff = req.staff!;
        if (!staff.roles.some((r) => (op.roles as readonly Role[]).includes(r))) {
          throw new HttpProblem(403, 'Forbidden', rolesOnly(op.roles as readonly Role[], { 'zh-CN': '此操作', en: op.operationId }));
        }
      }
      const asText = op.textBody && req.is(op.textBody.mediaType) && typeof req.body === 'string';
      if (op.upload && !Buffer.isBuffer(req.body)) {
        throw new HttpProblem(415, 'Unsupported media type', {
          'zh-CN': `请把文件本身作为请求体发送，内容类型为 ${op.upload.mediaTypes.join(' 或 ')}。`,
          en: `send the file as the body, with Content-Type ${op.upload.mediaTypes.join(' or ')}`,
        });
      }
      if (op.body && req.method !== 'GET' && !asText && !req.is('application/json')) {
        throw new HttpProblem(415, 'Unsupported media type', {
          'zh-CN': `请以 application/json${op.textBody ? ` 或 ${op.textBody.mediaType}` : ''} 发送请求体。`,
          en: `send the body as application/json${op.textBody ? ` or ${op.textBody.mediaType}` : ''}`,
        });
      }
      const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'path' | 'query' | 'body'): T => {
        if (!schema) return undefined as T;
        const bad = unstorableText(value);
        if (bad.length) throw unstorableProblem(where, bad);
        // The input is reported for the Chinese reasons (zod's zh-CN words name the type received); it is never answered.
        const parsed = schema.safeParse(value, { reportInput: true });
        if (!parsed.success) throw validationProblem(where, parsed.error);
        return parsed.data;
      };
      const params = parse(op.params, req.params, 'path');
      const query = parse(op.query, req.query, 'query');
      const body = parse(op.body, asText ? op.textBody!.read(req.body as string) : (req.body ?? {}), 'body');
      const file = op.upload ? { buffer: req.body as Buffer, mediaType: (req.get('content-type') ?? '').split(';')[0].trim().toLowerCase() } : undefined;
      const result = await op.handler({ params, query, body, file, staff: req.staff!, req, res });
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.bytes !== undefined) res.status(result.status).end(result.bytes);
      else if (result.text !== undefined) res.status(result.status).send(result.text);
      else if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    },
  ];
  router[op.method](op.path, ...handlers);
}

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    'invalid-params': {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, in: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
};

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid input; `invalid-params` lists each bad field',
  401: 'Missing or unknown API key',
  403: 'The key is valid but its role may not do this',
  429: 'Too many requests with this API key; retry after the Retry-After seconds',
  413: 'Body over the size limit',
  415: 'Body is not application/json (or the other media type the operation names)',
  500: 'Internal error (logged with the request id; no details are returned)',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

function parameters(op: Operation) {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        ...(prop.description ? { description: prop.description } : {}),
        schema: prop,
      });
    }
  }
  if (op.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        typeof op.idempotent === 'string' ? op.idempotent : 'Repeat a create safely: the same key and body return the first answer; another body under the same key is 422.',
      schema: { type: 'string', minLength: 8, maxLength: 200 },
    });
  }
  return out;
}

/**
 * OpenAPI links from a create to the operations on what it created: `POST /repairs` answers
 * `caseId`, which fills `{caseId}` of every `/repairs/{caseId}…` operation. Clients and fuzzers
 * (schemathesis' stateful phase) follow them.
 */
function linksFrom(op: Operation, created: z.ZodType, ops: Operation[]): Record<string, unknown> | undefined {
  const fields = Object.keys((jsonSchema(created, 'output') as { properties?: Record<string, unknown> }).properties ?? {});
  const links: Record<string, unknown> = {};
  for (const other of ops) {
    const param = new RegExp(`^${op.path}/:([A-Za-z_]+)(/|$)`).exec(other.path)?.[1];
    if (!param || !fields.includes(param) || other.path.split(':').length > 2) continue;
    links[other.operationId] = { operationId: other.operationId, parameters: { [param]: `$response.body#/${param}` } };
  }
  return Object.keys(links).length ? links : undefined;
}

/** The OpenAPI 3.1 document of every mounted operation. */
export function openApiDocument(ops: Operation[], info: { title: string; version: string; prefix: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const path = `${info.prefix}${op.path}`.replace(/:([A-Za-z_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const links = Number(status) === 201 && r.schema ? linksFrom(op, r.schema, ops) : undefined;
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { [r.mediaType ?? 'application/json']: { schema: jsonSchema(r.schema, 'output'), ...(r.example !== undefined ? { example: r.example } : {}) } } } : {}),
        ...(!r.schema && r.mediaType ? { content: { [r.mediaType]: { schema: { type: 'string' } } } } : {}),
        ...(links ? { links } : {}),
      };
    }
    const errors = Object.entries(STANDARD_ERRORS).filter(([status]) => {
      if (op.roles === 'public' && (status === '401' || status === '403' || status === '429')) return false;
      if (!op.body && !op.upload && (status === '413' || status === '415')) return false;
      return true;
    });
    for (const [status, description] of errors) {
      responses[status] ??= { description, content: { 'application/problem+json': { schema: problemSchema } } };
    }
    if (op.opensCase) {
      responses['503'] ??= {
        description:
          'Too many cases being opened (this one waited its turn and nothing was recorded), or Overloaded (the workflow service did not finish opening it in time; it may still be opened): either way send it again after Retry-After with the same Idempotency-Key, which never opens it twice',
        content: { 'application/problem+json': { schema: problemSchema } },
      };
    }
    for (const status of Object.keys(responses)) {
      const r = responses[status] as { content?: unknown; description: string };
      if (Number(status) >= 400 && !r.content) r.content = { 'application/problem+json': { schema: problemSchema } };
    }
    paths[path] ??= {};
    paths[path][op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: op.tags,
      ...(op.roles === 'public' ? { security: [] } : { 'x-roles': op.roles }),
      parameters: parameters(op),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: jsonSchema(op.body, 'input'), ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) },
                ...(op.textBody ? { [op.textBody.mediaType]: { schema: { type: 'string', description: op.textBody.description } } } : {}),
              },
            },
          }
        : {}),
      ...(op.upload
        ? {
            requestBody: {
              required: true,
              description: op.upload.description,
              content: Object.fromEntries(op.upload.mediaTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: '/' }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A staff API key' } } },
    security: [{ apiKey: [] }],
    paths,
  };
}
