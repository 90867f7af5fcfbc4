import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every setting the processes read from the environment, validated once at startup.
 * An unset connection variable means "use the embedded part" (docs/architecture.md §6); a set but
 * malformed one is a startup error that names the variable.
 */
const urlWithProtocols = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const hostPort = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'must be host:port, e.g. temporal:7233');

const port = z.coerce.number().int().min(1).max(65535);

/** The address names express's `trust proxy` knows, besides addresses and subnets. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * express's `trust proxy`: `true`/`false`, a number of hops, or a comma list of the proxies' addresses,
 * subnets and names. It decides which X-Forwarded-For entry is the client's address — what the
 * per-address limits count — so a wrong value lets a client choose its own address.
 */
const trustProxy = z
  .string()
  .trim()
  .refine((value) => {
    if (/^(true|false|\d{1,2})$/.test(value)) return true;
    return value.split(',').every((entry) => {
      const item = entry.trim();
      const [address, bits, ...rest] = item.split('/');
      return rest.length === 0 && (PROXY_NAMES.includes(item) || (isIP(address) !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits))));
    });
  }, `must be true, false, a number of proxies, or a comma list of addresses, subnets and ${PROXY_NAMES.join(', ')}`)
  .transform((value): boolean | number | string[] => {
    if (value === 'true' || value === 'false') return value === 'true';
    if (/^\d+$/.test(value)) return Number(value);
    return value.split(',').map((entry) => entry.trim());
  });

/**
 * Payload keys (docs/personal-data.md): comma-separated `id:key` pairs, each key 32 random bytes in
 * base64 (`openssl rand -base64 32`). The first pair encrypts; every pair decrypts, so a new key goes
 * first and an old one stays listed until nothing sealed with it is retained. Kept as the string it is:
 * payload-codec.ts builds the keyring, and a child process gets the variable as given.
 */
export const PAYLOAD_KEY_ID = /^[A-Za-z0-9._-]{1,40}$/;
export function payloadKeyPairs(value: string): { id: string; key: Buffer }[] {
  return value.split(',').map((pair) => {
    const [id, key, ...rest] = pair.trim().split(':');
    const bytes = key && /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, 'base64') : Buffer.alloc(0);
    if (rest.length > 0 || !PAYLOAD_KEY_ID.test(id ?? '') || bytes.length !== 32) throw new Error('not an id:key pair');
    return { id, key: bytes };
  });
}
const payloadKeys = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const ids = payloadKeyPairs(value).map((pair) => pair.id);
      return new Set(ids).size === ids.length;
    } catch {
      return false;
    }
  }, 'must be comma-separated id:key pairs with distinct ids (letters, digits, . _ -), each key 32 bytes in base64, e.g. 2026-12:$(openssl rand -base64 32)');

/** Web origins (scheme://host[:port]) as a comma list. */
const origins = z
  .string()
  .trim()
  .refine((value) => value.split(',').every((entry) => {
    try {
      const url = new URL(entry.trim());
      return ['http:', 'https:'].includes(url.protocol) && url.origin === entry.trim().replace(/\/$/, '');
    } catch {
      return false;
    }
  }), 'must be a comma list of origins (scheme://host[:port], no path), e.g. https://temporal.example.com');

/** "true"/"false" (also 1/0, yes/no) as a boolean; z.coerce.boolean would read "false" as true. */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** The S3 attachment store's settings, which are given all together or not at all. */
export const ATTACHMENTS_S3_VARIABLES = [
  'ATTACHMENTS_S3_ENDPOINT',
  'ATTACHMENTS_S3_BUCKET',
  'ATTACHMENTS_S3_REGION',
  'ATTACHMENTS_S3_ACCESS_KEY_ID',
  'ATTACHMENTS_S3_SECRET_ACCESS_KEY',
] as const;

