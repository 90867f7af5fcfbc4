/**
 * scripts/tied-child.ts: a child that does not outlive the process that started it, however that
 * process ends — here with `kill -9`, which runs no handler of its own. Real processes (sleep, sh).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpawnError, spawnTied } from '../../scripts/tied-child';
import { eventually } from '../helpers/eventually';

const tiedChild = join(__dirname, '../../scripts/tied-child.ts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A Node process that ties `command` to itself, prints the child's pid and waits to be killed. */
async function parentOf(command: string, args: string[], graceMs: number): Promise<{ parent: number; child: number }> {
  const code = `require(${JSON.stringify(tiedChild)}).spawnTied(${JSON.stringify(command)}, ${JSON.stringify(args)}, { stdio: 'ignore', graceMs: ${graceMs} })
    .then((c) => { process.stdout.write(c.pid + '\\n'); setInterval(() => undefined, 1000); });`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const child = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once('exit', (exitCode) => reject(new Error(`the parent exited (${exitCode})`)));
  });
  return { parent: parent.pid!, child };
}

describe('a tied child', () => {
  it('is stopped when its parent is killed with kill -9', async () => {
    const { parent, child } = await parentOf('sleep', ['300'], 5000);
    expect(alive(child)).toBe(true);
    process.kill(parent, 'SIGKILL');
    await eventually(async () => !alive(child), { what: 'the orphaned child gone', timeoutMs: 10_000, intervalMs: 50 });
  });

  it('that ignores its stop signal is killed, with its process group, after the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tied-child-'));
    try {
      const script = join(dir, 'stubborn.sh');
      writeFileSync(script, `#!/bin/sh\ntrap '' TERM INT\nsleep 300 &\necho $! > ${join(dir, 'grandchild')}\nwait\n`);
      chmodSync(script, 0o755);
      const { parent, child } = await parentOf(script, [], 500);
      const grandchild = Number(await eventually(async () => readFileSync(join(dir, 'grandchild'), 'utf8').trim() || undefined, { what: 'the grandchild', timeoutMs: 5000 }));
      process.kill(parent, 'SIGKILL');
      await eventually(async () => !alive(child) && !alive(grandchild), { what: 'the child and its own child gone', timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on stop(): its stop signal, then its exit', async () => {
    const child = await spawnTied('sleep', ['300'], { stdio: 'ignore', stopSignal: 'SIGINT' });
    await child.stop();
    await expect(child.exited).resolves.toEqual({ code: null, signal: 'SIGINT' });
    expect(alive(child.pid)).toBe(false);
  });

  it('that cannot be run is a rejected start naming the command and why — not an uncaught error event', async () => {
    await expect(spawnTied('/nonexistent/initdb', [])).rejects.toEqual(new SpawnError('/nonexistent/initdb', 'ENOENT', 'cannot run /nonexistent/initdb: ENOENT'));
    const dir = mkdtempSync(join(tmpdir(), 'tied-child-'));
    try {
      const notExecutable = join(dir, 'initdb');
      writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
      await expect(spawnTied(notExecutable, [])).rejects.toMatchObject({ code: 'EACCES', message: `cannot run ${notExecutable}: EACCES` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
