/**
 * `npm start` as a user runs it, for the tests of how it starts, fails, supervises and ends: the
 * real command in a child process, on free ports and a data directory of its own, with a watch
 * on the processes it starts (Linux /proc) so a test can say what was left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../config';
import { freePort } from '../../scripts/free-port';

export const ROOT = join(__dirname, '..', '..');

export interface StartPorts {
  PORT: number;
  EMBEDDED_TEMPORAL_PORT: number;
  EMBEDDED_TEMPORAL_UI_PORT: number;
  EMBEDDED_POSTGRES_PORT: number;
  EMBEDDED_SMTP_PORT: number;
}

export async function freeStartPorts(): Promise<StartPorts> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) return taken.add(port) && port;
    }
  };
  return {
    PORT: await next(),
    EMBEDDED_TEMPORAL_PORT: await next(),
    EMBEDDED_TEMPORAL_UI_PORT: await next(),
    EMBEDDED_POSTGRES_PORT: await next(),
    EMBEDDED_SMTP_PORT: await next(),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes, from /proc.

interface ProcessInfo {
  pid: number;
  ppid: number;
  zombie: boolean;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(ppid), zombie: state === 'Z', command };
  } catch {
    return undefined; // gone while we looked
  }
}

function allProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** Every living process below `root` (not `root` itself). */
export function descendants(root: number): ProcessInfo[] {
  const all = allProcesses().filter((p) => !p.zombie);
  const found: ProcessInfo[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = all.filter((p) => frontier.includes(p.ppid));
    found.push(...children);
    frontier = children.map((p) => p.pid);
  }
  return found;
}

export function isAlive(pid: number): boolean {
  const info = readProcess(pid);
  return info !== undefined && !info.zombie;
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------

/** npm processes still running when jest exits; killed, their starts notice it and stop. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const npm of running) npm.kill('SIGKILL');
});

/** Ctrl-C to every npm start a test left running, and waits until each has stopped. */
export async function stopEveryStart(): Promise<void> {
  await Promise.all(
    [...running].map(
      (npm) =>
        new Promise<void>((resolve) => {
          npm.once('exit', () => resolve());
          npm.kill('SIGINT');
        }),
    ),
  );
}

export interface NpmStart {
  readonly npm: ChildProcess;
  /** stdout and stderr, as they came. */
  output(): string;
  /** Resolves when it printed that it runs; rejects with its output if it ended first. */
  readonly running: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process seen below npm while it ran (polled), with its command line. */
  readonly seen: Map<number, string>;
  /** The process running scripts/start.ts (npm execs it). */
  startPid(): number;
  /** The worker process npm start supervises now, if any. */
  workerPid(): number | undefined;
}

/**
 * Runs `npm start` in `cwd` with `env` on top of a clean environment: none of the configuration
 * of the process running the tests leaks in.
 */
export function npmStart(options: { cwd?: string; env: Record<string, string> }): NpmStart {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(CONFIG_VARIABLES as string[]).includes(name)));
  const npm = spawn('npm', ['start'], {
    cwd: options.cwd ?? ROOT,
    env: { ...base, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(npm);
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => {
      running.delete(npm);
      resolve({ code, signal });
    }),
  );

  const seen = new Map<number, string>();
  const look = () => {
    for (const p of descendants(npm.pid!)) if (!seen.has(p.pid)) seen.set(p.pid, p.command);
  };
  const watch = setInterval(look, 100);
  void exited.then(() => clearInterval(watch));

  const ran = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes('Service Centre is running')) {
        clearInterval(check);
        look();
        resolve();
      }
    }, 100);
    void exited.then(({ code, signal }) => {
      clearInterval(check);
      reject(new Error(`npm start ended (${signal ?? `code ${code}`}) before it ran:\n${output}`));
    });
  });
  ran.catch(() => undefined); // a test that does not wait for it must not fail on its rejection

  const find = (pattern: string) => descendants(npm.pid!).find((p) => p.command.includes(pattern))?.pid;
  return {
    npm,
    output: () => output,
    running: ran,
    exited,
    seen,
    startPid: () => {
      const pid = find('scripts/start.ts');
      if (!pid) throw new Error(`no scripts/start.ts below npm (${npm.pid}):\n${output}`);
      return pid;
    },
    workerPid: () => find('worker-process.ts'),
  };
}

export function envOf(dataDir: string, ports: StartPorts): Record<string, string> {
  return { DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
}
