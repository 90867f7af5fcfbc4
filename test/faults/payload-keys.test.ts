/**
 * A worker or API started without the payload keys (payload-codec.ts) stops at its start, naming the
 * variables, before it connects to anything — not task by task once cases arrive, where each task
 * would fail and retry forever. The production entrypoints, run as a deployment runs them; their
 * Temporal and Postgres addresses lead nowhere, so a process that got past the keys would fail on
 * those instead, with another message.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/free-port';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');

async function run(entrypoint: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  const nowhere = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entrypoint)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: `127.0.0.1:${nowhere}`,
      DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${nowhere}/none`,
      SMTP_URL: `smtp://127.0.0.1:${nowhere}`,
      PORT: String(nowhere),
      WORKER_METRICS_PORT: '0',
      ALLOW_DEMO_SETTINGS: 'true',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr, ms: Date.now() - started };
}

describe('a process without the payload keys', () => {
  it.each(['worker.ts', 'api/server.ts'])('%s exits at its start with PayloadKeysError naming the variables, before connecting anywhere', async (entrypoint) => {
    const none = await run(entrypoint, {});
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('PAYLOAD_KEYS, PAYLOAD_KEYS_HR, PAYLOAD_KEYS_AUDIT are not set');
    expect(none.stderr).not.toMatch(/ECONNREFUSED|connect|Connection/i);

    const hrMissing = await run(entrypoint, { PAYLOAD_KEYS: TEST_PAYLOAD_KEYS.PAYLOAD_KEYS, PAYLOAD_KEYS_AUDIT: TEST_PAYLOAD_KEYS.PAYLOAD_KEYS_AUDIT });
    expect(hrMissing.code).toBe(1);
    expect(hrMissing.stderr).toContain('PAYLOAD_KEYS_HR is not set');
    // Never a key in what it says.
    expect(hrMissing.stderr).not.toContain(TEST_PAYLOAD_KEYS.PAYLOAD_KEYS.split(':')[1]);

    // With the keys it gets past them and fails on the addresses that lead nowhere instead.
    const withKeys = await run(entrypoint, { ...TEST_PAYLOAD_KEYS });
    expect(withKeys.code).not.toBe(0);
    expect(withKeys.stderr).not.toContain('PayloadKeysError');
    expect(withKeys.stderr).not.toContain('is not set');
  });
});
