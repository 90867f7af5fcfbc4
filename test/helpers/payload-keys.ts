/**
 * The payload keys of every test stack (payload-codec.ts). Fixed, not drawn per run: the committed
 * histories of test/replay were sealed with them and replay only with them. They protect nothing but
 * test data; a deployment's keys come from its own configuration.
 */
export const TEST_PAYLOAD_KEYS = {
  PAYLOAD_KEYS: 'service-test:qDQwFi0hymDGLZ+uXbHDxYMJKdJqvYi/iiFOImGASa8=',
  PAYLOAD_KEYS_HR: 'hr-test:BbVmt/GBclDeOWNqg2RPiL0BKtf+/IYPsRbsnx7en2I=',
  PAYLOAD_KEYS_AUDIT: 'audit-test:uvDs2vBokqqLprQKwRDx9AVqSfbj8KyftNrSoVMiDO0=',
} as const;
