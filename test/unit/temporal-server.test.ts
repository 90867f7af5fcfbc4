import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolveTemporalServer, resolveTemporalUi, serverCacheDir, TemporalServerMissingError, uiCacheDir } from '../../scripts/temporal-server';

function fakeBinary(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho "temporal version 0.0.0-test"\n');
  chmodSync(path, 0o755);
  return path;
}

describe('Temporal server provisioning (the production shape, beside the CLI in the tool cache)', () => {
  const root = mkdtempSync(join(tmpdir(), 'server-test-'));
  const quiet = { log: () => undefined };

  it('the server and its schema tool come from the cache, named as the images name them', () => {
    const env = { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache') };
    const server = fakeBinary(serverCacheDir(env), 'temporal-server');
    const sqlTool = fakeBinary(serverCacheDir(env), 'temporal-sql-tool');
    expect(serverCacheDir(env)).toBe(join(root, 'cache', 'wuye-service-centre', 'temporal-server-v1.29.1'));
    expect(resolveTemporalServer({ env, ...quiet })).toEqual({ server, sqlTool });
  });

  it('without them and without Go it is a clear error naming the go install commands', () => {
    const env = { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache2') };
    fakeBinary(serverCacheDir(env), 'temporal-server'); // the schema tool is missing
    expect(() => resolveTemporalServer({ env, ...quiet })).toThrow(TemporalServerMissingError);
    expect(() => resolveTemporalServer({ env, ...quiet })).toThrow(/go install go\.temporal\.io\/server\/cmd\/tools\/sql@v1\.29\.1/);
  });

  it('the UI server is optional: from the cache with its config, else the reason it is missing', () => {
    const env = { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache3') };
    expect(resolveTemporalUi({ env, ...quiet })).toEqual({ missing: expect.stringContaining('Go is not installed') });
    const binary = fakeBinary(uiCacheDir(env), 'temporal-ui-server');
    mkdirSync(join(uiCacheDir(env), 'config'));
    writeFileSync(join(uiCacheDir(env), 'config', 'docker.yaml'), 'port: 8080\n');
    expect(resolveTemporalUi({ env, ...quiet })).toEqual({ binary, configDir: join(uiCacheDir(env), 'config') });
    // Beside the image's docker.yaml, loaded before it: loopback only, as compose publishes the UI.
    expect(readFileSync(join(uiCacheDir(env), 'config', 'base.yaml'), 'utf8')).toMatch(/^host: 127\.0\.0\.1$/m);
  });

  it('with no way to get the server, the script prints one paragraph and no stack trace', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '../../scripts/temporal-server.ts')], {
      env: { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache4'), HOME: root },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/The Temporal server v1\.29\.1 .* was not found/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
