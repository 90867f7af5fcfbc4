/**
 * The payload keys of every test stack (payload-codec.ts). Fixed, not drawn per run: the committed
 * histories of test/replay were sealed with them and replay only with them. They protect nothing but
 * test data; a deployment's keys come from its own configuration.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { PAYLOAD_AUDIENCES } from '../../domain/payload-audience';
import { payloadKeyring, SealingCodec } from '../../payload-codec';

export const TEST_PAYLOAD_KEYS = {
  PAYLOAD_KEYS: 'service-test:qDQwFi0hymDGLZ+uXbHDxYMJKdJqvYi/iiFOImGASa8=',
  PAYLOAD_KEYS_HR: 'hr-test:BbVmt/GBclDeOWNqg2RPiL0BKtf+/IYPsRbsnx7en2I=',
  PAYLOAD_KEYS_AUDIT: 'audit-test:uvDs2vBokqqLprQKwRDx9AVqSfbj8KyftNrSoVMiDO0=',
} as const;

/**
 * A payload a test read from a history, opened with the test keys and converted: histories hold
 * sealed payloads, as they would for anyone reading them without the keys.
 */
export function openPayload<T = unknown>(payload: Payload): T {
  const [opened] = testCodec().openFor([payload], PAYLOAD_AUDIENCES);
  return defaultPayloadConverter.fromPayload<T>(opened);
}

let codec: SealingCodec | undefined;
const testCodec = () => (codec ??= new SealingCodec(payloadKeyring(TEST_PAYLOAD_KEYS)));
