/**
 * Finds or builds the binaries of the production-shaped stack (`npm run start:cluster`,
 * test/cluster/): the Temporal server and its SQL schema tool — the same version the CLI's dev
 * server embeds and docker-compose.yml's images run — and the Temporal UI server. Each is built once
 * with `go install` from the Go module proxy into this project's tool cache, beside the CLI
 * (scripts/temporal-cli.ts). Run directly, it provisions them and prints their paths.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The server the CLI v1.5.1 dev server embeds; compose's `temporalio/server` and `admin-tools` images carry the same. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** The UI compose's `temporalio/ui` image serves. */
export const TEMPORAL_UI_VERSION = 'v2.42.1';

/** The images docker-compose.yml runs, by the versions above (test/unit/compose.test.ts holds compose to them). */
export const COMPOSE_IMAGES = {
  server: `temporalio/server:${TEMPORAL_SERVER_VERSION.slice(1)}`,
  // The admin-tools tags name the server, tctl and CLI versions they bundle.
  adminTools: `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION.slice(1)}-tctl-1.18.4-cli-1.5.0`,
  ui: `temporalio/ui:${TEMPORAL_UI_VERSION.slice(1)}`,
} as const;

export interface GoBinary {
  /** The name it gets in the cache (`go install` names it after its package folder). */
  name: string;
  module: string;
  pkg: string;
  version: string;
  /** Linker flags beside `-s -w`: a binary that reports its release reads it from `-X` variables. */
  ldflags?: string[];
}

const SERVER: GoBinary = { name: 'temporal-server', module: 'go.temporal.io/server', pkg: 'go.temporal.io/server/cmd/server', version: TEMPORAL_SERVER_VERSION };
const SQL_TOOL: GoBinary = { name: 'temporal-sql-tool', module: 'go.temporal.io/server', pkg: 'go.temporal.io/server/cmd/tools/sql', version: TEMPORAL_SERVER_VERSION };
const UI_SERVER: GoBinary = { name: 'temporal-ui-server', module: 'github.com/temporalio/ui-server/v2', pkg: 'github.com/temporalio/ui-server/v2/cmd/server', version: TEMPORAL_UI_VERSION };

export class TemporalServerMissingError extends Error {
  constructor(detail: string) {
    super(
      `The Temporal server ${TEMPORAL_SERVER_VERSION} (which runs the production-shaped stack) was not found and could not be built. ${detail} ` +
        `Install Go ≥ 1.25 so that \`npm run start:cluster\` can run \`go install ${SERVER.pkg}@${SERVER.version}\` and ` +
        `\`go install ${SQL_TOOL.pkg}@${SQL_TOOL.version}\` into ${serverCacheDir()}, or run the stack with docker-compose.yml.`,
    );
    this.name = 'TemporalServerMissingError';
  }
}

export function cacheBase(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wuye-service-centre');
}

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheBase(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

export function uiCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheBase(env), `temporal-ui-${TEMPORAL_UI_VERSION}`);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function goOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'go'))) return join(dir, 'go');
  }
  return undefined;
}

/**
 * `go install` into a scratch GOBIN, then renamed into `dir`: both the server and the UI build a
 * binary called `server`. No `-mod`/`replace` tricks: these modules build as published.
 */
export function goInstall(go: string, binary: GoBinary, dir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): boolean {
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(join(dir, '.gobin-'));
  try {
    log(`Building ${binary.pkg}@${binary.version} with Go into ${dir} (first run only; this takes a few minutes)…`);
    const ldflags = ['-s', '-w', ...(binary.ldflags ?? [])].join(' ');
    const build = spawnSync(go, ['install', `-ldflags=${ldflags}`, `${binary.pkg}@${binary.version}`], {
      env: { ...env, GOBIN: scratch, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const built = join(scratch, binary.pkg.split('/').at(-1)!);
    if (build.status !== 0 || !isExecutable(built)) {
      log(`go install ${binary.pkg}@${binary.version} failed (exit ${build.status ?? build.signal}).`);
      return false;
    }
    renameSync(built, join(dir, binary.name));
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Where `go install` left a module's source: the UI server's config templates live there. */
function moduleDir(go: string, binary: GoBinary, env: NodeJS.ProcessEnv): string {
  const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { env, encoding: 'utf8' }).trim();
  // The module cache escapes capitals as !lowercase.
  return join(modCache, `${binary.module.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`)}@${binary.version}`);
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/** The server and its schema tool from the cache, built with Go the first time. */
export function resolveTemporalServer(options: ResolveOptions = {}): TemporalServerBinaries {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = serverCacheDir(env);
  const paths = { server: join(dir, SERVER.name), sqlTool: join(dir, SQL_TOOL.name) };
  const missing = [SERVER, SQL_TOOL].filter((binary) => !isExecutable(join(dir, binary.name)));
  if (missing.length === 0) return paths;
  const go = goOnPath(env);
  if (!go) throw new TemporalServerMissingError('Go is not installed.');
  for (const binary of missing) {
    if (!goInstall(go, binary, dir, env, log)) throw new TemporalServerMissingError(`The Go build of ${binary.pkg} failed.`);
  }
  return paths;
}

export interface TemporalUiServer {
  binary: string;
  /**
   * A config folder holding the image's own `docker.yaml`, which reads the same variables compose
   * sets, and our `base.yaml` under it (loaded first; docker.yaml does not set the host).
   */
  configDir: string;
}

/** Loopback only, as compose publishes the UI: its HTTP API answers without a login (docs/security.md). */
const UI_BASE_CONFIG = '# Written by scripts/temporal-server.ts: the native UI server listens on loopback only.\nhost: 127.0.0.1\n';

function ensureUiBaseConfig(configDir: string): void {
  const file = join(configDir, 'base.yaml');
  if (!existsSync(file)) writeFileSync(file, UI_BASE_CONFIG);
}

/**
 * The UI server, as the `temporalio/ui` image runs it (`ui-server --env docker start`), or why it
 * is not there. Optional: the stack runs without it.
 */
export function resolveTemporalUi(options: ResolveOptions = {}): TemporalUiServer | { missing: string } {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = uiCacheDir(env);
  const found = { binary: join(dir, UI_SERVER.name), configDir: join(dir, 'config') };
  if (isExecutable(found.binary) && existsSync(join(found.configDir, 'docker.yaml'))) {
    ensureUiBaseConfig(found.configDir);
    return found;
  }
  const go = goOnPath(env);
  if (!go) return { missing: 'Go is not installed, so the Temporal UI server cannot be built' };
  if (!goInstall(go, UI_SERVER, dir, env, log)) return { missing: `go install ${UI_SERVER.pkg}@${UI_SERVER.version} failed` };
  mkdirSync(found.configDir, { recursive: true });
  copyFileSync(join(moduleDir(go, UI_SERVER, env), 'config', 'docker.yaml'), join(found.configDir, 'docker.yaml'));
  ensureUiBaseConfig(found.configDir);
  return found;
}

export function binaryVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (require.main === module) {
  try {
    const { server, sqlTool } = resolveTemporalServer();
    process.stderr.write(`Temporal server: ${binaryVersion(server)}; schema tool: ${binaryVersion(sqlTool)}\n`);
    process.stdout.write(`${server}\n${sqlTool}\n`);
    const ui = resolveTemporalUi();
    if ('missing' in ui) process.stderr.write(`Temporal UI: not available (${ui.missing}); the stack runs without it.\n`);
    else process.stdout.write(`${ui.binary}\n`);
  } catch (error) {
    if (error instanceof TemporalServerMissingError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
