/**
 * The production entrypoints refuse a deployment that only works on the server itself before they
 * connect to anything (config.ts deploymentProblems): the API, the worker, and `npm start` when
 * every part is external. The addresses below lead nowhere; a process that got past the check
 * would fail on them instead, with another message.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const demoDeployment = {
  TEMPORAL_ADDRESS: '127.0.0.1:9',
  DATABASE_URL: 'postgres://app:secret@127.0.0.1:9/service_centre',
  SMTP_URL: 'smtp://user:hunter2@mail:1025',
  PUBLIC_BASE_URL: 'http://localhost:3000',
  TEMPORAL_UI_URL: 'http://localhost:8080',
};

function run(script: string, env: Record<string, string>) {
  const { ALLOW_DEMO_SETTINGS: _ignored, ...inherited } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env: { ...inherited, ...env, WORKER_METRICS_PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('a production start with demo settings', () => {
  it.each(['api/server.ts', 'worker.ts', 'scripts/start.ts'])('%s refuses localhost URLs and the demo mail sink, naming each variable and never the password', (script) => {
    const result = run(script, demoDeployment);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Refusing to start as a production deployment:$/m);
    for (const variable of ['PUBLIC_BASE_URL', 'TEMPORAL_UI_URL', 'SMTP_URL']) expect(result.stderr).toMatch(new RegExp(`^  - ${variable} `, 'm'));
    expect(result.stderr).toContain('ALLOW_DEMO_SETTINGS=true');
    expect(result.stderr).not.toContain('hunter2');
  });
});
