/**
 * bench:shapes — the same three loads on both shapes, in one run, and where each case's CPU goes:
 * - `dev`: the dev server (SQLite in memory) with the API and the worker in this process
 *   (bench/stack.ts, what the other benches measure);
 * - `cluster-1`, `cluster-2`: the production shape (scripts/cluster.ts): the Temporal server on
 *   Postgres, two API processes, and one or two worker processes.
 *
 * On each, one after another on a stack of its own:
 * - intake: BENCH_COUNT general repairs through the APIs (in turn), 64 in flight; cases/s, and
 *   how fast the workers set them up;
 * - staff actions: BENCH_ACTIONS dispatched repairs accepted through the APIs, 16 in flight;
 * - deadlines: BENCH_CASES repairs coming in evenly over BENCH_WINDOW_MS whose R2 acceptance
 *   deadlines are all missed (as bench:deadlines): escalation lateness (due → mail sent), exactly once.
 * The figures are ratios of each cluster shape against the dev server, measured in the same run (or
 * against the first shape named, when the run leaves the dev server out).
 * CPU per case is read from /proc for each part's process tree (this process, the APIs, the
 * workers, the Temporal server, Postgres), so other work on the machine is not counted in it; the
 * load average is printed beside each figure because it slows everything down all the same.
 *
 * BENCH_SHAPES (dev,cluster-1,cluster-2), BENCH_COUNT (640), BENCH_ACTIONS (320), BENCH_CASES (2000),
 * BENCH_WINDOW_MS (120000), BENCH_DRAIN_MS (how long after the last deadline the escalations are
 * waited for: 10 minutes, or 0.2 s a case if more).
 *
 * The deadline cases are offered until the first of their deadlines falls due: a create still
 * refused then (503: the API gives way to the escalations, docs/deadlines-first.md) is given up and
 * counted. On two cores 10,000 unaccepted repairs are more than either shape keeps up with — each
 * missed acceptance re-dispatches the order with a new acceptance deadline (R2), so the escalations
 * go on at 10,000 per acceptance window — and the intake, given way to them, would never finish.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { Property } from '../db/entities';
import type { Orm } from '../db/orm';
import { DEFAULT_POLICY } from '../domain/policy';
import { startCluster } from '../scripts/cluster';
import { resolveTemporalCli } from '../scripts/temporal-cli';
import { bundleWorkflows } from '../worker';
import { fmt, load, machineFacts, percentile, postPatiently, report, runBench, type Figure } from './lib';
import { startBenchStack, workerDoneWith } from './stack';

const SHAPES = (process.env.BENCH_SHAPES ?? 'dev,cluster-1,cluster-2').split(',');
const INTAKE = Number(process.env.BENCH_COUNT ?? 640);
const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 320);
const DEADLINES = Number(process.env.BENCH_CASES ?? 2000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 120_000);
/** As bench:deadlines: each case's warning falls a minute after the last repair came in. */
const ACCEPT_WITHIN_MS = Math.ceil(WINDOW_MS / DEFAULT_POLICY.warningFraction) + 60_000;
/** Every open case of the run stays cached, on every shape (bench/RESULTS.md, sizing the worker's cache). */
const CACHED = 10_000;
const DRAIN_MS = process.env.BENCH_DRAIN_MS ? Number(process.env.BENCH_DRAIN_MS) : Math.max(10 * 60_000, DEADLINES * 200);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`[shapes] ${new Date().toISOString().slice(11, 19)} ${line}\n`);
const loadNow = () => loadavg().map((l) => fmt(l, 1)).join(' / ');

// ---------------------------------------------------------------------------------------------
// CPU by process tree, from /proc (Linux).

interface Proc {
  comm: string;
  ppid: number;
  /** utime + stime of the process (every thread), and cutime + cstime of its children it has reaped. */
  seconds: number;
}

function processes(): Map<number, Proc> {
  const all = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(Number(entry), { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(f[1]), seconds: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 });
    } catch {
      // exited meanwhile
    }
  }
  return all;
}

/** CPU seconds of the trees under `roots`. */
function treeSeconds(all: Map<number, Proc>, roots: number[]): number {
  const inTree = new Set(roots);
  let total = 0;
  // Parents have lower pids than their children only until pids wrap: walk up from each process instead.
  for (const [pid, proc] of all) {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = all.get(p)?.ppid, hops++) {
      if (inTree.has(p)) {
        total += proc.seconds;
        break;
      }
    }
  }
  return total;
}

