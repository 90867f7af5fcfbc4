/**
 * bench:reads — the repair list, the P3 report and the month's appraisal over 100k cases in the read model
 * against an express "hello" route on the same machine, all with 16 in flight for a fixed time.
 * Both paths read Postgres only (no Temporal visibility call; test/e2e/read-paths.test.ts proves
 * it). Target: ≥ 0.3 × hello req/s with p99 < 50 ms.
 */
import express from 'express';
import type { Server } from 'node:http';
import { localMonth } from '../domain/reports';
import { fmt, medianOf, report, runBench, type LoadResult } from './lib';
import { startBenchStack } from './stack';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 16;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function timed(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const res = await fetch(url, { headers });
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  return { count: latencies.length, seconds, perSecond: latencies.length / seconds, p50: at(50), p99: at(99), latencies };
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const hello = express();
  hello.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  const helloServer = await new Promise<Server>((resolve) => {
    const s = hello.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    // 100k closed and open repairs across both areas, written straight into the read model.
    await stack.orm.em.getConnection().execute(
      `insert into service_case (id, workflow_id, kind, property_id, area_id, room, channel, severity, status, assignee_id, description,
         due_at, sla_state, escalated, links, event_seq, received_at, received_by, closed_at, updated_at)
       select 'R2025' || lpad((g % 10000)::text, 4, '0') || '-' || lpad(g::text, 6, '0'), 'repair-bench-' || g, 'repair', 'P001',
         case when g % 2 = 0 then 'A1' else 'A2' end, '1-1-301', 'phone', (array['urgent','general','major'])[1 + g % 3],
         case when g % 10 = 0 then 'dispatched' else 'closed' end, case when g % 2 = 0 then 'S-EN1' else 'S-EN2' end, 'bench',
         now() + (g % 100) * interval '1 minute', 'ok', false, '[]', 1, now() - g * interval '1 minute', 'S-FD1',
         case when g % 10 = 0 then null else now() end, now()
       from generate_series(1, ?) g`,
      [CASES],
    );
    // P3 counts the deadline outcomes the workflows record: one per case, held by its engineer —
    // one in ten held by nobody, credited to the area's butler. The staff_month_tally and
    // owner_month_tally triggers count them as they are inserted, as they do the activities' writes.
    await stack.orm.em.getConnection().execute(
      `insert into case_event (case_id, seq, idempotency_key, action, actor_id, actor_role, at, payload)
       select id, 1, workflow_id || ':1', case when received_at::time < '18:00' then 'deadline-met' else 'deadline-missed' end, 'system', 'system',
         received_at + interval '20 minutes', jsonb_build_object('ownerId', case when right(id, 1) = '7' then null else assignee_id end)
       from service_case where workflow_id like 'repair-bench-%'`,
    );
    await stack.orm.em.getConnection().execute('analyze service_case');
    await stack.orm.em.getConnection().execute('analyze case_event');
    await stack.orm.em.getConnection().execute('vacuum analyze staff_month_tally');
    await stack.orm.em.getConnection().execute('vacuum analyze owner_month_tally');
    const auth = { authorization: `Bearer ${stack.keyOf('S-SV1')}` };
    const { port } = helloServer.address() as { port: number };
    const baseline = await medianOf<LoadResult>(RUNS, (r) => r.perSecond, () => timed(`http://127.0.0.1:${port}/hello`, {}));
    const lists = ['', '?status=dispatched', '?areaId=A1&classification=urgent', '?assigneeId=S-EN2&overdue=false'];
    const month = localMonth(new Date(), 'Asia/Shanghai');
    const paths = [
      ...lists.map((query) => ({ path: `/api/v1/repairs${query}`, name: `GET /api/v1/repairs${query || ' (newest first)'} over ${CASES} cases` })),
      { path: `/api/v1/reports/staff/${month}`, name: `GET /api/v1/reports/staff/${month} (P3 appraisal) over ${CASES} cases and their deadline events` },
      { path: `/api/v1/appraisals/${month}`, name: `GET /api/v1/appraisals/${month} (P3 month: results score, parts, composite) over ${CASES} cases and their deadline events` },
    ];
    const figures = [];
    for (const { path, name } of paths) {
      const measured = await medianOf<LoadResult>(RUNS, (r) => r.perSecond, () => timed(`${stack.api.url}${path}`, auth));
      const ratio = measured.perSecond / baseline.perSecond;
      figures.push({
        name,
        baseline: `express hello ${fmt(baseline.perSecond)} req/s (p99 ${fmt(baseline.p99)} ms)`,
        measured: `${fmt(measured.perSecond)} req/s (p50 ${fmt(measured.p50)} ms, p99 ${fmt(measured.p99)} ms)`,
        ratio,
        target: '≥ 0.3 and p99 < 50 ms',
        met: ratio >= 0.3 && measured.p99 < 50,
      });
    }
    report('reads', { ...stack.facts, runs: String(RUNS), load: `${SECONDS} s per run, ${CONCURRENCY} in flight` }, figures);
  } finally {
    helloServer.close();
    await stack.close();
  }
}

runBench(main);
