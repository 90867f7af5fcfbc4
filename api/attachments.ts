/**
 * Photos and signatures kept with a case (docs/console.md). The bytes go to an attachment store —
 * the local disk by default, an S3-compatible server when configured (docs/attachments.md) — and a
 * `case_attachment` row says what they are. Every upload is decoded before anything is stored: a
 * file that is not a picture is refused and leaves nothing behind, and a photo is re-encoded, which
 * turns it upright and drops its metadata (a phone's EXIF carries the GPS position of the home).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import sharp from 'sharp';
import type { Config } from '../config';
import { HttpProblem } from './problem';
import { s3SettingsOf, S3Store } from './s3-store';

/** Where attachment bytes live; keys are relative paths made by this module, never by a client. */
export interface AttachmentStore {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
  /** A store on a server of its own: makes what it needs there (a bucket) when the API starts. */
  prepare?(): Promise<void>;
  /** A store on a server of its own: whether it answers within `ms`, which /readyz reports. */
  reachable?(ms: number): Promise<boolean>;
  /** A store on a server of its own: lets go of its connections. */
  close?(): void;
}

/** The default store: files under one directory, written whole (temp file, then rename). */
export class LocalDiskStore implements AttachmentStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`attachment key outside the store: ${key}`);
    return path;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.part`;
    await writeFile(temp, bytes);
    await rename(temp, path);
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.path(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

/** The store a configuration chooses: S3 when the ATTACHMENTS_S3_* variables are set, else the local disk. */
export function attachmentStoreFor(config: Config): AttachmentStore {
  const s3 = s3SettingsOf(config);
  return s3 ? new S3Store(s3) : new LocalDiskStore(config.ATTACHMENTS_DIR ?? `${config.DATA_DIR}/attachments`);
}

export const ATTACHMENT_KINDS = ['before', 'after', 'signature'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** What a phone sends: JPEG, PNG, WebP, or HEIC from an iPhone (stored as JPEG). */
export const PHOTO_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic'];
export const PHOTO_LIMIT = '10mb';
export const SIGNATURE_MEDIA_TYPES = ['image/png'];
export const SIGNATURE_LIMIT = '512kb';
/** The longest side a stored photo keeps: enough to see a pipe joint, small enough for a phone. */
const PHOTO_MAX_SIDE = 2560;
/** A decompression bomb (a tiny file of a huge picture) is refused before it is decoded. */
const MAX_INPUT_PIXELS = 50_000_000;

export interface PreparedImage {
  bytes: Buffer;
  mediaType: string;
  width: number;
  height: number;
  sha256: string;
}

const notAnImage = () =>
  new HttpProblem(422, 'Not an image', 'the file is not a picture this service can read (JPEG, PNG, WebP or HEIC); nothing was stored', {
    'invalid-params': [{ name: '(body)', in: 'body', reason: 'not a readable image' }],
  });

/**
 * Decodes the upload and returns what is stored: a photo re-encoded as JPEG (upright, no
 * metadata, at most PHOTO_MAX_SIDE), a signature as PNG. The digest is of the upload as sent, so the
 * same file sent again (a retry on a bad connection) is recognised as the same attachment.
 */
export async function prepareImage(upload: Buffer, kind: AttachmentKind): Promise<PreparedImage> {
  const sha256 = createHash('sha256').update(upload).digest('hex');
  try {
    const image = sharp(upload, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
    const meta = await image.metadata();
    if (!meta.format || !['jpeg', 'png', 'webp', 'heif'].includes(meta.format) || (kind === 'signature' && meta.format !== 'png')) throw notAnImage();
    const output =
      kind === 'signature'
        ? image.png({ compressionLevel: 9 })
        : image.rotate().resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82, mozjpeg: true });
    const { data, info } = await output.toBuffer({ resolveWithObject: true });
    return { bytes: data, mediaType: kind === 'signature' ? 'image/png' : 'image/jpeg', width: info.width, height: info.height, sha256 };
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw notAnImage();
  }
}

export const storageKeyOf = (caseId: string, id: string, mediaType: string) => join(caseId, `${id}.${mediaType === 'image/png' ? 'png' : 'jpg'}`);
