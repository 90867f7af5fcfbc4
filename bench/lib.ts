/** Measuring on a small shared machine: repeat, take the median, report ratios against a baseline from the same run. */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { cliVersion } from '../scripts/temporal-cli';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export interface LoadResult {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  latencies: number[];
}

/**
 * Runs `count` calls of `task` with `concurrency` in flight; latencies in ms. With `startAt`, call i
 * waits until `startAt(i)` ms after the first (an offered load spread over time, not as fast as the
 * server answers); `behindMs` is how late the latest call started against that schedule.
 */
export async function load(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
  startAt?: (i: number) => number,
): Promise<LoadResult & { behindMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  let behindMs = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        if (startAt) {
          const wait = started + startAt(i) - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          else behindMs = Math.max(behindMs, -wait);
        }
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { count, seconds, perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), latencies, behindMs };
}

/**
 * A POST sent as the front desk's console sends it: a 503 (the API's admission of openings, its
 * in-flight cap, or the workflow service too slow) is waited out for its Retry-After and sent again
 * with the same Idempotency-Key, up to `retries` times, each counted by `onRetry`. Any answer but
 * 200/201 after that throws.
 */
export async function postPatiently(
  url: () => string,
  apiKey: string,
  body: unknown,
  /** `until` (epoch ms): a 503 answered after it is not waited out — the client has given up. */
  options: { retries: number; onRetry: () => void; until?: number },
): Promise<Record<string, unknown>> {
  const idempotencyKey = randomUUID();
  for (let retry = 0; ; retry++) {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
    });
    if (res.status === 503 && retry < options.retries && Date.now() < (options.until ?? Infinity)) {
      options.onRetry();
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      continue;
    }
    if (res.status !== 201 && res.status !== 200) throw new Error(`${new URL(res.url).pathname} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }
}

/** The median run of `runs` repetitions, by `key`. */
export async function medianOf<T>(runs: number, key: (r: T) => number, run: (i: number) => Promise<T>): Promise<T> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await run(i));
  return [...results].sort((a, b) => key(a) - key(b))[Math.floor(results.length / 2)];
}

export interface Figure {
  name: string;
  baseline: string;
  measured: string;
  ratio: number;
  target: string;
  /** Left out for a figure that has no target (bench:server's costs). */
  met?: boolean;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export { fmt };

/** The machine a bench ran on, as every report starts: when, cores, CPU, memory, Node and the Temporal CLI at `cliPath`. */
export function machineFacts(cliPath: string): Record<string, string> {
  return {
    date: new Date().toISOString(),
    cores: String(cpus().length),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    temporal: cliVersion(cliPath),
  };
}

/** Prints the machine, each figure against its baseline and target, and appends a dated row per figure to bench/RESULTS.md. */
export function report(bench: string, facts: Record<string, string>, figures: Figure[]): void {
  process.stdout.write(`\n== bench:${bench} ==\n`);
  for (const [k, v] of Object.entries(facts)) process.stdout.write(`${k.padEnd(9)} ${v}\n`);
  for (const f of figures) {
    const verdict = f.met === undefined ? '' : f.met ? ' MET' : ' NOT MET';
    process.stdout.write(`\n${f.name}\n  baseline ${f.baseline}\n  measured ${f.measured}\n  ratio    ${fmt(f.ratio, 2)} (target ${f.target})${verdict}\n`);
  }
  const file = join(__dirname, 'RESULTS.md');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      '# Benchmark results\n\nOne row per figure per run (`npm run bench:<name>`), medians of repeated runs on the machine named.\n\n| date | bench | figure | baseline | measured | ratio | target | met | machine |\n|---|---|---|---|---|---|---|---|---|\n',
    );
  }
  const machine = `${facts.cores} cores, ${facts.memory}, Node ${facts.node}, ${facts.temporal}`;
  for (const f of figures) {
    appendFileSync(file, `| ${facts.date.slice(0, 16)} | ${bench} | ${f.name} | ${f.baseline} | ${f.measured} | ${fmt(f.ratio, 2)} | ${f.target} | ${f.met === undefined ? '—' : f.met ? 'yes' : 'no'} | ${machine} |\n`);
  }
}

/** The entry point of every bench script: exit 0 when it ran, 1 with the stack when it failed. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** CPU seconds used so far by this process (every thread) and by the dev server's and Postgres' processes. */
export interface CpuTotals {
  node: number;
  temporal: number;
  postgres: number;
  /**
   * The Node process's CPU by thread: the main thread (API, activities, client, load generator),
   * the other threads Node names `node` (the workflow threads, V8's GC and compiler helpers, libuv's
   * pool) and the SDK core's Rust threads (tokio, workflow processing).
   */
  threads: { main: number; js: number; core: number };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A process's or thread's name and CPU seconds (utime + stime) from its /proc stat file. */
function cpuOf(statPath: string): { comm: string; seconds: number } {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
}

/** Reads /proc (Linux): where the CPU of a measured phase went. Zeros elsewhere. */
export function cpuTotals(): CpuTotals {
  const usage = process.cpuUsage();
  const totals: CpuTotals = { node: (usage.user + usage.system) / 1e6, temporal: 0, postgres: 0, threads: { main: 0, js: 0, core: 0 } };
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const { comm, seconds } = cpuOf(`/proc/self/task/${tid}/stat`);
      if (tid === String(process.pid)) totals.threads.main += seconds;
      else if (comm === 'node') totals.threads.js += seconds;
      else totals.threads.core += seconds;
    }
  } catch {
    // not Linux, or a thread exited meanwhile: the breakdown is left out
  }
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return totals;
  }
  for (const pid of pids) {
    let comm: string, seconds: number;
    try {
      ({ comm, seconds } = cpuOf(`/proc/${pid}/stat`));
    } catch {
      continue; // exited meanwhile
    }
    if (comm === 'temporal') totals.temporal += seconds;
    else if (comm === 'postgres') totals.postgres += seconds;
  }
  return totals;
}

/** CPU milliseconds per unit of work between two readings: "node 21.3 + dev server 9.8 + Postgres 4.1 ms CPU". */
export function cpuPer(before: CpuTotals, after: CpuTotals, units: number): string {
  const ms = (a: number, b: number) => fmt(((a - b) * 1000) / units);
  const per = (k: 'node' | 'temporal' | 'postgres') => ms(after[k], before[k]);
  const [t0, t1] = [before.threads, after.threads];
  const threads = t1.main + t1.js + t1.core > 0 ? ` (main thread ${ms(t1.main, t0.main)}, other JS threads ${ms(t1.js, t0.js)}, SDK core ${ms(t1.core, t0.core)})` : '';
  return `node ${per('node')}${threads} + dev server ${per('temporal')} + Postgres ${per('postgres')} ms CPU`;
}
