/**
 * A start that fails part-way leaves nothing behind: no process, no port. Once for `npm start`
 * whose Postgres cannot start while its Temporal server comes up, once for a jest run whose global
 * setup fails on its Temporal server while its Postgres comes up. Both said what failed; before,
 * each left the other server running, and the next start found its port taken.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figures, until } from './harness';
import { descendants, envOf, freeStartPorts, isAlive, npmStart, portOpen, ROOT, stopEveryStart } from './npm-start';

jest.setTimeout(180_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wuye-start-failure-'));
  chmodSync(dir, 0o755); // Postgres runs as the `postgres` user when we are root
});
afterAll(async () => {
  await stopEveryStart();
  rmSync(dir, { recursive: true, force: true });
});

const stillAlive = (pids: Iterable<number>) => [...pids].filter(isAlive);

it('npm start whose Postgres cannot start stops the Temporal server it had started, frees every port, and says why in one line', async () => {
  // The parts start side by side, so on a busy machine Postgres can fail before the Temporal server
  // was even spawned: then nothing failed part-way. Each try must leave nothing behind; up to three
  // tries are made until one saw the Temporal server start.
  let sawTemporal = false;
  for (let attempt = 1; attempt <= 3 && !sawTemporal; attempt++) {
    const dataDir = join(dir, `data-${attempt}`);
    // A data directory that is not a cluster: postgres exits at once.
    mkdirSync(join(dataDir, 'pg'), { recursive: true });
    writeFileSync(join(dataDir, 'pg', 'PG_VERSION'), '17\n');
    const ports = await freeStartPorts();
    const start = npmStart({ env: envOf(dataDir, ports) });
    const { code } = await start.exited;
    const temporal = [...start.seen].filter(([, command]) => command.includes('server start-dev'));
    const left = await until(async () => (stillAlive(start.seen.keys()).length === 0 ? [] : undefined), 'every process of the failed start gone', 30_000).catch(() =>
      stillAlive(start.seen.keys()),
    );
    const open = (await Promise.all(Object.values(ports).map(async (port) => ((await portOpen(port)) ? port : undefined)))).filter(Boolean);
    const reason = start.output().split('\n').filter((line) => line.startsWith('npm start failed: '));
    figures(`npm start failing part-way (Postgres cannot start), try ${attempt}`, {
      breaks: 'a data directory with PG_VERSION and nothing else',
      checks: 'exit 1 with one line saying why; the Temporal server it started is gone, and every port is free',
      'processes seen below npm': start.seen.size,
      'Temporal servers among them': temporal.length,
      'left running': left.length,
      'ports still open': open.length,
      reason: reason[0],
    });
    expect(code).toBe(1);
    expect(left).toEqual([]);
    expect(open).toEqual([]);
    expect(reason).toEqual([expect.stringMatching(/^npm start failed: the embedded Postgres exited \(code \d+\) before it was ready: .*postgresql\.conf/)]);
    sawTemporal = temporal.length > 0;
  }
  expect(sawTemporal).toBe(true); // it did fail part-way, and cleaned up after it
});

it("a jest run whose global setup fails (its Temporal CLI does not start) stops the Postgres it had started and removes its work folder", async () => {
  const fakeCli = join(dir, 'temporal');
  writeFileSync(fakeCli, '#!/bin/sh\necho "this Temporal CLI starts no server" >&2\nexit 3\n', { mode: 0o755 });
  const workRoot = join(dir, 'tmp');
  mkdirSync(workRoot, { mode: 0o755 });
  chmodSync(workRoot, 0o755);
  const suite = spawn(process.execPath, [join(ROOT, 'node_modules/jest/bin/jest.js'), 'test/e2e/repair-intake.test.ts', '--ci', '--selectProjects', 'stack'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_CLI_PATH: fakeCli, TMPDIR: workRoot },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 200_000, // its servers are tied to it: killing it stops them
    killSignal: 'SIGKILL',
  });
  let output = '';
  suite.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  suite.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const seen = new Map<number, string>();
  const watch = setInterval(() => {
    for (const p of descendants(suite.pid!)) seen.set(p.pid, p.command);
  }, 100);
  const code = await new Promise<number | null>((resolve) => suite.once('exit', resolve));
  clearInterval(watch);
  const postgres = [...seen].filter(([, command]) => /\/bin\/postgres -D /.test(command));
  const left = await until(async () => (stillAlive(seen.keys()).length === 0 ? [] : undefined), 'every process of the failed setup gone', 30_000).catch(() =>
    stillAlive(seen.keys()),
  );
  const workFolders = existsSync(workRoot) ? readdirSync(workRoot).filter((name) => name.startsWith('wuye-test-')) : [];
  figures('jest global setup failing part-way (the Temporal CLI exits)', {
    breaks: 'TEMPORAL_CLI_PATH names a program that exits 3 at once',
    checks: 'jest fails with the reason; the Postgres the setup started is gone, so is its work folder',
    'processes seen below jest': seen.size,
    'postgres servers among them': postgres.length,
    'left running': left.length,
  });
  expect(code).not.toBe(0);
  expect(output).toContain('the Temporal dev server exited (code 3) before it was ready: this Temporal CLI starts no server');
  expect(postgres.length).toBeGreaterThan(0); // it did fail part-way
  expect(left).toEqual([]);
  expect(workFolders).toEqual([]);
});
