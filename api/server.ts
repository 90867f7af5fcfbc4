/**
 * The API process. With no configuration it expects `npm start` to have set the addresses; in
 * production TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL point at the real services.
 */
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import nodemailer, { type Transporter } from 'nodemailer';
import { assertDeployable, loadConfig, type Config } from '../config';
import { openOrm, type Orm } from '../db/orm';
import { createLogger, loggableError, scrub } from '../logging';
import { sealedDataConverter } from '../payload-codec';
import { buildApp } from './app';
import { attachmentStoreFor } from './attachments';
import { expireIdempotencyRecords } from './idempotency';
import { createApiMetrics, metricsApp } from './metrics';

export interface RunningApi {
  server: Server;
  url: string;
  /** `…/metrics` on the metrics port, when one is served. */
  metricsUrl?: string;
  close(): Promise<void>;
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
}

const closing = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/**
 * The API on `port` (default PORT) and its Prometheus metrics on `metricsPort` (default
 * API_METRICS_PORT, where 0 means none; an explicit 0 here means any free port), on `host` and
 * `metricsHost` (default `host`); and, while it runs, the purge of expired idempotency records.
 */
export async function startApi(input: {
  config: Config;
  orm: Orm;
  temporal: Client;
  logger: Logger;
  port?: number;
  host?: string;
  metricsPort?: number;
  metricsHost?: string;
  /** Mails staff their password links; without one those operations answer 503. */
  mailer?: Transporter;
}): Promise<RunningApi> {
  const host = input.host ?? '0.0.0.0';
  const metrics = createApiMetrics();
  const attachments = attachmentStoreFor(input.config);
  // The bucket of a fresh S3 server (compose's minio). A server still down is no reason not to start:
  // uploads make the bucket when they find it missing, and /readyz says the store is unreachable.
  await attachments.prepare?.().catch((error: unknown) => input.logger.warn({ err: loggableError(error) }, 'the attachment bucket could not be checked or made; uploads will try again'));
  const app = buildApp({ orm: input.orm, temporal: input.temporal, config: input.config, logger: input.logger, metrics, mailer: input.mailer, attachments });
  const server = await listen(app, input.port ?? input.config.PORT, host);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const metricsPort = input.metricsPort ?? (input.config.API_METRICS_PORT || undefined);
  const metricsServer = metricsPort === undefined ? undefined : await listen(metricsApp(metrics), metricsPort, input.metricsHost ?? host).catch(async (error: unknown) => {
    await closing(server);
    throw error;
  });
  const stopExpiry = expireIdempotencyRecords(() => input.orm.em.fork(), input.config.IDEMPOTENCY_TTL_DAYS, (error) =>
    input.logger.warn({ err: loggableError(error) }, 'purging expired idempotency records failed; trying again in an hour'),
  );
  const portOf = (s: Server) => (s.address() as { port: number }).port;
  return {
    server,
    url: `http://127.0.0.1:${portOf(server)}`,
    ...(metricsServer ? { metricsUrl: `http://127.0.0.1:${portOf(metricsServer)}/metrics` } : {}),
    close: async () => {
      stopExpiry();
      await Promise.all([closing(server), ...(metricsServer ? [closing(metricsServer)] : [])]);
      attachments.close?.();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL) {
    throw new Error('api/server.ts needs TEMPORAL_ADDRESS and DATABASE_URL; `npm start` sets them for the embedded stack.');
  }
  assertDeployable(config);
  // Before anything connects: an API without the payload keys stops here, with the variables named.
  const dataConverter = sealedDataConverter(config);
  const logger = createLogger(config.LOG_LEVEL);
  const orm = await openOrm(config.DATABASE_URL);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  // Password links go out from the API itself (docs/console.md); a small pool is plenty.
  const mailer = config.SMTP_URL ? nodemailer.createTransport({ url: config.SMTP_URL, pool: true, maxConnections: 2 }) : undefined;
  const api = await startApi({ config, orm, temporal, logger, mailer });
  logger.info({ url: api.url, metrics: api.metricsUrl }, 'API listening');
  const stop = async () => {
    await api.close();
    mailer?.close();
    await connection.close();
    await orm.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${scrub(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(1);
  });
}
