import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parseDocument } from 'yaml';
import { ATTACHMENTS_S3_VARIABLES, codecCorsOrigins, CONFIG_VARIABLES, deploymentProblems, loadConfig } from '../../config';
import { payloadKeyring } from '../../payload-codec';
import { dynamicConfigArgs, SERVER_DYNAMIC_CONFIG } from '../../scripts/temporal-cli';
import { COMPOSE_IMAGES, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../scripts/temporal-server';
import { MINIO_IMAGE, MINIO_RELEASE } from '../../scripts/minio';
import { s3SettingsOf } from '../../api/s3-store';
import {
  POSTGRES_SERVER_FLAGS,
  registerSteps,
  schemaSteps,
  SERVER_CONFIG_DIR,
  SERVER_CONFIG_ENV,
  SERVER_DYNAMIC_CONFIG_FILE,
  SERVER_VARIABLES,
  serverArgs,
  serverEnv,
  TEMPORAL_DB_ROLE,
  uiServerEnv,
  type CliStep,
} from '../../scripts/temporal-setup';
import { WORKER_SHUTDOWN } from '../../worker';
import { searchAttributeCliSpecs } from '../../workflows/search-attributes';

/**
 * docker-compose.yml and the Dockerfile are the production shape (docs/architecture.md §6). No Docker engine
 * runs in the tests, so this checks them statically against the code they deploy: config.ts,
 * workflows/search-attributes.ts, what tsconfig.build.json emits, and the native run of the same
 * shape (scripts/cluster.ts, test/cluster/): the same server version, server config, dynamic
 * config, schema steps, registration and environment (scripts/temporal-setup.ts).
 */

const root = path.resolve(__dirname, '../..');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfileText = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

type Env = Record<string, string>;
type Healthcheck = { test?: string[] | string; disable?: boolean };
type DependsOn = string[] | Record<string, { condition?: string }>;
type Service = {
  image?: string;
  stop_grace_period?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  expose?: (string | number)[];
  healthcheck?: Healthcheck;
  depends_on?: DependsOn;
  restart?: string;
  deploy?: { replicas?: number };
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
};
type Compose = { services: Record<string, Service> };
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };

const composeDoc = parseDocument(composeText, { merge: true });
const compose = composeDoc.toJS() as Compose;
const services = compose.services;

/** Stand-ins for required variables whose format config.ts checks: what an operator's .env would hold. */
const REQUIRED_STANDINS: Env = {
  PAYLOAD_KEYS: `2026-12:${Buffer.alloc(32, 1).toString('base64')}`,
  PAYLOAD_KEYS_HR: `hr-2026-12:${Buffer.alloc(32, 2).toString('base64')}`,
  PAYLOAD_KEYS_AUDIT: `audit-2026-12:${Buffer.alloc(32, 3).toString('base64')}`,
};

/**
 * Compose's own interpolation: `$$` → `$`, a variable set in `vars` (an .env file) → its value, else
 * `${X:-default}` → default, `${X:?error}` → a stand-in.
 */
function interpolate(value: string, vars: Env = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g, (match, name?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    if (name && vars[name]) return vars[name];
    if (op === ':-' || op === '-') return arg ?? '';
    if (op === ':?' || op === '?') return REQUIRED_STANDINS[name!] ?? `required-${name!.toLowerCase().replace(/_/g, '-')}`;
    if (op === ':+' || op === '+') return '';
    return '';
  });
}

/** A service's environment as Compose hands it to the container (list or map form, interpolated). */
function envOf(name: string, vars: Env = {}): Env {
  const environment = services[name]?.environment ?? {};
  const entries = Array.isArray(environment)
    ? environment.map((line) => {
        const eq = line.indexOf('=');
        return eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(environment).map(([key, value]) => [key, value == null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value, vars)]));
}

/** Container-side ports a service listens on: `ports` (short or long form) and `expose`. */
function containerPorts(name: string): number[] {
  const service = services[name];
  const fromPorts = (service.ports ?? []).map((port) =>
    typeof port === 'object' ? Number(port.target) : Number(String(port).replace(/\/(tcp|udp)$/, '').split(':').pop()),
  );
  const fromExpose = (service.expose ?? []).map((port) => Number(String(port).replace(/\/(tcp|udp)$/, '')));
  return [...fromPorts, ...fromExpose];
}

