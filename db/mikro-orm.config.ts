import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { join } from 'node:path';
import { ALL_ENTITIES } from './entities';

/**
 * One place for the ORM's settings. `clientUrl` comes from DATABASE_URL, or from the embedded
 * Postgres the launcher started. Migrations are committed TypeScript, compiled alongside the app.
 */
/** How long a query waits for a pooled connection, or a new connection for Postgres to answer. */
export const DATABASE_WAIT_MS = 5_000;

export function ormConfig(clientUrl: string, options: { debug?: boolean; poolMax?: number } = {}) {
  const compiled = __filename.endsWith('.js');
  return defineConfig({
    clientUrl,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    debug: options.debug ?? false,
    allowGlobalContext: false,
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Postgres down must mean a prompt error (API: 503 + Retry-After; activities: retry with
    // backoff), never a request waiting a minute for a connection: knex's default is 60 s.
    driverOptions: { acquireConnectionTimeout: DATABASE_WAIT_MS, connection: { connectionTimeoutMillis: DATABASE_WAIT_MS } },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: join(__dirname, 'migrations'),
      glob: compiled ? '!(*.d).js' : '*.ts',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
  });
}

// For the MikroORM CLI (`npm run db:migration:create`).
export default ormConfig(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/service_centre');
