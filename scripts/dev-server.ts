/**
 * The Temporal CLI's dev server as `npm start` and the test suite run it: our search attributes and
 * dynamic config, tied to this process (scripts/tied-child.ts) so that no way of ending us leaves
 * it running with its ports taken.
 */
import { Connection } from '@temporalio/client';
import { embeddedDevServerArgs } from './temporal-cli';
import { spawnTied } from './tied-child';

export interface DevServer {
  address: string;
  /** The Web UI, unless started headless. */
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startDevServer(options: {
  cliPath: string;
  port: number;
  /** The Web UI's port; none for a headless server. */
  uiPort?: number;
  /** The Web UI's codec endpoint (docs/personal-data.md). */
  codecEndpoint?: string;
  /** A database file keeps the history across restarts; without one it is in memory. */
  dbFile?: string;
  /** Where the server's own log lines go (it logs at `error` level only). */
  onLog?: (chunk: Buffer) => void;
}): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const args = embeddedDevServerArgs(options);
  // stderr through a pipe, not inherited: nothing of ours may hold a test runner's output open.
  const server = await spawnTied(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'], stopSignal: 'SIGINT' });
  const lastWords: string[] = [];
  server.process.stderr!.on('data', (chunk: Buffer) => {
    lastWords.push(chunk.toString('utf8').trim());
    lastWords.splice(0, Math.max(0, lastWords.length - 5));
    options.onLog?.(chunk);
  });
  try {
    await waitForServer(address, server.exited, () => lastWords.at(-1));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    pid: server.pid,
    stop: () => server.stop(), // SIGINT, as Ctrl-C: the dev server flushes its database file and exits
  };
}

async function waitForServer(address: string, exited: Promise<{ code: number | null; signal: string | null }>, lastWords: () => string | undefined, timeoutMs = 90_000): Promise<void> {
  let exit: { code: number | null; signal: string | null } | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit) throw new Error(`the Temporal dev server exited (${exit.signal ?? `code ${exit.code}`}) before it was ready: ${lastWords() ?? 'no output'}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server at ${address} did not become ready in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}
