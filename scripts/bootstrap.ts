/**
 * `npm run bootstrap -- …` (in the production image `node dist/scripts/bootstrap.js …`): the first
 * property and its first manager in an empty database; prints the manager's API key once. Refuses
 * to run when a property exists. With TEMPORAL_ADDRESS set it also creates the property's
 * schedules (R12, S1, P1) at once; otherwise the worker does at its start. Reads DATABASE_URL.
 *
 *   bootstrap --name '示范小区' --time-zone Asia/Shanghai --occupied-since 2022-06-01 \
 *     --group-email complaints@group.example --manager-id S-MG1 --manager-name '经理 周伟' \
 *     --manager-email zhou.wei@example.com [--property-id P001]
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { loadConfig, type Config } from '../config';
import { sealedDataConverter } from '../payload-codec';
import { bootstrap, bootstrapSchema } from '../db/bootstrap';
import { openOrm } from '../db/orm';
import { ensureSchedules, scheduledProperty } from '../schedules';

const USAGE = `usage: npm run bootstrap -- --name NAME --occupied-since YYYY-MM-DD --group-email EMAIL
         --manager-id S-MG1 --manager-name NAME --manager-email EMAIL [--time-zone Asia/Shanghai] [--property-id P001]`;

class UsageError extends Error {}

const FLAGS: Record<string, string> = {
  propertyId: 'property-id',
  'property.name': 'name',
  'property.timeZone': 'time-zone',
  'property.occupiedSince': 'occupied-since',
  'property.groupEmail': 'group-email',
  'manager.id': 'manager-id',
  'manager.name': 'manager-name',
  'manager.email': 'manager-email',
};

function input(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.values(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
  });
  const v = values as Record<string, string | undefined>;
  const parsed = bootstrapSchema.safeParse({
    propertyId: v['property-id'],
    property: { name: v.name, timeZone: v['time-zone'] ?? 'Asia/Shanghai', occupiedSince: v['occupied-since'], groupEmail: v['group-email'] },
    manager: { id: v['manager-id'], name: v['manager-name'], email: v['manager-email'] },
  });
  if (!parsed.success) {
    const reason = (i: z.core.$ZodIssue) => (i.code === 'invalid_type' && i.message.endsWith('received undefined') ? 'required' : i.message);
    throw new UsageError(`${parsed.error.issues.map((i) => `--${FLAGS[i.path.join('.')] ?? i.path.join('.')}: ${reason(i)}`).join('\n')}\n${USAGE}`);
  }
  return parsed.data;
}

/** The property's schedules now, when a Temporal frontend is configured; a failure is reported, not fatal. */
async function schedulesNow(config: Config, property: { id: string; timeZone: string }): Promise<string> {
  if (!config.TEMPORAL_ADDRESS) return 'schedules: created by the worker at its start (TEMPORAL_ADDRESS is not set)';
  try {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: 5_000 });
    try {
      await ensureSchedules(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(config) }), config, [scheduledProperty(property)]);
    } finally {
      await connection.close();
    }
    return 'schedules: R12 reconciliations, S1 survey sampling and P1 complaint report created';
  } catch (error) {
    return `schedules: not created now (${error instanceof Error ? error.message : String(error)}); the worker creates them at its start`;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new UsageError('DATABASE_URL is required');
  const wanted = input(process.argv.slice(2));
  const orm = await openOrm(config.DATABASE_URL, { poolMax: 1 });
  try {
    const result = await bootstrap(orm.em.fork() as EntityManager, wanted);
    if ('refused' in result) throw new UsageError(`refused: ${result.refused}`);
    const schedules = await schedulesNow(config, { id: result.propertyId, timeZone: wanted.property.timeZone });
    process.stdout.write(
      [
        `created property ${result.propertyId} (${wanted.property.name}, ${wanted.property.timeZone}) and its manager ${result.managerId}`,
        schedules,
        `API key of ${result.managerId} (shown once; only its hash is stored):`,
        result.apiKey,
        '',
      ].join('\n'),
    );
  } finally {
    await orm.close(true);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError || error instanceof z.ZodError ? 2 : 1);
});
