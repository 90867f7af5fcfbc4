/** Applies the committed migrations to DATABASE_URL (the production image's `migrate` job). */
import { loadConfig } from '../config';
import { migrate, openOrm } from '../db/orm';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required to run migrations.');
  const orm = await openOrm(config.DATABASE_URL, { poolMax: 1 });
  try {
    const applied = await migrate(orm);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await orm.close(true);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
