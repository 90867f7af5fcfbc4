/**
 * The S3-compatible attachment store of docker-compose.yml (docs/attachments.md), natively: MinIO,
 * built once with `go install` from the Go module proxy into this project's tool cache beside the
 * Temporal binaries (scripts/temporal-server.ts), and started on loopback for the tests. Run
 * directly, it provisions the binary and prints its path.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { cacheBase, goInstall, goOnPath, isExecutable, type GoBinary, binaryVersion } from './temporal-server';
import { spawnTied } from './tied-child';

/** The release compose's image runs; the native build is the same commit (test/unit/compose.test.ts). */
export const MINIO_RELEASE = 'RELEASE.2025-09-07T16-13-09Z';
/**
 * MinIO tags its releases `RELEASE.…`, which are not module versions: the proxy serves the tagged
 * commit only under its pseudo-version (commit time in UTC, then the commit's first 12 hex digits).
 */
export const MINIO_COMMIT = '07c3a429bfed433e49018cb0f78a52145d4bedeb';
export const MINIO_MODULE_VERSION = `v0.0.0-20250907161309-${MINIO_COMMIT.slice(0, 12)}`;

/** docker-compose.yml's `minio` service image. */
export const MINIO_IMAGE = `minio/minio:${MINIO_RELEASE}`;

const MINIO: GoBinary = {
  name: 'minio',
  module: 'github.com/minio/minio',
  pkg: 'github.com/minio/minio',
  version: MINIO_MODULE_VERSION,
  // What MinIO's own release build stamps (buildscripts/gen-ldflags.go), so `minio --version` names the release.
  ldflags: [
    `-X github.com/minio/minio/cmd.Version=${MINIO_RELEASE.slice('RELEASE.'.length).replace(/T(\d\d)-(\d\d)-(\d\d)Z$/, 'T$1:$2:$3Z')}`,
    `-X github.com/minio/minio/cmd.ReleaseTag=${MINIO_RELEASE}`,
    `-X github.com/minio/minio/cmd.CopyrightYear=${MINIO_RELEASE.slice('RELEASE.'.length, 'RELEASE.'.length + 4)}`,
    `-X github.com/minio/minio/cmd.CommitID=${MINIO_COMMIT}`,
    `-X github.com/minio/minio/cmd.ShortCommitID=${MINIO_COMMIT.slice(0, 12)}`,
  ],
};

export class MinioMissingError extends Error {
  constructor(detail: string, env: NodeJS.ProcessEnv = process.env) {
    super(
      `MinIO ${MINIO_RELEASE} (the S3-compatible attachment store the tests run against) was not found and could not be built. ${detail} ` +
        `Install Go ≥ 1.24 so that \`go install ${MINIO.pkg}@${MINIO.version}\` can build it into ${minioCacheDir(env)}.`,
    );
    this.name = 'MinioMissingError';
  }
}

export function minioCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheBase(env), `minio-${MINIO_RELEASE}`);
}

/** The MinIO binary from the cache, built with Go the first time. */
export function resolveMinio(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): string {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binary = join(minioCacheDir(env), MINIO.name);
  if (isExecutable(binary)) return binary;
  const go = goOnPath(env);
  if (!go) throw new MinioMissingError('Go is not installed.', env);
  if (!goInstall(go, MINIO, minioCacheDir(env), env, log)) throw new MinioMissingError(`The Go build of ${MINIO.pkg} failed.`, env);
  return binary;
}

export interface MinioServer {
  /** `http://127.0.0.1:<port>`, for path-style S3 requests. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * A throwaway MinIO on loopback over `dataDir`, with fresh root credentials and no web console,
 * tied to this process (scripts/tied-child.ts). Resolves once it answers its readiness probe.
 */
export async function startMinio(options: { binary: string; dataDir: string; port: number; onLog?: (chunk: Buffer) => void }): Promise<MinioServer> {
  const accessKeyId = `test-${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const endpoint = `http://127.0.0.1:${options.port}`;
  // Its certificates folder beside the data, not under the developer's home (MinIO's default).
  const args = ['server', options.dataDir, '--address', `127.0.0.1:${options.port}`, '--certs-dir', `${options.dataDir}.certs`, '--quiet'];
  const server = await spawnTied(options.binary, args, {
    env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lastWords: string[] = [];
  server.process.stderr!.on('data', (chunk: Buffer) => {
    lastWords.push(chunk.toString('utf8').trim());
    lastWords.splice(0, Math.max(0, lastWords.length - 5));
    options.onLog?.(chunk);
  });
  let exit: { code: number | null; signal: string | null } | undefined;
  void server.exited.then((e) => (exit = e));
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (exit) throw new Error(`MinIO exited (${exit.signal ?? `code ${exit.code}`}) before it was ready: ${lastWords.at(-1) ?? 'no output'}`);
      const ready = await fetch(`${endpoint}/minio/health/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`MinIO at ${endpoint} did not become ready within a minute`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { endpoint, accessKeyId, secretAccessKey, stop: () => server.stop() };
}

if (require.main === module) {
  try {
    const binary = resolveMinio();
    process.stderr.write(`MinIO: ${binaryVersion(binary)}\n`);
    process.stdout.write(`${binary}\n`);
  } catch (error) {
    if (error instanceof MinioMissingError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
