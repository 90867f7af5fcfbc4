/**
 * The codec endpoint of the Temporal UI (docs/personal-data.md): the UI sends the sealed payloads of
 * the case a staff member opened, with that member's session, and gets back those their roles may
 * read — the service centre's for supervisors and managers, an employee complaint's for hr, a
 * report's for audit (domain/payload-audience.ts) — and every other one as it came, which the UI
 * shows as ciphertext. The wire format is the codec protocol's: `Payloads` as protobuf JSON (bytes in
 * base64), the last path segment naming the direction.
 *
 * There is no /encode: the UI needs it only to send a signal or start a workflow itself, which staff
 * do through this API and its audit log instead (docs/security.md: the UI is read-only).
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { ACCESS } from '../../domain/access';
import { audiencesReadableBy } from '../../domain/payload-audience';
import { payloadKeyring, SealingCodec } from '../../payload-codec';
import { operation, type Operation } from '../contract';
import type { RouteDeps } from './repairs';

const base64 = z.string().max(2_800_000).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** One protobuf-JSON Payload; fields other than metadata and data (a newer UI's) travel back untouched. */
const payloadJson = z.looseObject({
  metadata: z.record(z.string().max(256), base64).optional(),
  data: base64.optional(),
});
type PayloadJson = z.infer<typeof payloadJson>;

const payloadsBody = z.object({ payloads: z.array(payloadJson).max(1000) }).describe('temporal.api.common.v1.Payloads as protobuf JSON');

const fromJson = (p: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): PayloadJson => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export function codecOperations({ config }: RouteDeps): Operation[] {
  // Built at the first decode: the operations are also listed without a configuration (the OpenAPI
  // document). An API process without the payload keys never gets here: api/server.ts stops first.
  let codec: SealingCodec | undefined;
  const codecOf = () => (codec ??= new SealingCodec(payloadKeyring(config)));
  return [
    operation({
      method: 'post',
      path: '/codec/decode',
      operationId: 'decodePayloads',
      summary: 'The Temporal UI’s codec endpoint: decrypts the payloads the caller’s roles may read, returns the others sealed',
      description:
        'Configure it as the UI’s codec endpoint `…/api/v1/codec` (the UI appends `/decode`) with cross-origin credentials, so the browser sends the staff member’s session; the UI’s origin must be in CODEC_CORS_ORIGINS. Supervisors and managers read the service centre’s cases; an employee complaint only hr, a report only audit (C2).',
      tags: ['codec'],
      roles: ACCESS.payloads.decode,
      readOnly: true,
      body: payloadsBody,
      responses: { 200: { description: 'The same payloads, in order: decrypted where the caller may read them', schema: payloadsBody } },
      handler: async ({ body, staff }) => {
        const sealed = body.payloads.map(fromJson);
        const opened = codecOf().openFor(sealed, audiencesReadableBy(staff.roles));
        // A payload left sealed goes back exactly as it came.
        const payloads = opened.map((payload, i) => (payload === sealed[i] ? body.payloads[i] : toJson(payload)));
        return { status: 200, body: { payloads } };
      },
    }),
  ];
}
