/**
 * The worker as its own process for the fault tests, so it can be `kill -9`ed: worker.ts's
 * createWorker with a prebuilt workflow bundle (bundling at every restart would take longer than
 * the outage it is meant to survive). No schedules: the fault tests do not need them.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { openOrm } from '../../db/orm';
import { createMailer, createWorker } from '../../worker';

async function main(): Promise<void> {
  // The harness holds our stdin: it ends when the test process is gone, however it ended.
  process.stdin.once('end', () => process.exit(0)).resume();
  const config = loadConfig();
  const bundle = process.env.FAULTS_WORKFLOW_BUNDLE;
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL || !config.SMTP_URL || !bundle) {
    throw new Error('worker-child needs TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL and FAULTS_WORKFLOW_BUNDLE');
  }
  Runtime.install({
    logger: {
      log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
      // Each failed activity attempt as one line the harness counts: the server's pending-activity
      // list only shows an attempt while it is pending, and a local activity never.
      warn: (message: string, meta?: { attempt?: number; isLocal?: boolean; activityType?: string }) => {
        if (message === 'Activity failed') process.stdout.write(`[activity-failed] ${JSON.stringify({ attempt: meta?.attempt, isLocal: meta?.isLocal, activityType: meta?.activityType })}\n`);
      },
      error: (message: string) => process.stderr.write(`[worker] ${message}\n`),
    } as never,
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const orm = await openOrm(config.DATABASE_URL, { poolMax: 5 });
  const worker = await createWorker(
    { connection, orm, mailer: createMailer(config.SMTP_URL), config },
    { workflowBundle: { codePath: bundle } },
  );
  process.stdout.write('worker running\n');
  await worker.run();
}

main().catch((error) => {
  process.stderr.write(`[worker] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
