/**
 * The embedded Postgres as its own process for the fault tests: starts it, prints its URL, and
 * stops it cleanly on SIGTERM — which is how a test takes the database down — or when the test
 * process is gone.
 */
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'service_centre' });
  process.stdout.write(`postgres ready ${pg.url}\n`);
  const stop = () =>
    pg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGTERM', stop);
  // The harness holds our stdin: it ends when the test process is gone, however it ended.
  process.stdin.once('end', stop).resume();
}

main().catch((error) => {
  process.stderr.write(`[postgres] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
