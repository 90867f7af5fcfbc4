/**
 * Failures as the workers and clients convert them: the message and the stack trace travel in the
 * failure's encoded attributes, which the payload codec seals (payload-codec.ts), so a failure that
 * quotes a row — MikroORM's messages do — is ciphertext in the history like any payload. The worker
 * loads this module in the workflow bundle and in its activities; the clients by path.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