export const configSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('service-centre'),
  TEMPORAL_UI_URL: urlWithProtocols(['http:', 'https:']).optional(),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']).optional(),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().trim().min(3).default('物业客服中心 <service-centre@localhost>'),
  PORT: port.default(3000),
  PUBLIC_BASE_URL: urlWithProtocols(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  /**
   * The API's Prometheus endpoint, a port of its own beside PORT: the exposition has no login, so it is
   * not served where staff and residents reach the API. 0 turns it off.
   */
  API_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),

  /** The ports of the parts `npm start` runs itself (the embedded default); real deployments ignore them. */
  EMBEDDED_TEMPORAL_PORT: port.default(7233),
  EMBEDDED_TEMPORAL_UI_PORT: port.default(8233),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  EMBEDDED_SMTP_PORT: port.default(2525),
  /**
   * A production start refuses public URLs that point at this machine and the demo mail sink
   * ({@link deploymentProblems}); this lets the production processes run as a demo on one machine.
   */
  ALLOW_DEMO_SETTINGS: flag.default(false),
  /** The worker's Prometheus endpoint (Temporal SDK runtime metrics); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** The worker process's health endpoint `GET /healthz` (its Temporal worker's state); 0 turns it off. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  /**
   * A workflow bundle built ahead (`npm run bundle:workflows`; the image ships one): the worker loads
   * it instead of bundling workflows/ with webpack at every start.
   */
  WORKFLOW_BUNDLE: z.string().trim().min(1).optional(),
  /**
   * Open cases the worker keeps in memory (the SDK's sticky cache); a case out of it is replayed from
   * its history at its next wake-up. Unset, the SDK sizes it from the heap with an allowance per
   * workflow far above what an open case takes here (bench:memory). Sizing: docs/operations.md.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(1_000_000).optional(),
  /** Requests per second each API key may make on average, and the burst it may spend at once. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(100_000).default(60),
  /**
   * Unknown or revoked API keys one client address may send a second, and at once; beyond, 429 before
   * the key is looked up (api/rate-limit.ts BadKeyLimit). Valid keys do not count.
   */
  RATE_LIMIT_BAD_KEYS_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),
  RATE_LIMIT_BAD_KEYS_BURST: z.coerce.number().int().min(1).max(100_000).default(100),
  /** The proxies in front of the API whose X-Forwarded-For is believed (express `trust proxy`). */
  TRUST_PROXY: trustProxy.default(['loopback']),
  /** Days an Idempotency-Key's record is kept; a retry after that is a new request (api/idempotency.ts). */
  IDEMPOTENCY_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** Requests one API process works on at once; beyond, 503 + Retry-After (memory stays bounded). */
  API_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(200),
  /**
   * Cases one API process opens at once; further creates wait their turn up to API_OPENING_WAIT_MS,
   * then 503 + Retry-After with nothing recorded (api/overload.ts admitOpenings). Keeps an intake
   * burst from queueing the deadlines that fall due behind its set-up (docs/deadlines-first.md).
   */
  API_MAX_OPENINGS: z.coerce.number().int().min(1).max(10_000).default(4),
  API_OPENING_WAIT_MS: z.coerce.number().int().min(100).max(14_000).default(10_000),
  /**
   * The cap on openings while deadlines are falling due: an open case's next deadline due within
   * API_DEADLINE_LOOKAHEAD_MS, or fallen due with its breach not yet recorded (api/deadline-pressure.ts).
   * The intake gives way to the escalations only then (docs/deadlines-first.md).
   */
  API_MAX_OPENINGS_NEAR_DEADLINES: z.coerce.number().int().min(1).max(10_000).default(1),
  API_DEADLINE_LOOKAHEAD_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  /**
   * The keys that seal workflow payloads (payload-codec.ts, docs/personal-data.md): the service
   * centre's, which supervisors and managers decode in the Temporal UI; employee complaints' (hr only)
   * and reports' (audit only), C2. Every worker and API process needs all three and refuses to start
   * without them; `npm start` generates them into DATA_DIR when they are unset.
   */
  PAYLOAD_KEYS: payloadKeys.optional(),
  PAYLOAD_KEYS_HR: payloadKeys.optional(),
  PAYLOAD_KEYS_AUDIT: payloadKeys.optional(),
  /**
   * The origins of the Temporal UI whose pages may call the codec endpoint (/api/v1/codec/decode) with
   * the staff member's session. Default: TEMPORAL_UI_URL's origin, else the embedded UI on this machine.
   */
  CODEC_CORS_ORIGINS: origins.optional(),
  /**
   * Signs the console's session cookie and its CSRF tokens (docs/console.md). Every API process of a
   * deployment needs the same one; unset, each process draws its own at start (sessions then end
   * with the process, fine for `npm start`).
   */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Hours a console session lasts without use. */
  SESSION_IDLE_HOURS: z.coerce.number().positive().max(24 * 30).default(10),
  /** Where the local attachment store keeps photos and signatures; default <DATA_DIR>/attachments. */
  ATTACHMENTS_DIR: z.string().trim().min(1).optional(),
  /**
   * An S3-compatible store for photos and signatures instead of the local disk (docs/attachments.md):
   * all five together or none. The API creates the bucket when it is missing.
   */
  ATTACHMENTS_S3_ENDPOINT: urlWithProtocols(['http:', 'https:']).optional(),
  ATTACHMENTS_S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3–63 lower-case letters, digits, dots and hyphens')
    .optional(),
  ATTACHMENTS_S3_REGION: z.string().trim().min(1).optional(),
  ATTACHMENTS_S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  ATTACHMENTS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
}).superRefine((config, ctx) => {
  const set = ATTACHMENTS_S3_VARIABLES.filter((name) => config[name] !== undefined);
  if (set.length > 0 && set.length < ATTACHMENTS_S3_VARIABLES.length) {
    for (const name of ATTACHMENTS_S3_VARIABLES.filter((n) => config[n] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `must be set with ${set.join(', ')}: the S3 attachment store needs all of ${ATTACHMENTS_S3_VARIABLES.join(', ')}` });
    }
  }
  if (config.API_MAX_OPENINGS_NEAR_DEADLINES > config.API_MAX_OPENINGS) {
    ctx.addIssue({
      code: 'custom',
      path: ['API_MAX_OPENINGS_NEAR_DEADLINES'],
      message: `is the cap on openings while deadlines fall due (${config.API_MAX_OPENINGS_NEAR_DEADLINES}), which must not be above API_MAX_OPENINGS (${config.API_MAX_OPENINGS}): the intake gives way to the escalations then, never takes more`,
    });
  }
  if (set.length > 0 && config.ATTACHMENTS_DIR !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['ATTACHMENTS_DIR'], message: 'is the local store, but the ATTACHMENTS_S3_* variables choose the S3 store: set one or the other' });
  }
});

