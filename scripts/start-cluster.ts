/**
 * `npm run start:cluster`: docker-compose.yml's production shape on this machine without Docker
 * (scripts/cluster.ts) — the Temporal server on Postgres with its UI, two workers, two APIs, a mail
 * sink — on fixed ports beside `npm start`'s, keeping its state in `$DATA_DIR/cluster` (.data/cluster).
 * DATABASE_URL puts Postgres on that server instead (Temporal's two databases too; its user must be
 * allowed to create them) and SMTP_URL the mail. Ctrl-C stops everything; the next start finds
 * every case where it was. The first start builds the server with Go (a few minutes, cached).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { assertPostgresCanReach, PostgresDirUnreachableError } from './embedded-postgres';
import type { SeededStaff } from '../db/seed';
import { startCluster, type RunningCluster } from './cluster';
import { TemporalServerMissingError } from './temporal-server';

const say = (line = '') => process.stdout.write(`${line}\n`);

function demoKeys(dataDir: string, created: SeededStaff[]): SeededStaff[] {
  const file = join(dataDir, 'demo-keys.json');
  if (created.length > 0) {
    writeFileSync(file, JSON.stringify(created, null, 2));
    chmodSync(file, 0o600);
    return created;
  }
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SeededStaff[]) : [];
}

function printWhereEverythingIs(cluster: RunningCluster, dataDir: string): void {
  const keys = demoKeys(dataDir, cluster.seed?.staff ?? []);
  say();
  say('物业客服中心 Service Centre is running in its production shape (docker-compose.yml, without Docker)');
  for (const api of cluster.apis) say(`  ${api.name.padEnd(15)} ${api.url}/api/v1   reference: ${api.url}/docs   metrics ${api.metricsUrl}   (pid ${api.pid})`);
  for (const worker of cluster.workers) say(`  ${worker.name.padEnd(15)} health ${worker.healthUrl}   metrics ${worker.metricsUrl}   (pid ${worker.pid})`);
  say(`  Temporal        server ${cluster.temporalAddress} on Postgres (pid ${cluster.temporal.pid})`);
  say(`  Temporal UI     ${cluster.ui ? cluster.ui.url : `not running: ${cluster.uiMissing}`}`);
  say(`  Postgres        ${cluster.postgres ? `embedded, ${cluster.databaseUrl.replace(/\/\/[^@]*@/, '//')} (data in ${join(dataDir, 'pg')})` : '(DATABASE_URL)'}`);
  say(`  Mail            ${cluster.mailDir ? `${cluster.mailDir}/*.eml (${cluster.smtpUrl})` : cluster.smtpUrl.replace(/\/\/[^@]*@/, '//***@')}`);
  say(`  Logs            ${cluster.logDir}/<process>.log`);
  if (keys.length > 0) {
    say(`  Demo API keys (also in ${join(dataDir, 'demo-keys.json')}):`);
    for (const k of keys) say(`    ${k.id.padEnd(6)} ${k.roles.join(',').padEnd(11)} ${k.apiKey}`);
    const frontdesk = keys.find((k) => k.roles.includes('frontdesk'));
    if (frontdesk) {
      say();
      say('  Try:');
      say(`    curl -s -X POST ${cluster.apis[0].url}/api/v1/repairs -H 'Authorization: Bearer ${frontdesk.apiKey}' -H 'Content-Type: application/json' \\`);
      say(`      -d '{"room":"1-1-301","contactName":"王先生","contactPhone":"13800138000","channel":"phone","description":"厨房水管漏水","classification":"urgent","tags":["water"]}'`);
    }
  }
  say();
  say(`Press Ctrl-C to stop; everything is kept under ${dataDir} for the next start.`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix or unset these variables; unset ones use the embedded default.\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.TEMPORAL_ADDRESS) say(`TEMPORAL_ADDRESS is ignored here: this stack runs its own Temporal server (npm start uses yours).`);
  const dataDir = resolve(config.DATA_DIR, 'cluster');
  if (!config.DATABASE_URL) {
    // Started as root, Postgres runs as the `postgres` user: asked before anything starts, as npm start does.
    try {
      assertPostgresCanReach(join(dataDir, 'pg'));
    } catch (error) {
      if (!(error instanceof PostgresDirUnreachableError)) throw error;
      process.stderr.write(`${error.message}. Set DATA_DIR to a folder it can enter (e.g. DATA_DIR=/var/lib/wuye-service-centre npm run start:cluster), start as a user other than root, or set DATABASE_URL.\n`);
      process.exit(1);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });

  let cluster: RunningCluster | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    await cluster?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    cluster = await startCluster({
      dataDir,
      ports: 'fixed',
      databaseUrl: config.DATABASE_URL,
      smtpUrl: config.SMTP_URL,
      appEnv: { LOG_LEVEL: config.LOG_LEVEL, ...(config.PUBLIC_BASE_URL ? { PUBLIC_BASE_URL: config.PUBLIC_BASE_URL } : {}) },
      log: (line) => say(line),
    });
    if (stopping) return;
    printWhereEverythingIs(cluster, dataDir);
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof TemporalServerMissingError) process.exit(2);
    await stop(1);
  }
}

void main();
