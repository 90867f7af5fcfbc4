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
  /** The worker's Prometheus endpoint (Temporal SDK runtime metrics); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * Open cases the worker keeps in memory (the SDK's sticky cache); a case out of it is replayed from
   * its history at its next wake-up. Unset, the SDK sizes it from the heap with an allowance per
   * workflow far above what an open case takes here (bench:memory). Sizing: docs/operations.md.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(1_000_000).optional(),
  /** Requests per second each API key may make on average, and the burst it may spend at once. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Requests one API process works on at once; beyond, 503 + Retry-After (memory stays bounded). */
  API_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(200),
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