/** `[host-ip:]published:target` pairs of a service's `ports`. */
function publishedPorts(name: string): { published: number; target: number }[] {
  return (services[name].ports ?? []).map((port) => {
    if (typeof port === 'object') return { published: Number(port.published), target: Number(port.target) };
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    return { published: Number(parts.at(-2)), target: Number(parts.at(-1)) };
  });
}

function dependsOn(name: string): Record<string, string> {
  const deps = services[name].depends_on ?? {};
  return Array.isArray(deps)
    ? Object.fromEntries(deps.map((dep) => [dep, 'service_started']))
    : Object.fromEntries(Object.entries(deps).map(([dep, spec]) => [dep, spec?.condition ?? 'service_started']));
}

const SERVICES = ['postgres', 'temporal-schema', 'temporal', 'temporal-register', 'temporal-ui', 'mail', 'minio', 'migrate', 'api', 'worker'];
const APP_SERVICES = ['migrate', 'api', 'worker'];
const ONE_SHOT = ['temporal-schema', 'temporal-register', 'migrate'];

/** The lines of a one-shot job's `sh -c` script, after Compose's interpolation. */
function scriptLines(name: string): string[] {
  return interpolate([services[name].command].flat().join('\n'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('set -'));
}

/** A registration step as a line of temporal-register's script. */
function registerLine(step: CliStep): string {
  const temporal = (argv: string[]) => `temporal ${argv.join(' ')}`;
  if ('waitUntil' in step) {
    return `tries=0; until ${temporal(step.waitUntil)} >/dev/null 2>&1; do tries=$((tries + 1)); if [ "$tries" -ge 60 ]; then exit 1; fi; sleep 1; done`;
  }
  return step.unless ? `${temporal(step.unless)} >/dev/null 2>&1 || ${temporal(step.run)}` : temporal(step.run);
}

/** A service's bind mounts (`./host:container[:ro]`), the host side resolved against the compose file's folder. */
function bindMounts(name: string): { source: string; target: string; readOnly: boolean }[] {
  return (services[name].volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object') return volume.type === 'bind' && volume.source ? [{ source: path.resolve(root, volume.source), target: volume.target, readOnly: !!volume.read_only }] : [];
    const [source, target, mode] = volume.split(':');
    return /^[./]/.test(source) ? [{ source: path.resolve(root, source), target, readOnly: mode === 'ro' }] : [];
  });
}

/** A compose duration (`60s`, `1m30s`) in milliseconds. */
function durationMs(value: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return [...value.matchAll(/(\d+)(ms|s|m|h)/g)].reduce((ms, [, n, unit]) => ms + Number(n) * units[unit], 0);
}

const LONG_RUNNING = SERVICES.filter((name) => !ONE_SHOT.includes(name));