/** CPU seconds by part, e.g. { api: 12.1, worker: 80.3, temporal: 40.2, postgres: 9.9, bench: 3.0 }. */
type Cpu = Record<string, number>;

function ownSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const cpuPer = (before: Cpu, after: Cpu, units: number) =>
  Object.keys(after)
    .map((k) => `${k} ${fmt(((after[k] - (before[k] ?? 0)) * 1000) / units)}`)
    .join(' + ') + ' ms CPU';

// ---------------------------------------------------------------------------------------------

interface Shape {
  name: string;
  apiUrls: string[];
  orm: Orm;
  client: Client;
  propertyId: string;
  keyOf(staffId: string): string;
  cpu(): Cpu;
  /** Bytes on disk by database: the read model's, and Temporal's two where they are in Postgres. */
  sizes(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const databaseSizes = async (orm: Orm, names: Record<string, string>): Promise<Record<string, number>> => {
  const sizes: Record<string, number> = {};
  for (const [label, db] of Object.entries(names)) {
    const [row] = await orm.em.fork().getConnection().execute<{ bytes: string }[]>('select pg_database_size(?) as bytes', [db]);
    sizes[label] = Number(row.bytes);
  }
  return sizes;
};

async function devShape(): Promise<Shape> {
  const stack = await startBenchStack({ maxCachedWorkflows: CACHED });
  return {
    name: 'dev server',
    apiUrls: [stack.api.url],
    orm: stack.orm,
    client: stack.client,
    propertyId: stack.seed.propertyId,
    keyOf: stack.keyOf,
    cpu() {
      const all = processes();
      const children = (comm: string) => [...all].filter(([, p]) => p.ppid === process.pid && p.comm === comm).map(([pid]) => pid);
      return { 'node (load, API, worker, mail sink)': ownSeconds(), 'dev server': treeSeconds(all, children('temporal')), postgres: treeSeconds(all, children('postgres')) };
    },
    sizes: async () => databaseSizes(stack.orm, { 'read model': 'bench' }),
    close: () => stack.close(),
  };
}

async function clusterShape(workers: number, workflowBundle: string): Promise<Shape> {
  const dir = mkdtempSync(join(tmpdir(), 'wuye-bench-cluster-'));
  chmodSync(dir, 0o755); // Postgres runs as the `postgres` user when we are root
  const cluster = await startCluster({
    dataDir: dir,
    workers,
    apis: 2,
    ui: false,
    workflowBundle,
    log: (line) => log(`cluster: ${line}`),
    // A worker caching every open case of a 10,000-case run needs more than Node's default heap (~0.45 MiB a case).
    appEnv: { LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '100000', WORKER_MAX_CACHED_WORKFLOWS: String(CACHED), NODE_OPTIONS: '--max-old-space-size=12288' },
  });
  const pids = (ps: { pid?: number }[]) => ps.map((p) => p.pid!).filter(Boolean);
  return {
    name: `Temporal server on Postgres, ${workers} worker${workers > 1 ? 's' : ''}, 2 APIs`,
    apiUrls: cluster.apis.map((a) => a.url),
    orm: cluster.orm,
    client: cluster.client,
    propertyId: cluster.seed!.propertyId,
    keyOf: (id) => cluster.seed!.staff.find((s) => s.id === id)!.apiKey,
    cpu() {
      const all = processes();
      return {
        'bench process (load, mail sink)': ownSeconds(),
        APIs: treeSeconds(all, pids(cluster.apis)),
        workers: treeSeconds(all, pids(cluster.workers)),
        'Temporal server': treeSeconds(all, pids([cluster.temporal])),
        postgres: treeSeconds(all, pids([cluster.postgres!])),
      };
    },
    sizes: async () =>
      databaseSizes(cluster.orm, { 'read model': new URL(cluster.databaseUrl).pathname.slice(1), 'Temporal history': 'temporal', 'Temporal visibility': 'temporal_visibility' }),
    async close() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface Results {
  shape: string;
  intake: { perSecond: number; p99: number; setUpPerSecond: number; cpu: string; load: string };
  actions: { p50: number; p99: number; cpu: string; load: string };
  deadlines: { p50: number; p99: number; max: number; sent: number; cases: number; span: number; once: string; setUpCpu: string; cpu: string; load: string };
  /** Bytes per case the run added to each database (every case open: dispatched, accepted, or escalated and re-dispatched). */
  storage: Record<string, number>;
}

async function measure(shape: Shape): Promise<Results> {
  const db = () => shape.orm.em.fork().getConnection();
  const rooms = (await db().execute<{ room: string }[]>('select room from household order by room')).map((r) => r.room);
  let nextApi = 0;
  // A patient client, as the front desk's console is: a 503 (the API's admission of openings, or its
  // in-flight cap) is sent again after its Retry-After with the same Idempotency-Key; `retried` counts them.
  let retried = 0;
  const post = (path: string, staffId: string, body: unknown, until?: number) =>
    postPatiently(() => `${shape.apiUrls[nextApi++ % shape.apiUrls.length]}/api/v1${path}`, shape.keyOf(staffId), body, { retries: 60, until, onRetry: () => retried++ });
  // A saturated API may still refuse some requests (a 500 when the case does not open within the
  // client's deadline): counted and left out, not fatal — what is measured is what it took.
  let refused = 0;
  let firstRefusal = '';
  const repair = (i: number, body: Record<string, unknown>, into: string[], until?: number) =>
    post('/repairs', 'S-FD1', { room: rooms[i % rooms.length], contactName: '测试', contactPhone: '13800000000', channel: 'phone', description: '压测', ...body }, until).then(
      (r) => void into.push(r.caseId as string),
      (error: unknown) => {
        refused++;
        firstRefusal ||= error instanceof Error ? error.message.slice(0, 160) : String(error);
      },
    );
  const refusals = () => {
    const text = (retried ? `; ${retried} × 503 waited out and sent again` : '') + (refused ? `; ${refused} refused (${firstRefusal})` : '');
    refused = 0;
    retried = 0;
    firstRefusal = '';
    return text;
  };

  const sizesBefore = await shape.sizes();

  // Intake, and the set-up behind it.
  log(`${shape.name}: intake of ${INTAKE} repairs (load ${loadNow()})`);
  let before = shape.cpu();
  const started = performance.now();
  const intakeIds: string[] = [];
  const intake = await load(INTAKE, 64, (i) => repair(i, { classification: 'general' }, intakeIds));
  const setUpAt = await workerDoneWith({ orm: shape.orm }, intakeIds, 250);
  const intakeResult = {
    perSecond: intake.perSecond,
    p99: intake.p99,
    setUpPerSecond: intakeIds.length / ((setUpAt - started) / 1000),
    cpu: cpuPer(before, shape.cpu(), intakeIds.length),
    load: loadNow() + refusals(),
  };
  log(`${shape.name}: ${fmt(intake.perSecond)} cases/s, set up ${fmt(intakeResult.setUpPerSecond)}/s; ${intakeResult.cpu}`);

  // Staff actions: accept dispatched repairs.
  log(`${shape.name}: ${ACTIONS} repairs to accept`);
  const appointmentAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const actionIds: string[] = [];
  await load(ACTIONS, 16, (i) => repair(i, { classification: 'major', appointmentAt }, actionIds));
  refusals();
  await workerDoneWith({ orm: shape.orm }, actionIds, 1000);
  const assignee = new Map(
    (await db().execute<{ id: string; assignee_id: string }[]>(`select id, assignee_id from service_case where id in (${actionIds.map(() => '?').join(', ')})`, actionIds)).map((r) => [r.id, r.assignee_id]),
  );
  before = shape.cpu();
  const accepted = await load(actionIds.length, 16, (i) => post(`/repairs/${actionIds[i]}/accept`, assignee.get(actionIds[i])!, {}));
  const actionsResult = { p50: accepted.p50, p99: accepted.p99, cpu: cpuPer(before, shape.cpu(), actionIds.length), load: loadNow() };
  log(`${shape.name}: accept p50 ${fmt(accepted.p50)} ms, p99 ${fmt(accepted.p99)} ms; ${actionsResult.cpu}`);

  // Deadlines: cases started from now on snapshot a policy whose acceptance falls due inside the run.
  const em = shape.orm.em.fork();
  const property = await em.findOneOrFail(Property, { id: shape.propertyId });
  property.policy = { ...(property.policy ?? {}), repair: { acceptWithinMs: ACCEPT_WITHIN_MS } };
  await em.flush();
  log(`${shape.name}: ${DEADLINES} repairs over ${fmt(WINDOW_MS / 1000)} s, acceptance within ${fmt(ACCEPT_WITHIN_MS / 1000)} s`);
  const setUpFrom = shape.cpu();
  const deadlineIds: string[] = [];
  const offeredUntil = Date.now() + ACCEPT_WITHIN_MS;
  await load(DEADLINES, 64, (i) => repair(i, { classification: 'major', appointmentAt }, deadlineIds, offeredUntil), (i) => (WINDOW_MS * i) / DEADLINES);
  const deadlineRefusals = refusals();
  const cases = deadlineIds.length;
  const dueOf = new Map<string, number>();
  const inList = deadlineIds.map(() => '?').join(', ');
  for (;;) {
    const rows = await db().execute<{ case_id: string; due: string }[]>(
      `select case_id, payload->>'dueAt' as due from case_event where action = 'deadline-set' and payload->>'deadline' = 'accept' and case_id in (${inList})`,
      deadlineIds,
    );
    for (const r of rows) if (!dueOf.has(r.case_id)) dueOf.set(r.case_id, Date.parse(r.due));
    if (dueOf.size >= cases) break;
    log(`${shape.name}: ${dueOf.size}/${cases} acceptance deadlines set`);
    await sleep(5000);
  }
  const escalationFrom = shape.cpu();
  const escalationsFrom = new Date();
  const first = Math.min(...dueOf.values());
  const last = Math.max(...dueOf.values());
  let sent: { case_id: string; sent_at: Date }[] = [];
  for (const giveUp = last + DRAIN_MS; ; await sleep(5000)) {
    sent = await db().execute(`select case_id, sent_at from notification where status = 'sent' and idempotency_key like '%:escalate:accept:1.1:%' and case_id in (${inList})`, deadlineIds);
    if (sent.length >= cases || Date.now() > giveUp) break;
    log(`${shape.name}: ${sent.length}/${cases} escalations sent (load ${loadNow()})`);
  }
  // One pass over the cases' escalations: those done since the deadlines were set (where the first
  // ones run late, re-dispatched orders' own missed acceptances, accept:1.2 …, fall due among them and
  // share the CPU: 10,000 cases on two cores), and whether every case was escalated once.
  const [escalated] = await db().execute<{ done: number; again: number; firsts: number; repeated: number }[]>(
    `select (count(*) filter (where at >= ?))::int as done,
            (count(*) filter (where at >= ? and payload->>'step' <> 'accept:1.1'))::int as again,
            (count(*) filter (where payload->>'deadline' = 'accept' and payload->>'step' = 'accept:1.1'))::int as firsts,
            (count(*) filter (where payload->>'deadline' = 'accept') - count(distinct (case_id, payload->>'step')) filter (where payload->>'deadline' = 'accept'))::int as repeated
       from case_event where action = 'escalated' and case_id in (${inList})`,
    [escalationsFrom, escalationsFrom, ...deadlineIds],
  );
  const { done, again, firsts, repeated } = escalated;
  const escalationCpu = cpuPer(escalationFrom, shape.cpu(), Math.max(done, 1)) + (again ? ` (over ${done} escalations, ${again} of them re-dispatched orders' again)` : '');
  const lateness = sent.map((s) => new Date(s.sent_at).getTime() - dueOf.get(s.case_id)!).sort((a, b) => a - b);
  const deadlinesResult = {
    p50: percentile(lateness, 50),
    p99: percentile(lateness, 99),
    max: lateness[lateness.length - 1] ?? NaN,
    sent: sent.length,
    span: last - first,
    cases,
    // Every case escalated, none twice; a run whose drain ended first says how many were not (yet) escalated.
    once:
      firsts === cases && repeated === 0 ? ', each once' : `, ${firsts} escalated, ${repeated} of them more than once${repeated ? ' (NOT each once)' : ''}`,
    setUpCpu: cpuPer(setUpFrom, escalationFrom, cases),
    cpu: escalationCpu,
    load: loadNow() + deadlineRefusals,
  };
  log(`${shape.name}: escalation lateness p50 ${fmt(deadlinesResult.p50)} ms, p99 ${fmt(deadlinesResult.p99)} ms; ${sent.length}/${cases}${deadlineRefusals}; ${escalationCpu}`);
  // Autovacuum and checkpoints move these a little; a per-case order of magnitude, not a byte count.
  const sizesAfter = await shape.sizes();
  const all = intakeIds.length + actionIds.length + cases;
  const storage = Object.fromEntries(Object.entries(sizesAfter).map(([k, v]) => [k, (v - sizesBefore[k]) / all]));
  log(`${shape.name}: storage per case ${Object.entries(storage).map(([k, v]) => `${k} ${fmt(v / 1024)} KiB`).join(', ')}`);
  return { shape: shape.name, intake: intakeResult, actions: actionsResult, deadlines: deadlinesResult, storage };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wuye-bench-bundle-'));
  const bundleFile = join(dir, 'workflow-bundle.js');
  writeFileSync(bundleFile, (await bundleWorkflows()).code);
  const results: Results[] = [];
  try {
    for (const name of SHAPES) {
      const shape = name === 'dev' ? await devShape() : await clusterShape(Number(name.split('-')[1] ?? 2), bundleFile);
      try {
        results.push(await measure(shape));
      } finally {
        await shape.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const dev = results.find((r) => r.shape === 'dev server') ?? results[0];
  const figures: Figure[] = [];
  for (const r of results) {
    if (r === dev) continue;
    figures.push(
      {
        name: `repair intake through the API (cases/s), ${r.shape} against the ${dev.shape}`,
        baseline: `${dev.shape} ${fmt(dev.intake.perSecond)} cases/s (p99 ${fmt(dev.intake.p99)} ms), set up ${fmt(dev.intake.setUpPerSecond)}/s; per case ${dev.intake.cpu}; load ${dev.intake.load}`,
        measured: `${fmt(r.intake.perSecond)} cases/s (p99 ${fmt(r.intake.p99)} ms), set up ${fmt(r.intake.setUpPerSecond)}/s; per case ${r.intake.cpu}; load ${r.intake.load}`,
        ratio: r.intake.perSecond / dev.intake.perSecond,
        target: '— (the shapes compared)',
      },
      {
        name: `cases set up per second (intake to set-up), ${r.shape} against the ${dev.shape}`,
        baseline: `${dev.shape} ${fmt(dev.intake.setUpPerSecond)}/s`,
        measured: `${fmt(r.intake.setUpPerSecond)}/s`,
        ratio: r.intake.setUpPerSecond / dev.intake.setUpPerSecond,
        target: '— (the shapes compared)',
      },
      {
        name: `staff action through the API (accept), p99, ${r.shape} against the ${dev.shape}`,
        baseline: `${dev.shape} p50 ${fmt(dev.actions.p50)} ms, p99 ${fmt(dev.actions.p99)} ms; per accept ${dev.actions.cpu}; load ${dev.actions.load}`,
        measured: `p50 ${fmt(r.actions.p50)} ms, p99 ${fmt(r.actions.p99)} ms; per accept ${r.actions.cpu}; load ${r.actions.load}`,
        ratio: r.actions.p99 / dev.actions.p99,
        target: '— (the shapes compared)',
      },
      {
        name: `escalation lateness p99, ${DEADLINES} deadlines (due → mail sent), ${r.shape} against the ${dev.shape}`,
        baseline:
          `${dev.shape}: due within ${fmt(dev.deadlines.span / 1000)} s, p50 ${fmt(dev.deadlines.p50)} ms, p99 ${fmt(dev.deadlines.p99)} ms, ${dev.deadlines.sent}/${dev.deadlines.cases} sent${dev.deadlines.once}; ` +
          `per case set-up ${dev.deadlines.setUpCpu}, escalation ${dev.deadlines.cpu}; load ${dev.deadlines.load}`,
        measured:
          `due within ${fmt(r.deadlines.span / 1000)} s, p50 ${fmt(r.deadlines.p50)} ms, p99 ${fmt(r.deadlines.p99)} ms, max ${fmt(r.deadlines.max)} ms, ${r.deadlines.sent}/${r.deadlines.cases} sent${r.deadlines.once}; ` +
          `per case set-up ${r.deadlines.setUpCpu}, escalation ${r.deadlines.cpu}; load ${r.deadlines.load}`,
        ratio: r.deadlines.p99 / dev.deadlines.p99,
        target: '— (the shapes compared)',
      },
    );
  }
  const kib = (storage: Record<string, number>) => Object.entries(storage).map(([k, v]) => `${k} ${fmt(v / 1024)} KiB`).join(' + ');
  const total = (storage: Record<string, number>) => Object.values(storage).reduce((a, b) => a + b, 0);
  for (const r of results) {
    if (r === dev) continue;
    figures.push({
      name: `storage per open case (${INTAKE + ACTIONS + DEADLINES} repairs, none closed), ${r.shape} against the ${dev.shape}'s read model`,
      baseline: `${dev.shape}: ${kib(dev.storage)}${dev.shape === 'dev server' ? ' (its history in SQLite in memory, not counted)' : ''}`,
      measured: kib(r.storage),
      ratio: total(r.storage) / total(dev.storage),
      target: '— (the shapes compared)',
    });
  }
  const cli = resolveTemporalCli();
  report('shapes', { ...machineFacts(cli.kind === 'path' ? cli.path : 'temporal'), shapes: results.map((r) => r.shape).join('; '), load: `${loadNow()} (1 / 5 / 15 min) at the end` }, figures);
}

runBench(main);
