/**
 * One test file's slice of the real stack: its own Postgres database (from the migrated
 * template), the demo seed with the given policy, a real SMTP server, a worker on its own task
 * queue with the prebuilt workflow bundle, a Temporal client and the express app.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import pino from 'pino';
import type { Express } from 'express';
import { buildApp } from '../../api/app';
import { attachmentStoreFor } from '../../api/attachments';
import { loadConfig, type Config } from '../../config';
import { openOrm, type Orm } from '../../db/orm';
import { seedDemo, type SeedResult } from '../../db/seed';
import type { ServicePolicyInput } from '../../domain/policy';
import { sealedDataConverter } from '../../payload-codec';
import { createMailer, createWorker } from '../../worker';
import { TEST_PAYLOAD_KEYS } from './payload-keys';
import { startSmtpCapture, type ReceivedMail } from './smtp';
import { searchAttributeCliSpecs } from '../../workflows/search-attributes';
export { eventually } from './eventually';

export const TEMPLATE_DB = 'service_centre_template';

export interface TestStack {
  orm: Orm;
  client: Client;
  worker: Worker;
  app: Express;
  config: Config;
  seed: SeedResult;
  mails: ReceivedMail[];
  keyOf(staffId: string): string;
  close(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through jest (test/helpers/global-setup.ts)`);
  return value;
}

/** A fresh database from the migrated template: its URL. */
export async function createDatabase(): Promise<string> {
  const base = required('TEST_DATABASE_URL');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new PgClient({ connectionString: base.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return base.replace(/\/[^/]+$/, `/${name}`);
}

/** The ORM on a fresh database holding the demo property, for tests of activities and SQL alone. */
export async function seededOrm(): Promise<Orm> {
  const orm = await openOrm(await createDatabase(), { poolMax: 4 });
  await seedDemo(orm, {});
  return orm;
}

/**
 * Workflow IDs are unique per namespace and every test file has its own database (so its own case
 * numbers): each file gets a fresh namespace with our search attributes, as a deployment would.
 */
async function createNamespace(address: string): Promise<string> {
  const namespace = `test-${randomBytes(5).toString('hex')}`;
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const types = temporal.api.enums.v1.IndexedValueType as unknown as Record<string, number>;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        searchAttributeCliSpecs().map(({ name, type }) => [name, types[`INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`]]),
      ),
    });
  } finally {
    await connection.close();
  }
  return namespace;
}

let runtimeQuiet = false;

export async function startTestStack(
  options: {
    policy?: ServicePolicyInput;
    /** The activities' clock (a worker living in another year). */
    clock?: () => Date;
    /** false: an empty database, as a new deployment finds it (no demo property, no staff). */
    seed?: false;
    /**
     * More configuration variables (e.g. CODEC_CORS_ORIGINS for the browser test's Temporal UI). With
     * the ATTACHMENTS_S3_* variables the app keeps photos in that S3 store instead of the work folder.
     */
    env?: Record<string, string>;
  } = {},
): Promise<TestStack> {
  if (!runtimeQuiet) {
    Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m: string, a?: unknown) => process.env.TEST_WORKER_LOGS && process.stderr.write(`${m} ${JSON.stringify(a)}\n`), error: (m: string, a?: unknown) => process.stderr.write(`${m} ${JSON.stringify(a)}\n`) } as never });
    runtimeQuiet = true;
  }
  const namespace = await createNamespace(required('TEST_TEMPORAL_ADDRESS'));
  const smtp = await startSmtpCapture();
  const databaseUrl = await createDatabase();
  const config = loadConfig({
    TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtp.url,
    LOG_LEVEL: 'silent',
    // Photos and signatures of this file's cases, in the suite's work folder, unless the file chose an S3 store.
    ...(options.env?.ATTACHMENTS_S3_ENDPOINT ? {} : { ATTACHMENTS_DIR: join(process.env.TEST_WORK_DIR ?? tmpdir(), `attachments-${randomBytes(4).toString('hex')}`) }),
    ...TEST_PAYLOAD_KEYS,
    ...options.env,
  });
  const orm = await openOrm(databaseUrl, { poolMax: 5 });
  const seed: SeedResult = options.seed === false ? { created: false, propertyId: '', staff: [], households: 0 } : await seedDemo(orm, { policy: options.policy });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
  const mailer = createMailer(config.SMTP_URL!);
  const worker = await createWorker(
    { connection: nativeConnection, orm, mailer, config, clock: options.clock },
    { workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') } },
  );
  const running = worker.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(config) });
  const attachments = attachmentStoreFor(config);
  const app = buildApp({ orm, temporal: client, config, logger: pino({ level: process.env.TEST_API_LOGS ? 'error' : 'silent' }), mailer, attachments });
  return {
    orm,
    client,
    worker,
    app,
    config,
    seed,
    mails: smtp.mails,
    keyOf: (staffId) => {
      const s = seed.staff.find((x) => x.id === staffId);
      if (!s) throw new Error(`no seeded staff ${staffId}`);
      return s.apiKey;
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      mailer.close();
      attachments.close?.();
      await orm.close(true);
      await smtp.close();
    },
  };
}

