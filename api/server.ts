/**
 * The API process. With no configuration it expects `npm start` to have set the addresses; in
 * production TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL point at the real services.
 */
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { assertDeployable, loadConfig, type Config } from '../config';
import { openOrm, type Orm } from '../db/orm';
import { buildApp } from './app';

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApi(input: { config: Config; orm: Orm; temporal: Client; logger: Logger; port?: number; host?: string }): Promise<RunningApi> {
  const app = buildApp({ orm: input.orm, temporal: input.temporal, config: input.config, logger: input.logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(input.port ?? input.config.PORT, input.host ?? '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL) {
    throw new Error('api/server.ts needs TEMPORAL_ADDRESS and DATABASE_URL; `npm start` sets them for the embedded stack.');
  }
  assertDeployable(config);
  const logger = pino({ level: config.LOG_LEVEL });
  const orm = await openOrm(config.DATABASE_URL);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const api = await startApi({ config, orm, temporal, logger });
  logger.info({ url: api.url }, 'API listening');
  const stop = async () => {
    await api.close();
    await connection.close();
    await orm.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
