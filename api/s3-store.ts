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

  /** Keys are made by api/attachments.ts; one that could name another place is a bug, refused as on disk. */
  private objectKey(key: string): string {
    if (key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`attachment key outside the store: ${key}`);
    }
    return key;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const upload = () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: bytes }));
    try {
      await upload();
    } catch (error) {
      // A bucket removed (or never made, when the API started while the server was down) is made again.
      if (errorName(error) !== 'NoSuchBucket') throw error;
      await this.ensureBucket();
      await upload();
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch (error) {
      if (errorName(error) === 'NoSuchKey' || errorName(error) === 'NoSuchBucket') throw missingObject(key);
      throw error;
    }
  }

  /** S3 answers a delete of a missing object as done, as the local store's `rm --force` does. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  /** Creates the bucket unless it is there (an API starting beside a fresh MinIO). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (errorName(error) !== 'NotFound' && errorName(error) !== 'NoSuchBucket') throw error;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
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
