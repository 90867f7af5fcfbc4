/**
 * What travels through Temporal is sealed (docs/personal-data.md): every payload a client, a worker
 * or a failure puts on the wire — workflow inputs, signals and updates, activity arguments and
 * results, query answers, memos, summaries, failure messages — is encrypted with AES-256-GCM under
 * the key of its workflow's audience (domain/payload-audience.ts), the key's id in the payload's
 * metadata. Temporal's server, its database and anyone reading them without the keys see ciphertext;
 * search attributes stay readable (they hold codes only, docs/architecture.md §3).
 *
 * Written here, on node:crypto, rather than taken from a library: the codec is the one place the keys
 * are used, it is a few lines over the platform's own AES-GCM, and the packages that wrap it for
 * Temporal are single-author samples that would choose the key by a rule other than ours (C2).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError, type DataConverter, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { payloadKeyPairs, type Config } from './config';
import { PAYLOAD_AUDIENCES, type PayloadAudience } from './domain/payload-audience';
import { payloadAudienceOf } from './domain/workflow-ids';

/** The metadata of a sealed payload, as Temporal's samples name it: the UI and the CLI show it as such. */
export const SEALED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

/** The variable that holds each audience's keys (config.ts). */
export const PAYLOAD_KEY_VARIABLES = { service: 'PAYLOAD_KEYS', hr: 'PAYLOAD_KEYS_HR', audit: 'PAYLOAD_KEYS_AUDIT' } as const satisfies Record<PayloadAudience, keyof Config>;

export interface PayloadKey {
  id: string;
  audience: PayloadAudience;
  key: Buffer;
}

/** Every configured key by its id, and the one each audience encrypts with now (the first listed). */
export interface PayloadKeyring {
  byId: ReadonlyMap<string, PayloadKey>;
  current: Readonly<Record<PayloadAudience, PayloadKey>>;
}

export class PayloadKeysError extends Error {
  constructor(problem: string) {
    super(`${problem}. Workflow payloads are encrypted (docs/personal-data.md): set ${Object.values(PAYLOAD_KEY_VARIABLES).join(', ')} — \`npm start\` generates them into DATA_DIR.`);
    this.name = 'PayloadKeysError';
  }
}

