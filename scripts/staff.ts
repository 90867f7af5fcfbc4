/**
 * `npm run staff -- <command>`: staff and API keys straight in the database, for the first manager
 * of a deployment, and the first holders of hr and audit, which only their holders may grant through
 * the API (afterwards managers use `/api/v1/staff`). Every change is audited as done by `cli` with
 * the operating-system user. Reads DATABASE_URL.
 *
 *   create --id S-MG1 --name '经理 周伟' --email m@example.com --roles manager [--areas A1,A2] [--property P001]
 *   issue-key S-MG1      prints a new key once; the previous one stops working
 *   revoke S-MG1
 *   list [--property P001]
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../config';
import { Property, Staff } from '../db/entities';
import { openOrm } from '../db/orm';
import { createStaff, issueKey, newStaffSchema, revokeKey, summarise, type StaffAdministrator } from '../db/staff-admin';

const USAGE = `usage: npm run staff -- create --id S-MG1 --name NAME --email EMAIL --roles manager[,supervisor] [--areas A1,A2] [--property P001]
       npm run staff -- issue-key STAFF_ID
       npm run staff -- revoke STAFF_ID
       npm run staff -- list [--property P001]`;

class UsageError extends Error {}

/** Who ran the command, for the audit record: the command line holds every power, so it may grant any role. */
function commandLine(): StaffAdministrator {
  let osUser = process.env.USER ?? 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // no passwd entry for this uid (some containers): keep $USER
  }
  return { kind: 'cli', osUser };
}

const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

/** The property to act in: the one named, else the only one there is. */
async function propertyOf(em: EntityManager, named: string | undefined): Promise<string> {
  if (named) {
    if (!(await em.findOne(Property, { id: named }))) throw new UsageError(`no property ${named}`);
    return named;
  }
  const all = await em.find(Property, {}, { limit: 2 });
  if (all.length !== 1) throw new UsageError(all.length ? 'there are several properties: name one with --property' : 'there is no property yet: create it with `npm run bootstrap`');
  return all[0].id;
}

async function run(em: EntityManager, argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, roles: { type: 'string' }, areas: { type: 'string' }, property: { type: 'string' } },
  });
  const [command, staffId] = positionals;
  switch (command) {
    case 'create': {
      const input = newStaffSchema.safeParse({ id: values.id, name: values.name, email: values.email, roles: list(values.roles), areaIds: list(values.areas) });
      if (!input.success) throw new UsageError(input.error.issues.map((i) => `--${i.path[0] === 'areaIds' ? 'areas' : String(i.path[0])}: ${i.message}`).join('\n'));
      const result = await createStaff(em, await propertyOf(em, values.property), input.data, commandLine());
      if ('forbidden' in result) throw new UsageError(`may not grant ${result.forbidden.join(', ')}`);
      if ('conflict' in result) throw new UsageError(`staff number ${result.conflict} is taken`);
      if ('unknownAreas' in result) throw new UsageError(`no area ${result.unknownAreas.join(', ')} in this property`);
      return `created ${result.created.id} (${result.created.roles.join(', ')}); now: npm run staff -- issue-key ${result.created.id}`;
    }
    case 'issue-key': {
      if (!staffId) throw new UsageError(USAGE);
      const result = await issueKey(em, undefined, staffId, commandLine());
      if ('notFound' in result) throw new UsageError(`no staff member ${staffId}`);
      if ('forbidden' in result) throw new UsageError(`may not grant ${result.forbidden.join(', ')}`);
      return `API key of ${staffId} (shown once; only its hash is stored):\n${result.apiKey}`;
    }
    case 'revoke': {
      if (!staffId) throw new UsageError(USAGE);
      if (!(await revokeKey(em, undefined, staffId, commandLine()))) throw new UsageError(`no staff member ${staffId}`);
      return `revoked the key of ${staffId}`;
    }
    case 'list': {
      const rows = await em.find(Staff, { propertyId: await propertyOf(em, values.property) }, { orderBy: { id: 'asc' } });
      return rows.map(summarise).map((s) => `${s.id.padEnd(8)} ${s.roles.join(',').padEnd(20)} key ${s.apiKey.state.padEnd(7)} ${s.name}`).join('\n');
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new UsageError('DATABASE_URL is required (for the embedded stack of `npm start`: postgres://postgres:postgres@127.0.0.1:54329/service_centre)');
  const orm = await openOrm(config.DATABASE_URL, { poolMax: 1 });
  try {
    process.stdout.write(`${await run(orm.em.fork() as EntityManager, process.argv.slice(2))}\n`);
  } finally {
    await orm.close(true);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
