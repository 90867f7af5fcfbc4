/**
 * The attachment store on an S3-compatible server (MinIO in docker-compose.yml, or S3 itself):
 * docs/attachments.md. Path-style requests (`endpoint/bucket/key`), which MinIO expects and S3 still
 * answers, so the endpoint needs no wildcard DNS name per bucket.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { AttachmentStore } from './attachments';
import { ATTACHMENT_STORE_UNAVAILABLE } from './problem';

export interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The S3 settings of a configuration, when it chooses the S3 store (config.ts checks they come together). */
export function s3SettingsOf(config: Config): S3Settings | undefined {
  const { ATTACHMENTS_S3_ENDPOINT: endpoint, ATTACHMENTS_S3_BUCKET: bucket, ATTACHMENTS_S3_REGION: region } = config;
  const { ATTACHMENTS_S3_ACCESS_KEY_ID: accessKeyId, ATTACHMENTS_S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
  if (!endpoint || !bucket || !region || !accessKeyId || !secretAccessKey) return undefined;
  return { endpoint, bucket, region, accessKeyId, secretAccessKey };
}

const errorName = (error: unknown) => (error instanceof S3ServiceException ? error.name : undefined);

/**
 * A server that does not answer (after the SDK's own retries) is a 503 naming the photo store, not
 * the database whose connection codes its error carries; S3's own answers (denied, no such key) pass
 * through as they are.
 */
function unreachable(error: unknown): unknown {
  if (error instanceof S3ServiceException) return error;
  return Object.assign(new Error('the attachment store is unreachable', { cause: error }), { name: ATTACHMENT_STORE_UNAVAILABLE });
}

/**
 * What the local store's `get` throws for a file that is not there (Node's ENOENT), so the route
 * answers a row without its bytes the same way whichever store holds them.
 */
function missingObject(key: string): Error {
  return Object.assign(new Error(`no attachment object ${key}`), { code: 'ENOENT' });
}

export class S3Store implements AttachmentStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: true,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    });
  }

  /** Every request but the readiness probe, so that an unreachable server is told apart from S3's answers. */
  private call<T>(run: (client: S3Client) => Promise<T>): Promise<T> {
    return run(this.client).catch((error: unknown) => {
      throw unreachable(error);
    });
  }

  /** Keys are made by api/attachments.ts; one that could name another place is a bug, refused as on disk. */
  private objectKey(key: string): string {
    if (key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`attachment key outside the store: ${key}`);
    }
    return key;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const Key = this.objectKey(key);
    const upload = () => this.call((s3) => s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes })));
    try {
      await upload();
    } catch (error) {
      // A bucket removed (or never made, when the API started while the server was down) is made again.
      if (errorName(error) !== 'NoSuchBucket') throw error;
      await this.prepare();
      await upload();
    }
  }

  async get(key: string): Promise<Buffer> {
    const Key = this.objectKey(key);
    try {
      const object = await this.call((s3) => s3.send(new GetObjectCommand({ Bucket: this.bucket, Key })));
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (error) {
      if (errorName(error) === 'NoSuchKey' || errorName(error) === 'NoSuchBucket') throw missingObject(key);
      throw error;
    }
  }

  /** S3 answers a delete of a missing object as done, as the local store's `rm --force` does. */
  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.call((s3) => s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })));
  }

  /** Creates the bucket unless it is there (an API starting beside a fresh MinIO). */
  async prepare(): Promise<void> {
    try {
      await this.call((s3) => s3.send(new HeadBucketCommand({ Bucket: this.bucket })));
      return;
    } catch (error) {
      if (errorName(error) !== 'NotFound' && errorName(error) !== 'NoSuchBucket') throw error;
    }
    try {
      await this.call((s3) => s3.send(new CreateBucketCommand({ Bucket: this.bucket })));
    } catch (error) {
      // Another API replica made it first.
      if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }

  /** Whether the bucket answers within `ms`: what /readyz reports. */
  async reachable(ms: number): Promise<boolean> {
    return this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(ms) }).then(
      () => true,
      () => false,
    );
  }

  close(): void {
    this.client.destroy();
  }
}