describe('docker-compose.yml', () => {
  test('parses as YAML (anchors and merge keys resolved)', () => {
    expect(composeDoc.errors).toEqual([]);
    expect(composeDoc.warnings).toEqual([]);
    expect(typeof compose.services).toBe('object');
  });

  test('defines postgres, temporal-schema, temporal, temporal-register, temporal-ui, mail, minio, migrate, api and worker', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(SERVICES));
  });

  test('api, worker and migrate set only environment variables that config.ts reads (CONFIG_VARIABLES)', () => {
    for (const name of APP_SERVICES) {
      const unknown = Object.keys(envOf(name)).filter((key) => !(CONFIG_VARIABLES as string[]).includes(key));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  test('api, worker and migrate environments pass the config.ts validation', () => {
    for (const name of APP_SERVICES) {
      expect(() => loadConfig(envOf(name))).not.toThrow();
    }
  });

  test('api and worker set DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL (no embedded parts in production)', () => {
    for (const name of ['api', 'worker']) {
      expect(Object.keys(envOf(name))).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL']));
    }
  });

  test('TEMPORAL_ADDRESS names the temporal service and a port it exposes (7233)', () => {
    for (const name of ['api', 'worker']) {
      const [host, port] = envOf(name).TEMPORAL_ADDRESS.split(':');
      expect(host).toBe('temporal');
      expect(Number(port)).toBe(7233);
      expect(containerPorts(host)).toContain(Number(port));
    }
  });

  test("SMTP_URL names the mail service and its SMTP port, and Mailpit's web inbox is published", () => {
    for (const name of ['api', 'worker']) {
      const url = new URL(envOf(name).SMTP_URL);
      expect(url.hostname).toBe('mail');
      expect(Number(url.port)).toBe(1025);
      expect(containerPorts(url.hostname)).toContain(Number(url.port));
    }
    expect(services.mail.image).toMatch(/^axllent\/mailpit:/);
    expect(publishedPorts('mail').map((p) => p.target)).toContain(8025);
  });

  test('its defaults are a demo on one host, which the api and worker refuse unless ALLOW_DEMO_SETTINGS=true', () => {
    for (const name of ['api', 'worker']) {
      const problems = deploymentProblems(loadConfig(envOf(name)));
      expect(problems.map((p) => p.split(' ')[0])).toEqual(['PUBLIC_BASE_URL', 'TEMPORAL_UI_URL', 'SMTP_URL']);
      expect(deploymentProblems(loadConfig(envOf(name, { ALLOW_DEMO_SETTINGS: 'true' })))).toEqual([]);
    }
  });

  test('an .env with the real addresses and mail server makes a deployment the api and worker accept', () => {
    const dotEnv = {
      PUBLIC_BASE_URL: 'https://service.example.com',
      TEMPORAL_UI_URL: 'https://temporal.service.example.com',
      SMTP_URL: 'smtps://service-centre%40example.com:app-password@smtp.example.com:465',
    };
    for (const name of ['api', 'worker']) {
      expect(deploymentProblems(loadConfig(envOf(name, dotEnv)))).toEqual([]);
    }
  });

  test('DATABASE_URL names the postgres service and the service_centre database', () => {
    for (const name of APP_SERVICES) {
      const url = new URL(envOf(name).DATABASE_URL);
      expect(url.hostname).toBe('postgres');
      expect(url.pathname).toBe('/service_centre');
      expect(containerPorts(url.hostname)).toContain(Number(url.port || 5432));
    }
  });

  test("the api's published port is the PORT it listens on (config.ts default unless PORT is set)", () => {
    const { PORT } = loadConfig(envOf('api'));
    expect(publishedPorts('api').map((p) => p.target)).toContain(PORT);
  });

  test("the api's metrics port (API_METRICS_PORT) is exposed to the compose network and never published", () => {
    const { API_METRICS_PORT, PORT } = loadConfig(envOf('api'));
    expect(API_METRICS_PORT).toBeGreaterThan(0);
    expect(API_METRICS_PORT).not.toBe(PORT);
    expect(containerPorts('api')).toContain(API_METRICS_PORT);
    expect(publishedPorts('api').map((p) => p.target)).not.toContain(API_METRICS_PORT);
  });

  test('the api healthcheck probes GET /healthz', () => {
    const check = services.api.healthcheck?.test;
    expect(Array.isArray(check) ? check.join(' ') : check).toContain('/healthz');
  });

  test('the temporal service runs with the dynamic config file the native stack uses, holding what every dev server gets (SERVER_DYNAMIC_CONFIG)', () => {
    const mount = bindMounts('temporal').find((m) => m.source === SERVER_CONFIG_DIR)!;
    expect(envOf('temporal').TEMPORAL_DYNAMIC_CONFIG_FILE).toBe(path.posix.join(mount.target, path.basename(SERVER_DYNAMIC_CONFIG_FILE)));
    // The server's file format: each key holds a list of values with optional constraints.
    const file = parseDocument(readFileSync(SERVER_DYNAMIC_CONFIG_FILE, 'utf8')).toJS() as Record<string, { value: unknown; constraints?: unknown }[]>;
    expect(file).toEqual(Object.fromEntries(Object.entries(SERVER_DYNAMIC_CONFIG).map(([key, value]) => [key, [{ value }]])));
    expect(dynamicConfigArgs()).toEqual([
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
      '--dynamic-config-value',
      'matching.useNewMatcher=true',
    ]);
  });

  test('the images run the versions the native stack builds: server and admin-tools 1.29.1, UI 2.42.1 (scripts/temporal-server.ts)', () => {
    expect(TEMPORAL_SERVER_VERSION).toBe('v1.29.1');
    expect(TEMPORAL_UI_VERSION).toBe('v2.42.1');
    expect(services.temporal.image).toBe(COMPOSE_IMAGES.server);
    expect(services.temporal.image).toBe('temporalio/server:1.29.1');
    for (const job of ['temporal-schema', 'temporal-register']) expect(services[job].image).toBe(COMPOSE_IMAGES.adminTools);
    expect(COMPOSE_IMAGES.adminTools).toMatch(/^temporalio\/admin-tools:1\.29\.1-/);
    expect(services['temporal-ui'].image).toBe(COMPOSE_IMAGES.ui);
    // The deprecated all-in-one image is gone: the schema is set up by a job of its own, as natively.
    expect(Object.values(services).map((service) => service.image ?? '')).not.toContainEqual(expect.stringMatching(/auto-setup/));
  });

  test('temporal runs the server binary with the native command line on the config folder the native stack uses (deploy/temporal-server, mounted read-only)', () => {
    const mount = bindMounts('temporal').find((m) => m.source === SERVER_CONFIG_DIR);
    expect(mount).toMatchObject({ readOnly: true });
    expect([services.temporal.entrypoint].flat()).toEqual(['temporal-server', ...serverArgs(mount!.target)]);
    expect(services.temporal.command).toBeUndefined();
    expect(existsSync(path.join(SERVER_CONFIG_DIR, `${SERVER_CONFIG_ENV}.yaml`))).toBe(true);
  });

  test('the server config template reads exactly the variables scripts/temporal-setup.ts knows (SERVER_VARIABLES), and the server renders it itself', () => {
    const template = readFileSync(path.join(SERVER_CONFIG_DIR, `${SERVER_CONFIG_ENV}.yaml`), 'utf8');
    expect(template.split('\n')[0]).toBe('# enable-template');
    const read = new Set([...template.matchAll(/env "([A-Z0-9_]+)"/g)].map(([, name]) => name));
    expect([...read].sort()).toEqual([...SERVER_VARIABLES].sort());
    // Temporal's databases are the ones the schema steps set up.
    const databases = [...template.matchAll(/databaseName: (\S+)/g)].map(([, name]) => name);
    const created = schemaSteps({ host: 'h', port: 1, user: 'u' }).filter((step) => step.at(-1) === 'create-database');
    expect(databases).toEqual(created.map((step) => step[step.indexOf('--db') + 1]));
  });

  test("temporal's environment is the native stack's (serverEnv): the same variables, database role, log level and broadcast address", () => {
    const composeEnv = envOf('temporal');
    const native = serverEnv({ db: { host: 'postgres', port: 5432, user: TEMPORAL_DB_ROLE, password: 'x' }, dynamicConfigFile: '/x.yaml' });
    expect(Object.keys(composeEnv).sort()).toEqual(Object.keys(native).sort());
    expect(composeEnv).toMatchObject({
      TEMPORAL_DB_HOST: 'postgres',
      TEMPORAL_DB_USER: TEMPORAL_DB_ROLE,
      TEMPORAL_LOG_LEVEL: native.TEMPORAL_LOG_LEVEL,
      TEMPORAL_BROADCAST_ADDRESS: native.TEMPORAL_BROADCAST_ADDRESS,
      // In its container the frontend must take connections from the others.
      TEMPORAL_BIND_ON_IP: '0.0.0.0',
    });
    expect(containerPorts('postgres')).toContain(Number(composeEnv.TEMPORAL_DB_PORT));
    // The ports stay the template's defaults, which the app's TEMPORAL_ADDRESS and the healthcheck use.
    expect(containerPorts('temporal')).toContain(7233);
  });

  test('temporal-schema runs the native schema steps line for line (temporal-sql-tool, the schema embedded in the tool) before the server starts', () => {
    const steps = schemaSteps({ host: 'postgres', port: 5432, user: TEMPORAL_DB_ROLE });
    expect(scriptLines('temporal-schema')).toEqual(steps.map((argv) => `temporal-sql-tool ${argv.join(' ')}`));
    expect(envOf('temporal-schema').SQL_PASSWORD).toMatch(/^required-/);
    expect(dependsOn('temporal-schema')).toMatchObject({ postgres: 'service_healthy' });
    expect(dependsOn('temporal')).toMatchObject({ 'temporal-schema': 'service_completed_successfully' });
  });

  test('postgres runs with the server flags the native stack gives the embedded one, and creates role temporal allowed to create its databases', () => {
    expect([services.postgres.command].flat()).toEqual(['postgres', ...POSTGRES_SERVER_FLAGS]);
    const initScript = bindMounts('postgres').find((m) => m.target.startsWith('/docker-entrypoint-initdb.d/'));
    expect(initScript).toMatchObject({ readOnly: true });
    const init = readFileSync(initScript!.source, 'utf8');
    expect(init).toContain('CREATE DATABASE service_centre OWNER service_centre');
    expect(init).toContain(`CREATE ROLE ${TEMPORAL_DB_ROLE} LOGIN CREATEDB PASSWORD`);
    // Temporal's databases are created by temporal-sql-tool (create-database), as natively.
    expect(init).not.toMatch(/CREATE DATABASE temporal/);
  });

  test('temporal-register runs the native registration line for line: the namespace, then exactly the search attributes of workflows/search-attributes.ts', () => {
    const namespace = loadConfig(envOf('worker')).TEMPORAL_NAMESPACE;
    const address = envOf('worker').TEMPORAL_ADDRESS;
    const steps = registerSteps(address, namespace);
    const lines = scriptLines('temporal-register');
    expect(lines.slice(0, steps.length)).toEqual(steps.map(registerLine));
    // Then it lists what is registered, for the job's log.
    expect(lines.slice(steps.length)).toEqual([`temporal operator search-attribute list --namespace ${namespace} --address ${address}`]);

    const creates = lines.filter((line) => /temporal operator search-attribute create\b/.test(line));
    const registered = creates.flatMap((line) =>
      [...line.matchAll(/--name[ =](\S+)\s+--type[ =](\S+)/g)].map(([, name, type]) => ({ name, type })),
    );
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(registered.sort(byName)).toEqual(searchAttributeCliSpecs().sort(byName));
    expect(dependsOn('temporal-register')).toMatchObject({ temporal: 'service_healthy' });
  });

  test("temporal-ui gets the UI server's variables the native stack sets (uiServerEnv), read-only on the app's namespace and Temporal address, plus its login", () => {
    const native = uiServerEnv({ temporalAddress: 'x:1', namespace: 'n', origin: 'http://x', port: 8080, codecEndpoint: 'http://y/api/v1/codec' });
    const composeEnv = envOf('temporal-ui');
    const withoutLogin = Object.keys(composeEnv).filter((key) => !key.startsWith('TEMPORAL_AUTH_'));
    expect(withoutLogin.sort()).toEqual(Object.keys(native).filter((key) => key !== 'TEMPORAL_UI_PORT').sort());
    expect(composeEnv.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe(native.TEMPORAL_DISABLE_WRITE_ACTIONS);
    expect(composeEnv.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe(native.TEMPORAL_CODEC_INCLUDE_CREDENTIALS);
    expect(composeEnv.TEMPORAL_CODEC_DEFAULT_ERROR_MESSAGE).toBe(native.TEMPORAL_CODEC_DEFAULT_ERROR_MESSAGE);
    expect(composeEnv.TEMPORAL_ADDRESS).toBe(envOf('worker').TEMPORAL_ADDRESS);
    expect(composeEnv.TEMPORAL_DEFAULT_NAMESPACE).toBe(loadConfig(envOf('worker')).TEMPORAL_NAMESPACE);
    expect(publishedPorts('temporal-ui').map((p) => p.target)).toContain(8080);
  });

  test("the Temporal UI is the supervisors' console: behind its OIDC login, read-only, on 127.0.0.1 only", () => {
    const ui = envOf('temporal-ui');
    expect(ui).toMatchObject({ TEMPORAL_AUTH_ENABLED: 'true', TEMPORAL_DISABLE_WRITE_ACTIONS: 'true' });
    // The OIDC client is the deployment's to give, like the passwords: compose refuses to start without it.
    for (const key of ['TEMPORAL_AUTH_PROVIDER_URL', 'TEMPORAL_AUTH_CLIENT_ID', 'TEMPORAL_AUTH_CLIENT_SECRET']) expect({ key, value: ui[key] }).toEqual({ key, value: expect.stringMatching(/^required-/) });
    expect(new URL(ui.TEMPORAL_AUTH_CALLBACK_URL).pathname).toBe('/auth/sso/callback');
    expect(ui.TEMPORAL_AUTH_SCOPES.split(',')).toContain('openid');
    for (const port of services['temporal-ui'].ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:/);
    // Write actions off is enforced by the UI server itself from 2.42 on (its DisableWriteMiddleware).
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:2\.(4[2-9]|[5-9]\d)\./);
  });

  test('api and worker refuse to start without the payload keys, and the Temporal UI decodes through the api’s codec endpoint with the browser’s session', () => {
    const keyVariables = ['PAYLOAD_KEYS', 'PAYLOAD_KEYS_HR', 'PAYLOAD_KEYS_AUDIT'];
    for (const name of ['api', 'worker']) {
      const raw = services[name].environment as Record<string, string>;
      for (const key of keyVariables) expect({ name, key, value: raw[key] }).toEqual({ name, key, value: expect.stringMatching(new RegExp(`^\\$\\{${key}:\\?`)) });
      expect(() => payloadKeyring(loadConfig(envOf(name)))).not.toThrow();
    }
    const ui = envOf('temporal-ui');
    const api = loadConfig(envOf('api'));
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`${api.PUBLIC_BASE_URL}/api/v1/codec`);
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    // The UI's origin may call the codec endpoint: the one it is opened at, from TEMPORAL_UI_URL.
    expect(codecCorsOrigins(api)).toEqual([ui.TEMPORAL_CORS_ORIGINS]);
    const dotEnv = { TEMPORAL_UI_URL: 'https://temporal.service.example.com', PUBLIC_BASE_URL: 'https://service.example.com' };
    expect(codecCorsOrigins(loadConfig(envOf('api', dotEnv)))).toEqual([envOf('temporal-ui', dotEnv).TEMPORAL_CORS_ORIGINS]);
    expect(envOf('temporal-ui', dotEnv).TEMPORAL_CODEC_ENDPOINT).toBe('https://service.example.com/api/v1/codec');
  });

  test("the worker's healthcheck asks its GET /healthz on WORKER_HEALTH_PORT, and its stop_grace_period outlasts the worker's own shutdown (WORKER_SHUTDOWN)", () => {
    const check = [services.worker.healthcheck?.test].flat().join(' ');
    expect(check).toContain('/healthz');
    expect(check).toContain(`process.env.WORKER_HEALTH_PORT || ${loadConfig({}).WORKER_HEALTH_PORT}`);
    expect(check).not.toContain('TEMPORAL_ADDRESS');
    const grace = durationMs(services.worker.stop_grace_period ?? '10s');
    expect(WORKER_SHUTDOWN.graceMs).toBeLessThan(WORKER_SHUTDOWN.forceMs);
    expect(WORKER_SHUTDOWN.forceMs).toBeLessThan(grace);
  });

  test('every long-running service has a healthcheck', () => {
    for (const name of LONG_RUNNING) {
      const check = services[name].healthcheck;
      expect({ service: name, hasHealthcheck: Boolean(check?.test) && !check?.disable }).toEqual({
        service: name,
        hasHealthcheck: true,
      });
    }
  });

  test('one-shot jobs (temporal-schema, temporal-register, migrate) are not restarted once they finish', () => {
    for (const name of ONE_SHOT) {
      expect(services[name].restart ?? 'no').toBe('no');
    }
  });

  test('api and worker start only after migrations and search-attribute registration completed successfully', () => {
    for (const name of ['api', 'worker']) {
      expect(dependsOn(name)).toMatchObject({
        migrate: 'service_completed_successfully',
        'temporal-register': 'service_completed_successfully',
      });
    }
    expect(dependsOn('migrate')).toMatchObject({ postgres: 'service_healthy' });
  });

  test('migrate, api and worker run the image built from the Dockerfile; the worker scales out to 2 replicas', () => {
    for (const name of APP_SERVICES) {
      expect(services[name].build).toBeDefined();
    }
    expect(services.worker.deploy?.replicas).toBe(2);
  });

  test(`minio runs the MinIO release the tests build natively (${MINIO_RELEASE}, scripts/minio.ts), keeps its data in a named volume, and answers its own health check`, () => {
    expect(services.minio.image).toBe(MINIO_IMAGE);
    expect(services.minio.volumes).toEqual(['minio-data:/data']);
    expect(services.minio.command).toEqual(['server', '/data']);
    expect(services.minio.healthcheck?.test).toEqual(['CMD', 'mc', 'ready', 'local']);
    expect(services.minio.ports ?? []).toEqual([]);
  });

  test("the api's attachment store is minio: exactly the ATTACHMENTS_S3_* variables config.ts reads, its S3 port, its credentials from the environment", () => {
    const api = envOf('api');
    expect(Object.keys(api).filter((key) => key.startsWith('ATTACHMENTS_')).sort()).toEqual([...ATTACHMENTS_S3_VARIABLES].sort());
    const s3 = s3SettingsOf(loadConfig(api))!;
    const endpoint = new URL(s3.endpoint);
    expect(endpoint.hostname).toBe('minio');
    expect(containerPorts('minio')).toContain(Number(endpoint.port));
    expect(s3.accessKeyId).toBe(envOf('minio').MINIO_ROOT_USER);
    expect(s3.secretAccessKey).toBe(envOf('minio').MINIO_ROOT_PASSWORD);
    expect([s3.accessKeyId, s3.secretAccessKey]).toEqual([expect.stringMatching(/^required-/), expect.stringMatching(/^required-/)]);
    // Only the api keeps attachments; nothing is written to a volume of its own any more.
    for (const name of ['worker', 'migrate']) expect(Object.keys(envOf(name)).filter((key) => key.startsWith('ATTACHMENTS_'))).toEqual([]);
    expect(services.api.volumes ?? []).toEqual([]);
    expect(dependsOn('api')).toMatchObject({ minio: 'service_healthy' });
    expect(Object.keys(dependsOn('worker'))).not.toContain('minio');
  });

  test('database passwords come from the environment, never literals in the file', () => {
    const secrets: Env = { ...envOf('postgres'), PWD: envOf('temporal').TEMPORAL_DB_PASSWORD, SQL: envOf('temporal-schema').SQL_PASSWORD };
    for (const key of ['POSTGRES_PASSWORD', 'APP_DB_PASSWORD', 'TEMPORAL_DB_PASSWORD', 'PWD', 'SQL']) {
      expect(secrets[key]).toMatch(/^required-/);
    }
    expect(new URL(envOf('api').DATABASE_URL).password).toMatch(/^required-/);
  });
});

describe('Dockerfile and the build output it runs', () => {
  const buildConfigPath = path.join(root, 'tsconfig.build.json');
  const read = ts.readConfigFile(buildConfigPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, buildConfigPath);
  const raw = read.config as { include?: string[]; exclude?: string[] };

  // TypeScript's include/exclude spec semantics: *, ?, a double-star folder; a bare folder means everything under it.
  const specToRegExp = (spec: string) => {
    const clean = spec.replace(/^\.\//, '').replace(/\/$/, '');
    const pattern = /[*?]/.test(clean) || path.extname(clean) ? clean : `${clean}/**/*`;
    const body = pattern.replace(/\*\*\/|\*|\?|[.+^${}()|[\]\\]/g, (token) =>
      token === '**/' ? '(?:[^/]+/)*' : token === '*' ? '[^/]*' : token === '?' ? '[^/]' : `\\${token}`,
    );
    return new RegExp(`^${body}$`);
  };
  const isCompiled = (source: string) =>
    (raw.include ?? []).some((spec) => specToRegExp(spec).test(source)) &&
    !(raw.exclude ?? []).some((spec) => specToRegExp(spec).test(source));

  /** Where tsc puts a source's .js: outDir + the source's path below rootDir (the common source folder). */
  const outDir = parsed.options.outDir!;
  const rootDir =
    parsed.options.rootDir ??
    parsed.fileNames.map((file) => path.dirname(path.resolve(file))).reduce((common, dir) => {
      while (!`${dir}/`.startsWith(`${common}/`)) common = path.dirname(common);
      return common;
    });
  const emittedFor = (source: string) => path.relative(root, path.join(outDir, source.replace(/\.ts$/, '.js')));

  /** Every `node <file>` the image is started with: the Dockerfile's CMD and the compose commands. */
  const cmdLine = dockerfileText.split('\n').filter((line) => /^\s*CMD\s+\[/.test(line)).at(-1);
  const dockerCmd = cmdLine ? (JSON.parse(cmdLine.replace(/^\s*CMD\s+/, '')) as string[]) : [];
  const commands: [string, string[]][] = [
    ['Dockerfile CMD', dockerCmd],
    ...APP_SERVICES.map((name): [string, string[]] => {
      const command = services[name].command;
      return [`compose ${name}`, Array.isArray(command) ? command : String(command ?? '').split(/\s+/)];
    }),
  ];
  const expectedSources: Record<string, string> = {
    'Dockerfile CMD': 'api/server.ts',
    'compose api': 'api/server.ts',
    'compose worker': 'worker.ts',
    'compose migrate': 'scripts/migrate.ts',
  };

  test('tsconfig.build.json compiles from the project root into dist/, keeping the folders', () => {
    expect(path.relative(root, outDir)).toBe('dist');
    expect(path.resolve(rootDir)).toBe(root);
  });

  test('worker.ts and config.ts exist at the project root and are compiled', () => {
    for (const source of ['worker.ts', 'config.ts']) {
      expect(existsSync(path.join(root, source))).toBe(true);
      expect(parsed.fileNames.map((file) => path.relative(root, file))).toContain(source);
    }
  });

  test('every node command runs the file tsconfig.build.json emits for its source (worker.ts, api/server.ts, scripts/migrate.ts)', () => {
    for (const [where, argv] of commands) {
      expect({ where, program: argv[0] }).toEqual({ where, program: 'node' });
      const script = argv[1];
      const source = expectedSources[where];
      expect({ where, script }).toEqual({ where, script: emittedFor(source) });
      expect({ where, source, compiled: isCompiled(source) }).toEqual({ where, source, compiled: true });
    }
  });

  test('workflow code and migrations are inside the compiled tree the worker and migrator read', () => {
    for (const source of ['workflows/index.ts', 'db/migrations/Migration20260101000000.ts']) {
      expect({ source, compiled: isCompiled(source) }).toEqual({ source, compiled: true });
    }
    expect(emittedFor('workflows/index.ts')).toBe(path.join('dist', 'workflows', 'index.js'));
  });

  test('is multi-stage on node:24-bookworm-slim (a supported LTS that package.json engines allows): builds with npm ci + npm run build, ships production deps and dist/ only', () => {
    const froms = [...dockerfileText.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map(([, image, stage]) => ({ image, stage }));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(dockerfileText).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    for (const { image } of froms) expect(image).toBe('${NODE_IMAGE}');
    expect(packageJson.engines.node).toMatch(/>=24\b/);

    const [build, runtime] = dockerfileText.split(/^FROM\s+/m).slice(1);
    expect(build).toMatch(/npm ci\b(?!.*--omit=dev)/);
    expect(build).toMatch(/npm run build/);
    expect(packageJson.scripts.build).toContain('tsconfig.build.json');
    expect(runtime).toMatch(/npm ci\b.*--omit=dev/);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^WORKDIR \/app$/m);
  });

  test('the worker image ships a workflow bundle built at build time (scripts/bundle-workflows.ts) and points WORKFLOW_BUNDLE at it', () => {
    const [build, runtime] = dockerfileText.split(/^FROM\s+/m).slice(1);
    const bundled = /node (\S+) (dist\/\S+\.js)\s*$/m.exec(build.split('\n').find((line) => line.includes('bundle-workflows')) ?? '');
    expect(bundled).not.toBeNull();
    const [, script, output] = bundled!;
    expect(script).toBe(emittedFor('scripts/bundle-workflows.ts'));
    expect(isCompiled('scripts/bundle-workflows.ts')).toBe(true);
    expect(runtime.split('\n')).toContain(`ENV WORKFLOW_BUNDLE=/app/${output}`);
    expect(CONFIG_VARIABLES).toContain('WORKFLOW_BUNDLE');
  });

  test("CI runs the suite on the image's Node major too (.ci/run)", () => {
    const major = /node:(\d+)-/.exec(dockerfileText)![1];
    expect(readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(new RegExp(`npx (?:-y |--yes )?-p node@${major}\\b`));
  });

  test('runs as a non-root user with NODE_ENV=production', () => {
    const runtime = dockerfileText.split(/^FROM\s+/m).at(-1)!;
    const user = runtime.match(/^USER\s+(\S+)/m)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
  });

  test('.dockerignore keeps node_modules, dist, .data, .git, coverage and test-results out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git', 'coverage', 'test-results']));
  });
});
