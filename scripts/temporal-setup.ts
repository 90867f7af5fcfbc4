/**
 * How the Temporal server of the production shape is started and set up, defined once: its
 * command line, its environment, its dynamic config, the schema steps and the namespace and search
 * attribute registration. scripts/cluster.ts runs these natively; docker-compose.yml's `temporal`
 * service, `temporal-schema` and `temporal-register` jobs carry the same command lines and variables,
 * and test/unit/compose.test.ts compares them with what these functions return.
 */
import { join } from 'node:path';
import { searchAttributeCliSpecs } from '../workflows/search-attributes';

/** deploy/temporal-server/service-centre.yaml: the server's configuration, a template both shapes render through the server itself. */
export const SERVER_CONFIG_DIR = join(__dirname, '..', 'deploy', 'temporal-server');
/** The server's `--env`, which names the file it loads from its config folder. */
export const SERVER_CONFIG_ENV = 'service-centre';
/**
 * Its dynamic config, beside it: the values every dev server gets as `--dynamic-config-value`
 * (scripts/temporal-cli.ts SERVER_DYNAMIC_CONFIG; test/unit/compose.test.ts compares them).
 */
export const SERVER_DYNAMIC_CONFIG_FILE = join(SERVER_CONFIG_DIR, 'dynamicconfig.yaml');

/**
 * `temporal-server` arguments with the config folder at `configDir`. `--root /` because the server
 * joins root and config folder: an absolute folder under the default root `.` would turn relative.
 * No authorizer: the frontend is reachable only by our own processes (compose binds it to
 * 127.0.0.1 on the host), and `--allow-no-auth` says so instead of a warning at every start.
 */
export function serverArgs(configDir: string): string[] {
  return ['--root', '/', '--config', configDir, '--env', SERVER_CONFIG_ENV, '--allow-no-auth', 'start'];
}

/** Every variable deploy/temporal-server/service-centre.yaml reads (compose.test.ts checks the template against this list). */
export const SERVER_VARIABLES = [
  'TEMPORAL_LOG_LEVEL',
  'TEMPORAL_NUM_HISTORY_SHARDS',
  'TEMPORAL_DB_HOST',
  'TEMPORAL_DB_PORT',
  'TEMPORAL_DB_USER',
  'TEMPORAL_DB_PASSWORD',
  'TEMPORAL_BROADCAST_ADDRESS',
  'TEMPORAL_METRICS_ADDRESS',
  'TEMPORAL_BIND_ON_IP',
  'TEMPORAL_FRONTEND_PORT',
  'TEMPORAL_FRONTEND_MEMBERSHIP_PORT',
  'TEMPORAL_HISTORY_PORT',
  'TEMPORAL_HISTORY_MEMBERSHIP_PORT',
  'TEMPORAL_MATCHING_PORT',
  'TEMPORAL_MATCHING_MEMBERSHIP_PORT',
  'TEMPORAL_WORKER_PORT',
  'TEMPORAL_WORKER_MEMBERSHIP_PORT',
  'TEMPORAL_DYNAMIC_CONFIG_FILE',
] as const;
export type ServerVariable = (typeof SERVER_VARIABLES)[number];