export type Config = z.infer<typeof configSchema>;

/** The names of the variables, so docker-compose.yml can be checked against the code (test/unit/compose.test.ts). */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError with one line per bad variable (values never echoed: they may hold secrets). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    CONFIG_VARIABLES.map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return parsed.data;
}

/** The Temporal UI origins allowed to call the codec endpoint (CODEC_CORS_ORIGINS and its default). */
export function codecCorsOrigins(config: Config): string[] {
  if (config.CODEC_CORS_ORIGINS) return config.CODEC_CORS_ORIGINS.split(',').map((origin) => origin.trim().replace(/\/$/, ''));
  if (config.TEMPORAL_UI_URL) return [new URL(config.TEMPORAL_UI_URL).origin];
  // The embedded UI listens on 127.0.0.1 and is announced as localhost: a browser may use either name.
  return [`http://127.0.0.1:${config.EMBEDDED_TEMPORAL_UI_PORT}`, `http://localhost:${config.EMBEDDED_TEMPORAL_UI_PORT}`];
}

/** The SMTP port of Mailpit, docker-compose.yml's demo inbox (`mail`). */
export const DEMO_INBOX_SMTP_PORT = 1025;

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::';
}

/**
 * What makes a configuration unfit for production although it parses: links in mails that only
 * work on the server itself, and mail that never leaves a demo inbox. One line per problem, naming
 * the variable (never its value: SMTP_URL holds a password). Empty when ALLOW_DEMO_SETTINGS is set.
 * The API and the worker check it at every start; `npm start` only when every part is external.
 */
export function deploymentProblems(config: Config): string[] {
  if (config.ALLOW_DEMO_SETTINGS) return [];
  const problems: string[] = [];
  if (!config.PUBLIC_BASE_URL) {
    problems.push('PUBLIC_BASE_URL is not set: the links in mails (survey invitations, case pages) would point at http://localhost. Set it to the address residents and staff open, e.g. https://service.example.com');
  } else if (isLoopback(new URL(config.PUBLIC_BASE_URL).hostname)) {
    problems.push('PUBLIC_BASE_URL points at localhost: the links in mails (survey invitations, case pages) would lead nowhere for their readers. Set it to the address residents and staff open, e.g. https://service.example.com');
  }
  if (config.TEMPORAL_UI_URL && isLoopback(new URL(config.TEMPORAL_UI_URL).hostname)) {
    problems.push("TEMPORAL_UI_URL points at localhost: the Temporal UI links in supervisors' mails would lead nowhere. Set it to the address supervisors open the UI at (behind your login proxy), or unset it to leave the links out");
  }
  if (config.SMTP_URL) {
    const smtp = new URL(config.SMTP_URL);
    const smtpPort = Number(smtp.port || (smtp.protocol === 'smtps:' ? 465 : 25));
    if (smtpPort === DEMO_INBOX_SMTP_PORT || (smtpPort === config.EMBEDDED_SMTP_PORT && isLoopback(smtp.hostname))) {
      problems.push('SMTP_URL is a demo mail sink (Mailpit, or the mail sink of npm start): no mail would reach anyone. Set it to your mail server, e.g. smtps://user:password@smtp.example.com:465');
    }
  }
  return problems;
}

export class DeploymentError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Refusing to start as a production deployment:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'To run the production processes as a demo on one machine anyway, set ALLOW_DEMO_SETTINGS=true.',
    );
    this.name = 'DeploymentError';
  }
}

/** Throws DeploymentError when {@link deploymentProblems} finds any. */
export function assertDeployable(config: Config): void {
  const problems = deploymentProblems(config);
  if (problems.length > 0) throw new DeploymentError(problems);
}
