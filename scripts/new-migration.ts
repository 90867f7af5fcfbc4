/**
 * `npm run db:migration:new -- <name>`: writes a migration for what the entities now declare beyond
 * the committed migrations. It applies those to a throwaway embedded Postgres and diffs from there,
 * so no database of yours is touched.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrate, openOrm } from '../db/orm';
import { freePort } from './free-port';


async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9-]+$/.test(name)) throw new Error('usage: npm run db:migration:new -- <kebab-case-name>');
  const dir = mkdtempSync(join(tmpdir(), 'wuye-migration-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), database: 'migration' });
  try {
    const orm = await openOrm(pg.url, { poolMax: 1 });
    await migrate(orm);
    const result = await orm.getMigrator().createMigration(undefined, false, false, name);
    process.stdout.write(result.diff.up.length ? `wrote db/migrations/${result.fileName}\n` : 'the entities match the migrations: nothing to write\n');
    await orm.close(true);
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
