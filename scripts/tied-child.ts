/**
 * Child processes that do not outlive the process that started them, however it ends — Ctrl-C, an
 * uncaught error, or `kill -9` (which runs no handler at all).
 *
 * Linux would do this with prctl(PR_SET_PDEATHSIG), which Node cannot call, and a child can only
 * learn that a SIGKILLed parent is gone if it watches. Our Node children watch their IPC channel
 * (scripts/worker-process.ts); the Temporal CLI and postgres watch nothing. So each of those gets a
 * watchdog: a few lines of POSIX sh that block reading a pipe whose only writer is this process.
 * The kernel closes that pipe when we die, the read returns, and the watchdog signals the child,
 * then kills it if it is still there after a grace period. The child itself stays our direct child
 * (exit codes, stderr, and `uid` work as with any spawn), in a process group of its own so that a
 * Ctrl-C in the terminal reaches only us and we stop the parts in order.
 *
 * Pid files and a clean-up at the next start were the alternative: they leave the orphans running
 * (and holding their ports) until someone starts again, which is what this replaces.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Socket } from 'node:net';

/** $1 the child's pid (also its process group), $2 the signal that stops it cleanly, $3 tenths of a second before SIGKILL. */
const WATCHDOG = [
  'while read -r _; do :; done', // returns at end of file: every writer — our parent — is gone
  'kill -s "$2" -- "$1" 2>/dev/null || exit 0',
  'tenths=$3',
  'while [ "$tenths" -gt 0 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; tenths=$((tenths - 1)); done',
  'kill -s KILL -- "-$1" 2>/dev/null',
  'exit 0',
].join('\n');

export interface TiedChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Settles when the child has exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the stop signal, waits for the exit, and kills the child's process group after the grace period. */
  stop(): Promise<void>;
}

export interface TiedOptions extends Omit<SpawnOptions, 'detached'> {
  /** The signal that stops the child cleanly (default SIGTERM); the watchdog sends the same one. */
  stopSignal?: NodeJS.Signals;
  /** How long a stop waits for the child before SIGKILL (default 15 s). */
  graceMs?: number;
}

export class SpawnError extends Error {
  constructor(
    readonly command: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'SpawnError';
  }
}

/**
 * Spawns `command` tied to this process's life. Rejects (never throws an 'error' event at the
 * process) when the command cannot be started at all — ENOENT, EACCES.
 */
export async function spawnTied(command: string, args: readonly string[], options: TiedOptions = {}): Promise<TiedChild> {
  const { stopSignal = 'SIGTERM', graceMs = 15_000, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: process.platform !== 'win32' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new SpawnError(command, error.code, `cannot run ${command}: ${error.code ?? error.message}`)),
    );
  });
  const pid = child.pid!;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  if (process.platform !== 'win32') {
    const signalName = stopSignal.replace(/^SIG/, '');
    const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', String(pid), signalName, String(Math.ceil(graceMs / 100))], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    watchdog.on('error', () => undefined); // without /bin/sh the child is merely untied; stop() still works
    // Neither the watchdog nor its pipe may keep this process alive.
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    // A child that ended while we live needs no watchdog; killing it (rather than closing its pipe)
    // keeps it from signalling a pid that is no longer the child's.
    void exited.then(() => watchdog.kill('SIGKILL'));
  }

  let stopping: Promise<void> | undefined;
  return {
    process: child,
    pid,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(stopSignal);
        const force = setTimeout(() => killGroup(pid), graceMs);
        await exited;
        clearTimeout(force);
      })();
      return stopping;
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
