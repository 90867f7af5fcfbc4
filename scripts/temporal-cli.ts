/**
 * Finds or builds the Temporal CLI (which carries the dev server and its Web UI), in the order of
 * docs/operations.md ("The Temporal CLI"): TEMPORAL_CLI_PATH → `temporal` on PATH → this project's
 * tool cache → `go install` when Go is present → the SDK's own download. Run directly, it provisions the CLI and prints its path.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ALL_SEARCH_ATTRIBUTES, searchAttributeCliSpecs } from '../workflows/search-attributes';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

/**
 * Dynamic config the service centre's Temporal server runs with: every dev server we start (`npm
 * start`, the tests, the benches) gets it as `--dynamic-config-value`, and the server of the
 * production shape — docker-compose.yml's and `npm run start:cluster`'s — reads the same values
 * from deploy/temporal-server/dynamicconfig.yaml (test/unit/compose.test.ts checks they agree).
 *
 * Eager activity execution: an activity a workflow task schedules on its own worker's queue comes
 * back in the server's answer to that task, not through matching and another poll. Off by default
 * in server 1.29. `npm run bench:server` measures what it saves the dev server per activity
 * (bench/RESULTS.md).
 *
 * The priority-aware matcher: matching orders a backlogged task queue by each task's priority key
 * (lower first), so the work of a deadline that fell due (workflows/case/proxies.ts
 * DEADLINE_PRIORITY) goes ahead of a new case's set-up when the workers are saturated. Off by
 * default in server 1.29, where the old matcher ignores priority. `npm run bench:deadlines-first`
 * measures it (bench/RESULTS.md, docs/deadlines-first.md).
 */
export const SERVER_DYNAMIC_CONFIG: Readonly<Record<string, boolean | number | string>> = {
  'system.enableActivityEagerExecution': true,
  'matching.useNewMatcher': true,
};

type DynamicConfig = Readonly<Record<string, boolean | number | string>>;

/** {@link SERVER_DYNAMIC_CONFIG} (or a bench's variation of it) as `temporal server start-dev` arguments. */
export function dynamicConfigArgs(config: DynamicConfig = SERVER_DYNAMIC_CONFIG): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}

/**
 * The dev server's Web UI decodes payloads through this endpoint (the API's /codec, docs/personal-data.md).
 * The CLI takes only the endpoint: it has no flag for the UI's `includeCredentials`, which each
 * supervisor sets once in the UI's codec settings so the browser sends their session.
 */
const codecArgs = (codecEndpoint: string | undefined) => (codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : []);

/**
 * What every dev server we start through the SDK gets (`TestWorkflowEnvironment.createLocal`'s
 * `server`): our search attributes and dynamic config. A bench that compares a setting on and off
 * passes its variation.
 */
export function devServerOptions(options: { codecEndpoint?: string; dynamicConfig?: DynamicConfig } = {}) {
  return { searchAttributes: ALL_SEARCH_ATTRIBUTES, extraArgs: [...dynamicConfigArgs(options.dynamicConfig ?? SERVER_DYNAMIC_CONFIG), ...codecArgs(options.codecEndpoint)] };
}

/** The same as `temporal server start-dev` arguments, for a dev server we spawn ourselves. */
export function devServerArgs(): string[] {
  return [...searchAttributeCliSpecs().flatMap(({ name, type }) => ['--search-attribute', `${name}=${type}`]), ...dynamicConfigArgs()];
}

/**
 * `temporal server start-dev` as we run it (`npm start`, the tests): the frontend and the Web UI bound to 127.0.0.1, named,
 * not left to the CLI's defaults. The dev server's UI is the supervisors' console with every right —
 * its HTTP API (`/api/v1/namespaces/…/workflows/…/history`) answers without a login, and a signal or
 * terminate sent through it bypasses the API's audit log — so it is for this machine only
 * (docs/security.md; docker-compose.yml puts the production UI behind a login, read-only).
 */
export function embeddedDevServerArgs(options: { port: number; uiPort?: number; dbFile?: string; codecEndpoint?: string }): string[] {
  return [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    ...(options.uiPort ? ['--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort), ...codecArgs(options.codecEndpoint)] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--log-level', 'error',
    ...devServerArgs(),
  ];
}

export type TemporalCli =
  | { kind: 'path'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install' }
  /** No local binary: let the SDK download one into `downloadDir` (needs internet). */
  | { kind: 'sdk-download'; downloadDir: string };

export class TemporalCliMissingError extends Error {
  constructor(detail: string) {
    super(
      `The Temporal CLI (which runs the local Temporal dev server) was not found and could not be built. ${detail} ` +
        `Options: install it and put \`temporal\` on your PATH (https://docs.temporal.io/cli), or point ` +
        `TEMPORAL_CLI_PATH at an existing binary, or install Go ≥ 1.22 so that \`npm start\`/\`npm test\` can run ` +
        `\`go install ${GO_PACKAGE}\` into ${cacheDir()}, or set TEMPORAL_ADDRESS to use a Temporal server you already run.`,
    );
    this.name = 'TemporalCliMissingError';
  }
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'wuye-service-centre', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Build with Go when nothing is found (minutes on a first run). Default true. */
  allowGoBuild?: boolean;
  /** Fall back to the SDK's download. Default true. */
  allowSdkDownload?: boolean;
  log?: (line: string) => void;
}

export function resolveTemporalCli(options: ResolveOptions = {}): TemporalCli {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new TemporalCliMissingError(`TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file.`);
    }
    return { kind: 'path', path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }

  const fromPath = onPath('temporal', env);
  if (fromPath) return { kind: 'path', path: fromPath, source: 'PATH' };

  const dir = cacheDir(env);
  const cached = join(dir, 'temporal');
  if (isExecutable(cached)) return { kind: 'path', path: cached, source: 'cache' };

  const go = onPath('go', env);
  if (go && options.allowGoBuild !== false) {
    log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only; this takes a few minutes)…`);
    mkdirSync(dir, { recursive: true });
    const build = spawnSync(go, ['install', '-ldflags=-s -w', GO_PACKAGE], {
      env: { ...env, GOBIN: dir, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (build.status === 0 && isExecutable(cached)) return { kind: 'path', path: cached, source: 'go install' };
    log(`go install failed (exit ${build.status ?? build.signal}); trying the SDK's download next.`);
  }

  if (options.allowSdkDownload === false) {
    throw new TemporalCliMissingError(go ? 'The Go build failed.' : 'Go is not installed.');
  }
  mkdirSync(dir, { recursive: true });
  return { kind: 'sdk-download', downloadDir: dir };
}

export function cliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (require.main === module) {
  try {
    const cli = resolveTemporalCli({ allowSdkDownload: false });
    if (cli.kind === 'path') {
      if (!existsSync(cli.path)) throw new TemporalCliMissingError(`${cli.path} vanished.`);
      process.stderr.write(`Temporal CLI (${cli.source}): ${cliVersion(cli.path)}\n`);
      process.stdout.write(`${cli.path}\n`);
    }
  } catch (error) {
    if (error instanceof TemporalCliMissingError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