/** Ports of the four services in the one server process; the template's defaults are the upstream ones. */
export interface ServerPorts {
  frontend: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface ServerEnvInput {
  db: { host: string; port: number; user: string; password: string };
  dynamicConfigFile: string;
  /** Omitted: the template's defaults (7233…, as in compose). */
  ports?: ServerPorts;
  /** host:port for the server's Prometheus metrics; omitted, none. */
  metricsAddress?: string;
  logLevel?: string;
}

/**
 * The server's environment as the native stack sets it. Compose sets the same database, dynamic
 * config and log variables, binds on 0.0.0.0 inside its container and keeps the default ports.
 */
export function serverEnv(input: ServerEnvInput): Partial<Record<ServerVariable, string>> {
  const ports = input.ports;
  return {
    TEMPORAL_LOG_LEVEL: input.logLevel ?? 'warn',
    TEMPORAL_DB_HOST: input.db.host,
    TEMPORAL_DB_PORT: String(input.db.port),
    TEMPORAL_DB_USER: input.db.user,
    TEMPORAL_DB_PASSWORD: input.db.password,
    TEMPORAL_DYNAMIC_CONFIG_FILE: input.dynamicConfigFile,
    TEMPORAL_BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    ...(input.metricsAddress ? { TEMPORAL_METRICS_ADDRESS: input.metricsAddress } : {}),
    ...(ports
      ? {
          TEMPORAL_FRONTEND_PORT: String(ports.frontend),
          TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
          TEMPORAL_HISTORY_PORT: String(ports.history),
          TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
          TEMPORAL_MATCHING_PORT: String(ports.matching),
          TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
          TEMPORAL_WORKER_PORT: String(ports.worker),
          TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
        }
      : {}),
  };
}

/**
 * The Postgres server's options in both shapes: the Temporal server opens a persistence pool (20) and
 * a visibility pool (10) for each of its four services, and the application's processes theirs.
 */
export const POSTGRES_SERVER_FLAGS = ['-c', 'max_connections=200'];

/**
 * The UI server's environment, read by the `docker.yaml` config the `temporalio/ui` image runs with
 * (scripts/temporal-server.ts keeps a copy beside the native binary). Compose sets the same and keeps
 * the image's port; it also puts the UI behind its OIDC login (TEMPORAL_AUTH_*), which a machine
 * without an identity provider cannot, so the native UI listens on loopback only.
 */
export function uiServerEnv(input: { temporalAddress: string; namespace: string; origin: string; port: number; codecEndpoint: string }): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: input.temporalAddress,
    TEMPORAL_DEFAULT_NAMESPACE: input.namespace,
    // The origin people open the UI at (scheme://host[:port]).
    TEMPORAL_CORS_ORIGINS: input.origin,
    // The supervisors' console is read-only: a case changes through the API and its audit log (docs/security.md).
    TEMPORAL_DISABLE_WRITE_ACTIONS: 'true',
    TEMPORAL_UI_PORT: String(input.port),
    // Payloads are sealed: the UI decodes them through the API's codec endpoint with the browser's
    // console session (credentials included), so only a signed-in reader sees them (docs/personal-data.md).
    TEMPORAL_CODEC_ENDPOINT: input.codecEndpoint,
    TEMPORAL_CODEC_INCLUDE_CREDENTIALS: 'true',
    TEMPORAL_CODEC_DEFAULT_ERROR_MESSAGE: CODEC_SIGN_IN_MESSAGE,
  };
}

/** What the UI says where it cannot decode a payload (no session, or a role that may not read it). */
export const CODEC_SIGN_IN_MESSAGE = "Sign in to the service centre console to read this case's data (supervisors and managers).";

/** The UI server's arguments with the config folder at `configDir`: the image's `ui-server --env docker start`. */
export function uiServerArgs(configDir: string): string[] {
  return ['--root', '/', '--config', configDir, '--env', 'docker', 'start'];
}

/** The Postgres role Temporal's two databases belong to; it creates them itself (CREATEDB). */
export const TEMPORAL_DB_ROLE = 'temporal';

/** Temporal's databases and the schema of each, as temporal-sql-tool embeds them (the same tool version in admin-tools). */
export const TEMPORAL_DATABASES = [
  { database: 'temporal', schema: 'postgresql/v12/temporal' },
  { database: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

export interface SqlEndpoint {
  host: string;
  port: number;
  user: string;
}

/**
 * temporal-sql-tool argument lists, in order: each database created (nothing if it exists), its
 * versioning tables set up at 0.0 (nothing if newer), then updated to the newest schema the tool
 * carries (only the missing versions). So running them at every start is safe, and after an
 * upgrade of the server they apply its new schema versions. The password comes from SQL_PASSWORD.
 */
export function schemaSteps(db: SqlEndpoint): string[][] {
  const connect = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user];
  return TEMPORAL_DATABASES.flatMap(({ database, schema }) => [
    [...connect, '--db', database, 'create-database'],
    [...connect, '--db', database, 'setup-schema', '-v', '0.0'],
    [...connect, '--db', database, 'update-schema', '--schema-name', schema],
  ]);
}

/** How long Temporal keeps a closed case's history (and shows it in its UI); Postgres keeps cases for good. */
export const NAMESPACE_RETENTION = '720h';

export type CliStep =
  /** Runs `run`, unless `unless` succeeds (the step is already done). */
  | { run: string[]; unless?: string[] }
  /** Waits (a second between tries, a minute at most) until this succeeds. */
  | { waitUntil: string[] };

/**
 * `temporal` CLI argument lists registering the namespace (unless it exists) and each search
 * attribute of workflows/search-attributes.ts through the operator API. A new namespace reaches the
 * frontend's namespace cache a few seconds after it is created: the attributes wait for it.
 * Registering an attribute again with the same type succeeds; with another type it fails, which is
 * what we want to hear.
 */
export function registerSteps(address: string, namespace: string): CliStep[] {
  return [
    {
      unless: ['operator', 'namespace', 'describe', '--namespace', namespace, '--address', address],
      run: ['operator', 'namespace', 'create', '--namespace', namespace, '--retention', NAMESPACE_RETENTION, '--address', address],
    },
    { waitUntil: ['operator', 'search-attribute', 'list', '--namespace', namespace, '--address', address] },
    ...searchAttributeCliSpecs().map(({ name, type }) => ({
      run: ['operator', 'search-attribute', 'create', '--namespace', namespace, '--address', address, '--name', name, '--type', type],
    })),
  ];
}