/** The keyring of a configuration; throws PayloadKeysError when an audience has no key, so a process stops at its start, not at its first case. */
export function payloadKeyring(config: Pick<Config, (typeof PAYLOAD_KEY_VARIABLES)[PayloadAudience]>): PayloadKeyring {
  const missing = PAYLOAD_AUDIENCES.filter((audience) => !config[PAYLOAD_KEY_VARIABLES[audience]]).map((audience) => PAYLOAD_KEY_VARIABLES[audience]);
  if (missing.length > 0) throw new PayloadKeysError(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set`);
  const byId = new Map<string, PayloadKey>();
  const current = {} as Record<PayloadAudience, PayloadKey>;
  for (const audience of PAYLOAD_AUDIENCES) {
    for (const { id, key } of payloadKeyPairs(config[PAYLOAD_KEY_VARIABLES[audience]]!)) {
      if (byId.has(id)) throw new PayloadKeysError(`key id ${id} is listed twice (${PAYLOAD_KEY_VARIABLES[byId.get(id)!.audience]}, ${PAYLOAD_KEY_VARIABLES[audience]}): a key id must name one key`);
      const entry = { id, audience, key };
      byId.set(id, entry);
      current[audience] ??= entry;
    }
  }
  return { byId, current };
}

/** A new key for an audience, as `id:key` (npm start's generated keys). */
export function newPayloadKey(audience: PayloadAudience, at = new Date()): string {
  return `${audience}-${at.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`;
}

/** A fresh key for every audience, as the variables take them: a throwaway stack's (the benches, the fuzz run). */
export function freshPayloadKeys(): Record<(typeof PAYLOAD_KEY_VARIABLES)[PayloadAudience], string> {
  return { PAYLOAD_KEYS: newPayloadKey('service'), PAYLOAD_KEYS_HR: newPayloadKey('hr'), PAYLOAD_KEYS_AUDIT: newPayloadKey('audit') };
}

type PayloadKeyVariables = Partial<Record<(typeof PAYLOAD_KEY_VARIABLES)[PayloadAudience], string>>;

/**
 * The keys of a stack kept in its data folder (`npm start`, `npm run start:cluster`): those configured,
 * and for each audience without one the key stored in `<dataDir>/payload-keys.json` (mode 0600),
 * generated at the first start. The histories in that stack's Temporal database are sealed with them,
 * so the file goes with the data: delete both, or neither.
 */
export function payloadKeysInDataDir(configured: PayloadKeyVariables, dataDir: string, onGenerated: (file: string) => void = () => undefined): Required<PayloadKeyVariables> {
  const file = join(dataDir, 'payload-keys.json');
  const stored = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as PayloadKeyVariables;
  let generated = false;
  const keys = {} as Required<PayloadKeyVariables>;
  for (const audience of PAYLOAD_AUDIENCES) {
    const variable = PAYLOAD_KEY_VARIABLES[audience];
    if (!configured[variable] && !stored[variable]) {
      stored[variable] = newPayloadKey(audience);
      generated = true;
    }
    keys[variable] = configured[variable] || stored[variable]!;
  }
  if (generated) {
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    onGenerated(file);
  }
  return keys;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export const isSealed = (payload: Payload) => text(payload.metadata?.encoding) === SEALED_ENCODING;
export const keyIdOf = (payload: Payload) => text(payload.metadata?.[KEY_ID_METADATA]);

/** The whole payload (its metadata with it) encrypted; the key id also authenticated, so a relabelled payload fails. */
function seal(payload: Payload, key: PayloadKey): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(utf8(key.id));
  const plain = temporal.api.common.v1.Payload.encode(payload).finish();
  const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { metadata: { encoding: utf8(SEALED_ENCODING), [KEY_ID_METADATA]: utf8(key.id) }, data };
}

function open(payload: Payload, key: PayloadKey): Payload {
  const data = Buffer.from(payload.data ?? []);
  const decipher = createDecipheriv('aes-256-gcm', key.key, data.subarray(0, IV_BYTES));
  decipher.setAAD(utf8(key.id));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  return temporal.api.common.v1.Payload.decode(plain) as Payload;
}

/**
 * The codec of every client and worker: encrypts under the current key of the payload's workflow's
 * audience (the serialization context names the workflow an activity, a child or a signal belongs to),
 * and decrypts with whichever configured key the payload names. A payload that was never sealed
 * (written before the codec, or by a tool without it) passes as it is.
 */
export class SealingCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeyring) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const key = this.keys.current[payloadAudienceOf(context?.workflowId)];
    return payloads.map((payload) => (isSealed(payload) ? payload : seal(payload, key)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isSealed(payload)) return payload;
      const id = keyIdOf(payload);
      const key = id === undefined ? undefined : this.keys.byId.get(id);
      // Not a per-case accident: a key was removed while payloads sealed with it are still retained.
      if (!key) throw new ValueError(`payload sealed with key ${id ?? '(none)'}, which is not configured (${Object.values(PAYLOAD_KEY_VARIABLES).join(', ')})`);
      return open(payload, key);
    });
  }

  /**
   * The codec endpoint's decode (api/routes/codec.ts): opens the payloads of the audiences given and
   * leaves every other one as it came — sealed, which is what the Temporal UI then shows.
   */
  openFor(payloads: Payload[], audiences: readonly PayloadAudience[]): Payload[] {
    return payloads.map((payload) => {
      const id = isSealed(payload) ? keyIdOf(payload) : undefined;
      const key = id === undefined ? undefined : this.keys.byId.get(id);
      if (!key || !audiences.includes(key.audience)) return payload;
      try {
        return open(payload, key);
      } catch {
        return payload; // damaged: shown as it is
      }
    });
  }
}

/** Compiled JS in the production image, TypeScript under tsx and jest (as worker.ts finds the workflows). */
export function failureConverterPath(): string {
  const ts = join(__dirname, 'workflows', 'failure-converter.ts');
  return existsSync(ts) ? ts : join(__dirname, 'workflows', 'failure-converter.js');
}

/**
 * The data converter of every Temporal client and worker of ours: sealed payloads, and failure
 * messages and stack traces moved into a sealed payload too (workflows/failure-converter.ts) — an
 * activity's error may quote the row it failed on. Throws PayloadKeysError without the keys.
 */
export function sealedDataConverter(config: Pick<Config, (typeof PAYLOAD_KEY_VARIABLES)[PayloadAudience]>): DataConverter {
  return { payloadCodecs: [new SealingCodec(payloadKeyring(config))], failureConverterPath: failureConverterPath() };
}
