import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cacheDir, resolveTemporalCli, TemporalCliMissingError } from '../../scripts/temporal-cli';

function fakeBinary(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho "temporal version 0.0.0-test"\n');
  chmodSync(path, 0o755);
  return path;
}

describe('Temporal CLI provisioning (the order of docs/operations.md)', () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-test-'));
  const quiet = { log: () => undefined };

  it('TEMPORAL_CLI_PATH wins over everything', () => {
    const explicit = fakeBinary(join(root, 'explicit'), 'my-temporal');
    const onPath = fakeBinary(join(root, 'bin'), 'temporal');
    const cli = resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: join(root, 'bin') }, ...quiet });
    expect(cli).toEqual({ kind: 'path', path: explicit, source: 'TEMPORAL_CLI_PATH' });
    expect(onPath).toBeTruthy();
  });

  it('then `temporal` on PATH, then the cache', () => {
    const env = { PATH: join(root, 'bin'), XDG_CACHE_HOME: join(root, 'cache') };
    expect(resolveTemporalCli({ env, ...quiet })).toMatchObject({ kind: 'path', source: 'PATH' });
    const cached = fakeBinary(cacheDir({ XDG_CACHE_HOME: join(root, 'cache2') }), 'temporal');
    expect(resolveTemporalCli({ env: { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache2') }, ...quiet })).toEqual({
      kind: 'path',
      path: cached,
      source: 'cache',
    });
  });

  it('without any of them and without Go it falls back to the SDK download, into the cache folder', () => {
    const env = { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache3') };
    expect(resolveTemporalCli({ env, ...quiet })).toEqual({ kind: 'sdk-download', downloadDir: cacheDir(env) });
  });

  it('a TEMPORAL_CLI_PATH that is not executable is a clear error', () => {
    expect(() => resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: join(root, 'nope') }, ...quiet })).toThrow(TemporalCliMissingError);
  });

  it('with no way to get a CLI, the script prints one paragraph of options and no stack trace', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '../../scripts/temporal-cli.ts')], {
      env: { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache4'), HOME: root },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/The Temporal CLI .* was not found/);
    expect(result.stderr).toMatch(/TEMPORAL_CLI_PATH/);
    expect(result.stderr).toMatch(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
    expect(result.stderr).toMatch(/TEMPORAL_ADDRESS/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
