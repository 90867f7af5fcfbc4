import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINIO_COMMIT, MINIO_IMAGE, MINIO_MODULE_VERSION, MINIO_RELEASE, minioCacheDir, MinioMissingError, resolveMinio } from '../../scripts/minio';

describe('MinIO provisioning (the S3 attachment store of the tests, in the tool cache beside the Temporal binaries)', () => {
  const root = mkdtempSync(join(tmpdir(), 'minio-test-'));
  const quiet = { log: () => undefined };

  it('the module version is the release commit: MinIO names a release after the time of its commit, in UTC', () => {
    const stamp = MINIO_RELEASE.replace(/^RELEASE\.(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)Z$/, '$1$2$3$4$5$6');
    expect(MINIO_MODULE_VERSION).toBe(`v0.0.0-${stamp}-${MINIO_COMMIT.slice(0, 12)}`);
    expect(MINIO_IMAGE).toBe(`minio/minio:${MINIO_RELEASE}`);
  });

  it('comes from the cache, named by its release', () => {
    const env = { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache') };
    expect(minioCacheDir(env)).toBe(join(root, 'cache', 'wuye-service-centre', `minio-${MINIO_RELEASE}`));
    mkdirSync(minioCacheDir(env), { recursive: true });
    const binary = join(minioCacheDir(env), 'minio');
    writeFileSync(binary, '#!/bin/sh\necho "minio version test"\n');
    chmodSync(binary, 0o755);
    expect(resolveMinio({ env, ...quiet })).toBe(binary);
  });

  it('without it and without Go it is a clear error naming the go install command', () => {
    const env = { PATH: join(root, 'empty'), XDG_CACHE_HOME: join(root, 'cache2') };
    expect(() => resolveMinio({ env, ...quiet })).toThrow(MinioMissingError);
    expect(() => resolveMinio({ env, ...quiet })).toThrow(`go install github.com/minio/minio@${MINIO_MODULE_VERSION}`);
  });
});
