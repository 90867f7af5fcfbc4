/**
 * The S3 attachment store (api/s3-store.ts, docs/attachments.md) against a real S3-compatible server:
 * MinIO of the release docker-compose.yml runs, built from the Go module proxy into the tool cache
 * on first use (scripts/minio.ts) and started fresh for this file on a free loopback port. Then the
 * API with the ATTACHMENTS_S3_* variables set: a photo uploaded through it lands in the bucket and
 * reads back, and nothing is written to the local disk.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { LocalDiskStore } from '../../api/attachments';
import { dependencyUnavailable } from '../../api/problem';
import { S3Store, type S3Settings } from '../../api/s3-store';
import { CaseAttachment } from '../../db/entities';
import { freePort } from '../../scripts/free-port';
import { resolveMinio, startMinio, type MinioServer } from '../../scripts/minio';
import { as, assigneeOf, report } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

/** Building MinIO on a machine that never did takes minutes; every later run finds it in the cache. */
const FIRST_BUILD_MS = 30 * 60_000;

let workDir: string;
let minio: MinioServer;
const stores: S3Store[] = [];

const settings = (bucket: string): S3Settings => ({ endpoint: minio.endpoint, bucket, region: 'us-east-1', accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
const s3Store = (bucket: string) => {
  const store = new S3Store(settings(bucket));
  stores.push(store);
  return store;
};

beforeAll(async () => {
  const binary = resolveMinio();
  workDir = mkdtempSync(join(process.env.TEST_WORK_DIR ?? tmpdir(), 'minio-'));
  chmodSync(workDir, 0o755);
  minio = await startMinio({ binary, dataDir: join(workDir, 'data'), port: await freePort(), onLog: (chunk) => process.env.TEST_MINIO_LOGS && process.stderr.write(chunk) });
}, FIRST_BUILD_MS);

afterAll(async () => {
  for (const store of stores) store.close();
  await minio?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('S3Store on MinIO', () => {
  let store: S3Store;
  beforeAll(async () => {
    store = s3Store('attachments-store');
    await store.prepare();
  });

  it('an object put reads back byte for byte, is replaced by a second put, and is gone after delete', async () => {
    const key = 'R20261205-0001/att_aaaaaaaaaaaaaaaa.jpg';
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    await store.put(key, bytes);
    expect((await store.get(key)).equals(bytes)).toBe(true);
    const replaced = Buffer.from('second version');
    await store.put(key, replaced);
    expect((await store.get(key)).equals(replaced)).toBe(true);
    await store.delete(key);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a missing key fails as a missing file does in the local store (ENOENT), so the route answers both alike', async () => {
    const local = new LocalDiskStore(join(workDir, 'local'));
    const key = 'R20261205-0002/att_bbbbbbbbbbbbbbbb.png';
    const [onDisk, inBucket] = await Promise.allSettled([local.get(key), store.get(key)]);
    expect(onDisk).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT' } });
    expect(inBucket).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT' } });
  });

  it('deleting a key that is not there succeeds, as in the local store', async () => {
    await expect(store.delete('R20261205-0003/att_cccccccccccccccc.jpg')).resolves.toBeUndefined();
  });

  it('a key that could name another place is refused before any request', async () => {
    for (const key of ['../escape.jpg', '/R1/a.jpg', 'R1//a.jpg', 'R1/./a.jpg']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/outside the store/);
    }
  });

  it('a put into a bucket that does not exist yet makes the bucket; making it again is harmless', async () => {
    const fresh = s3Store('attachments-made-on-put');
    expect(await fresh.reachable(3000)).toBe(false);
    await fresh.put('R20261205-0004/att_dddddddddddddddd.jpg', Buffer.from('first photo'));
    expect((await fresh.get('R20261205-0004/att_dddddddddddddddd.jpg')).toString()).toBe('first photo');
    await fresh.prepare();
    expect(await fresh.reachable(3000)).toBe(true);
  });

  it('a server that is not there is reported unreachable, and its failures are told apart from a database outage', async () => {
    const nowhere = new S3Store({ ...settings('attachments-store'), endpoint: `http://127.0.0.1:${await freePort()}` });
    stores.push(nowhere);
    expect(await nowhere.reachable(3000)).toBe(false);
    const failure = await nowhere.get('R20261205-0005/att_eeeeeeeeeeeeeeee.jpg').catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'AttachmentStoreUnavailable' });
    expect(String((failure as Error).cause)).toMatch(/ECONNREFUSED/);
    expect(dependencyUnavailable(failure)).toBe('attachments');
  });
});

describe('the API with the S3 store configured', () => {
  let stack: TestStack;
  const bucket = 'attachments-api';
  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        ATTACHMENTS_S3_ENDPOINT: minio.endpoint,
        ATTACHMENTS_S3_BUCKET: bucket,
        ATTACHMENTS_S3_REGION: 'us-east-1',
        ATTACHMENTS_S3_ACCESS_KEY_ID: minio.accessKeyId,
        ATTACHMENTS_S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
      },
    });
  });
  afterAll(async () => stack?.close());

  it('a photo uploaded by the engineer is kept in the bucket, reads back through the API, and nothing is written to the disk', async () => {
    const caseId = await report(stack, { room: '1-2-402', classification: 'urgent', tags: ['water'] });
    const engineer = await assigneeOf(stack, caseId);
    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();

    const stored = await request(stack.app).post(`/api/v1/repairs/${caseId}/photos?stage=before`).set(as(stack, engineer)).set('Content-Type', 'image/png').send(photo);
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ kind: 'before', mediaType: 'image/jpeg', width: 800, height: 600 });

    const read = await request(stack.app)
      .get(stored.body.url)
      .set(as(stack, engineer))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(read.body as Buffer).metadata()).format).toBe('jpeg');

    // The bytes served are the object in the bucket, which the API made at the first upload.
    const row = await stack.orm.em.fork().findOneOrFail(CaseAttachment, { id: stored.body.id });
    expect((await s3Store(bucket).get(row.storageKey)).equals(read.body as Buffer)).toBe(true);
    expect(stack.config.ATTACHMENTS_DIR).toBeUndefined();
    expect(existsSync(join(stack.config.DATA_DIR, 'attachments', caseId))).toBe(false);

    const ready = await request(stack.app).get('/readyz');
    expect(ready.body.checks).toMatchObject({ postgres: 'ok', temporal: 'ok', attachments: 'ok' });
  });

  it('with the S3 server down a photo is 503 naming the photo store, and /readyz reports it but stays ready: cases are still taken', async () => {
    const caseId = await report(stack, { room: '2-1-201' });
    const engineer = await assigneeOf(stack, caseId);
    await minio.stop();
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const refused = await request(stack.app).post(`/api/v1/repairs/${caseId}/photos?stage=before`).set(as(stack, engineer)).set('Content-Type', 'image/png').send(photo);
    expect({ status: refused.status, retryAfter: refused.headers['retry-after'], detail: refused.body.detail }).toEqual({ status: 503, retryAfter: '5', detail: 'the photo store is unreachable; retry later' });
    expect(await stack.orm.em.fork().count(CaseAttachment, { caseId })).toBe(0);

    const ready = await request(stack.app).get('/readyz');
    expect({ status: ready.status, checks: ready.body.checks }).toMatchObject({ status: 200, checks: { postgres: 'ok', temporal: 'ok', attachments: 'unreachable' } });
    await report(stack, { room: '4-1-1001' });
  });
});
