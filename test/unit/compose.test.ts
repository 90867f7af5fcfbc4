import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parseDocument } from 'yaml';
import { codecCorsOrigins, CONFIG_VARIABLES, deploymentProblems, loadConfig } from '../../config';
import { payloadKeyring } from '../../payload-codec';
import { dynamicConfigArgs, SERVER_DYNAMIC_CONFIG } from '../../scripts/temporal-cli';
import { searchAttributeCliSpecs } from '../../workflows/search-attributes';

/**
 * docker-compose.yml and the Dockerfile are the production shape (docs/architecture.md §6). No Docker engine
 * runs in the tests, so this checks them statically against the code they deploy: config.ts,
 * workflows/search-attributes.ts and what tsconfig.build.json emits.
 */

const root = path.resolve(__dirname, '../..');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfileText = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

type Env = Record<string, string>;
type Healthcheck = { test?: string[] | string; disable?: boolean };
type DependsOn = string[] | Record<string, { condition?: string }>;
type Service = {
  image?: string;
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
  configs?: { source: string; target?: string }[];
};
type Compose = { services: Record<string, Service>; configs?: Record<string, { content?: string; file?: string }> };

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

function commandText(service: Service): string {
  const parts = [service.entrypoint, service.command].flatMap((part) => (part == null ? [] : Array.isArray(part) ? part : [part]));
  return parts.join(' ');
}

const SERVICES = ['postgres', 'temporal', 'temporal-register', 'temporal-ui', 'mail', 'migrate', 'api', 'worker'];
const APP_SERVICES = ['migrate', 'api', 'worker'];
const ONE_SHOT = ['temporal-register', 'migrate'];
const LONG_RUNNING = SERVICES.filter((name) => !ONE_SHOT.includes(name));

describe('docker-compose.yml', () => {
  test('parses as YAML (anchors and merge keys resolved)', () => {
    expect(composeDoc.errors).toEqual([]);
    expect(composeDoc.warnings).toEqual([]);
    expect(typeof compose.services).toBe('object');
  });

  test('defines postgres, temporal, temporal-register, temporal-ui, mail, migrate, api and worker', () => {
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

  test('the temporal service runs with the dynamic config every dev server gets (SERVER_DYNAMIC_CONFIG)', () => {
    const path = envOf('temporal').DYNAMIC_CONFIG_FILE_PATH;
    const mounted = (services.temporal.configs ?? []).find((c) => c.target === path);
    expect(mounted).toBeDefined();
    const content = (compose.configs ?? {})[mounted!.source]?.content;
    expect(typeof content).toBe('string');
    // The server's file format: each key holds a list of values with optional constraints.
    const file = parseDocument(content!).toJS() as Record<string, { value: unknown; constraints?: unknown }[]>;
    expect(Object.fromEntries(Object.entries(file).map(([key, values]) => [key, values.map((v) => v.value)]))).toEqual(
      Object.fromEntries(Object.entries(SERVER_DYNAMIC_CONFIG).map(([key, value]) => [key, [value]])),
    );
    expect(dynamicConfigArgs()).toEqual(['--dynamic-config-value', 'system.enableActivityEagerExecution=true']);
  });

  test('temporal-register registers exactly the search attributes of workflows/search-attributes.ts with their CLI types', () => {
    const script = commandText(services['temporal-register']);
    const creates = script.split('\n').filter((line) => /temporal operator search-attribute create\b/.test(line));
    const registered = creates.flatMap((line) =>
      [...line.matchAll(/--name[ =](\S+)\s+--type[ =](\S+)/g)].map(([, name, type]) => ({ name, type })),
    );
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(registered.sort(byName)).toEqual(searchAttributeCliSpecs().sort(byName));

    // ...in the namespace the app uses, on the temporal service, after the server is healthy.
    const namespace = loadConfig(envOf('worker')).TEMPORAL_NAMESPACE;
    for (const line of creates) {
      expect(line).toContain(`--namespace ${namespace}`);
      expect(line).toContain(`--address ${envOf('worker').TEMPORAL_ADDRESS}`);
    }
    expect(services['temporal-register'].image).toMatch(/^temporalio\/admin-tools:1\.29/);
    expect(dependsOn('temporal-register')).toMatchObject({ temporal: 'service_healthy' });
  });

  test('temporal runs auto-setup 1.29 on the postgres service; the UI 2.42 talks to it', () => {
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    const temporalEnv = envOf('temporal');
    expect(temporalEnv).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', DB_PORT: '5432' });
    expect(containerPorts('postgres')).toContain(Number(temporalEnv.DB_PORT));
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:2\.42\.\d+$/);
    expect(envOf('temporal-ui').TEMPORAL_ADDRESS).toBe(envOf('worker').TEMPORAL_ADDRESS);
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

  test('every long-running service has a healthcheck', () => {
    for (const name of LONG_RUNNING) {
      const check = services[name].healthcheck;
      expect({ service: name, hasHealthcheck: Boolean(check?.test) && !check?.disable }).toEqual({
        service: name,
        hasHealthcheck: true,
      });
    }
  });

  test('one-shot jobs (migrate, temporal-register) are not restarted once they finish', () => {
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

  test('database passwords come from the environment, never literals in the file', () => {
    const secrets: Env = { ...envOf('postgres'), PWD: envOf('temporal').POSTGRES_PWD };
    for (const key of ['POSTGRES_PASSWORD', 'APP_DB_PASSWORD', 'TEMPORAL_DB_PASSWORD', 'PWD']) {
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

  test('is multi-stage on node:20-bookworm-slim: builds with npm ci + npm run build, ships production deps and dist/ only', () => {
    const froms = [...dockerfileText.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map(([, image, stage]) => ({ image, stage }));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(dockerfileText).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    for (const { image } of froms) expect(image).toBe('${NODE_IMAGE}');

    const [build, runtime] = dockerfileText.split(/^FROM\s+/m).slice(1);
    expect(build).toMatch(/npm ci\b(?!.*--omit=dev)/);
    expect(build).toMatch(/npm run build/);
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.build).toContain('tsconfig.build.json');
    expect(runtime).toMatch(/npm ci\b.*--omit=dev/);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^WORKDIR \/app$/m);
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
