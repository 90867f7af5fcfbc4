/**
 * bench:deadlines — many open cases whose deadlines fall inside one window (compressed policy):
 * the R2 acceptance deadline of every case is missed, so each case escalates to the supervisor
 * exactly once. Lateness = escalation mail sent (notification.sent_at) − the case's due time (the
 * read model's due_at before it fell due). Baseline: as many trivial workflows sleeping until due
 * times spread over the same span, on the same server; their lateness = wake-up − due.
 * Target: p99 lateness ≤ 1 s; every escalation exactly once (mails counted in the sink's files).
 *
 * The repairs come in at an even pace over the window, so their deadlines fall due at that pace,
 * whatever the worker's speed of setting them up (taken as fast as the API answers, the deadlines
 * fell due as fast as the worker could set cases up, and the set-up of later cases competed with
 * the escalation of earlier ones). The acceptance time is long enough that every case's warning
 * (at the policy's warning fraction) comes after the last repair came in: the window holds the
 * warnings, the missed deadlines, the escalations and the re-dispatches.
 *
 * BENCH_CASES (10000), BENCH_WINDOW_MS (600000 = 10 min: the intake's span, and so the deadlines'),
 * BENCH_CACHE (the worker's cached workflows; by default what the production worker gets, which
 * the SDK sizes from the heap). A case that left the cache is replayed from its history at its
 * warning and again at its deadline, which costs each escalation CPU (bench/RESULTS.md).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../domain/policy';
import { cpuPer, cpuTotals, fmt, load, percentile, report, runBench } from './lib';
import { startBenchStack } from './stack';

const CASES = Number(process.env.BENCH_CASES ?? 10_000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10 * 60_000);
const CACHE = process.env.BENCH_CACHE ? Number(process.env.BENCH_CACHE) : undefined;
const CONCURRENCY = 64;
/** Each case's warning (warningFraction of this) falls a minute after the last repair came in. */
const ACCEPT_WITHIN_MS = Math.ceil(WINDOW_MS / DEFAULT_POLICY.warningFraction) + 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`[deadlines] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function main(): Promise<void> {
  const stack = await startBenchStack({ policy: { repair: { acceptWithinMs: ACCEPT_WITHIN_MS } }, maxCachedWorkflows: CACHE });
  try {
    const db = () => stack.orm.em.fork().getConnection();

    // Measured first: every case dispatched, waiting for acceptance, coming in evenly over the window.
    const key = stack.keyOf('S-FD1');
    const rooms = (await db().execute<{ room: string }[]>('select room from household order by room')).map((r) => r.room);
    const appointmentAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    log(`intake of ${CASES} repairs over ${fmt(WINDOW_MS / 1000)} s, at most ${CONCURRENCY} in flight; acceptance within ${fmt(ACCEPT_WITHIN_MS / 1000)} s`);
    const setUpFrom = cpuTotals();
    const intakeFrom = Date.now();
    const intake = await load(CASES, CONCURRENCY, async (i) => {
      const res = await fetch(`${stack.api.url}/api/v1/repairs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ room: rooms[i % rooms.length], contactName: '测试', contactPhone: '13800000000', channel: 'phone', description: '压测', classification: 'major', appointmentAt }),
      });
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }, (i) => (WINDOW_MS * i) / CASES);
    log(`intake done in ${fmt(intake.seconds)} s (${fmt(intake.perSecond)} cases/s, at most ${fmt(intake.behindMs)} ms behind its pace; p99 ${fmt(intake.p99)} ms)`);

    // The due time of each case's acceptance deadline, from its DueAt search attribute (the next
    // pending deadline; the read model's due_at is only written with the next audit event).
    const firstDue = new Map<string, number>();
    for (;;) {
      for await (const wf of stack.client.workflow.list({ query: `CaseType='repair' AND CaseStatus='dispatched'` })) {
        const dueAt = wf.searchAttributes.DueAt?.[0];
        // The first acceptance deadline only: a case already escalated and re-dispatched has a later one.
        if (dueAt instanceof Date && dueAt.getTime() < intakeFrom + WINDOW_MS + ACCEPT_WITHIN_MS + 60_000 && !firstDue.has(wf.workflowId)) firstDue.set(wf.workflowId, dueAt.getTime());
      }
      if (firstDue.size >= CASES) break;
      log(`${firstDue.size}/${CASES} acceptance deadlines visible (the worker is still dispatching the intake)`);
      await sleep(5000);
    }
    const dueOf = firstDue;
    // From here to the last escalation mail: each case's warning, missed deadline, escalation and re-dispatch.
    const escalationFrom = cpuTotals();
    const setUp = cpuPer(setUpFrom, escalationFrom, CASES);
    const first = Math.min(...dueOf.values());
    const last = Math.max(...dueOf.values());
    log(`${dueOf.size} deadlines between ${new Date(first).toISOString()} and ${new Date(last).toISOString()} (${fmt((last - first) / 1000)} s apart)`);

    // Escalation visible: when the 'escalated' event is first seen in the read model (polled every 250 ms).
    const seen = new Map<string, number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const rows = await db().execute<{ workflow_id: string }[]>(
          `select c.workflow_id from case_event e join service_case c on c.id = e.case_id where e.action = 'escalated' and e.payload->>'deadline' = 'accept'`,
        );
        const now = Date.now();
        for (const r of rows) if (!seen.has(r.workflow_id)) seen.set(r.workflow_id, now);
        await sleep(250);
      }
    })();

    // Wait for every first-attempt escalation (step accept:1.1) to be sent, or give up a window later.
    const giveUp = last + Math.min(WINDOW_MS, 15 * 60_000);
    let sent: { idempotency_key: string; sent_at: Date }[] = [];
    for (;;) {
      sent = await db().execute(`select idempotency_key, sent_at from notification where status = 'sent' and idempotency_key like '%:escalate:accept:1.1:%'`);
      if (sent.length >= CASES || Date.now() > giveUp) break;
      log(`${sent.length}/${CASES} escalations sent`);
      await sleep(5000);
    }
    const escalationCpu = cpuPer(escalationFrom, cpuTotals(), CASES);
    // The read model may show the last escalations a poll or two after their mails went out.
    for (const until = Date.now() + 30_000; [...dueOf.keys()].some((id) => !seen.has(id)) && Date.now() < until; ) await sleep(250);
    watching = false;
    await watcher;
    const visibleLateness = [...seen]
      .filter(([id]) => dueOf.has(id))
      .map(([id, at]) => at - dueOf.get(id)!)
      .sort((a, b) => a - b);
    const lateness = sent
      .map((n) => new Date(n.sent_at).getTime() - dueOf.get(n.idempotency_key.split(':escalate:')[0])!)
      .sort((a, b) => a - b);

    // Exactly once: escalation events in the audit log, escalation rows, and mails the sink received.
    // A case whose re-dispatched work order also went unaccepted escalates again (step accept:1.2), so
    // it is the first engineer's (accept:1.1) that each case has once, and no step twice.
    const [{ events, repeated, firsts }] = await db().execute<{ events: string; repeated: string; firsts: string }[]>(
      `select count(*) as events, count(*) - count(distinct (case_id, payload->>'step')) as repeated,
              count(*) filter (where payload->>'step' = 'accept:1.1') as firsts
         from case_event where action = 'escalated' and payload->>'deadline' = 'accept'`,
    );
    const duplicateSeq = await db().execute<{ n: string }[]>(`select count(*) as n from (select case_id, seq from case_event group by case_id, seq having count(*) > 1) d`);
    const mailKeys = new Map<string, number>();
    for (const file of readdirSync(stack.mailDir)) {
      const head = readFileSync(join(stack.mailDir, file), 'utf8').split(/\r?\n\r?\n/, 1)[0];
      const keyHeader = /^X-Idempotency-Key:\s*(.+)$/im.exec(head)?.[1]?.trim();
      if (keyHeader?.includes(':escalate:accept:1.1:')) mailKeys.set(keyHeader, (mailKeys.get(keyHeader) ?? 0) + 1);
    }
    const duplicateMails = [...mailKeys.values()].reduce((sum, n) => sum + n - 1, 0);
    log(`escalation events ${firsts} first (${events} in all, ${repeated} repeated); mails ${mailKeys.size} distinct, ${duplicateMails} duplicates; duplicate audit seqs ${duplicateSeq[0].n}`);

    // Baseline on the same server: trivial timers due over the same span.
    const span = Math.max(1000, last - first);
    const lead = 60_000;
    const start = Date.now() + lead;
    log(`baseline: ${CASES} trivial timers due over ${fmt(span / 1000)} s`);
    const handles: { due: number; result: () => Promise<number> }[] = [];
    await load(CASES, CONCURRENCY, async (i) => {
      const dueAt = start + Math.floor((i / CASES) * span);
      const handle = await stack.client.workflow.start('benchTimer', { taskQueue: stack.baselineQueue, workflowId: `baseline-timer-${i}`, args: [dueAt] });
      handles.push({ due: dueAt, result: () => handle.result() as Promise<number> });
    });
    const baseline: number[] = [];
    await load(handles.length, CONCURRENCY, async (i) => {
      baseline.push((await handles[i].result()) - handles[i].due);
    });
    baseline.sort((a, b) => a - b);

    const p99 = percentile(lateness, 99);
    const baseP99 = percentile(baseline, 99);
    const exactlyOnce = Number(firsts) === CASES && Number(repeated) === 0 && mailKeys.size === CASES && duplicateMails === 0 && Number(duplicateSeq[0].n) === 0;
    report(
      'deadlines',
      { ...stack.facts, cases: String(CASES), window: `intake paced over ${fmt(WINDOW_MS / 60_000)} min, acceptance ${fmt(ACCEPT_WITHIN_MS / 60_000)} min, deadlines spread over ${fmt(span / 1000)} s`, cache: `${stack.worker.options.maxCachedWorkflows} cached workflows${CACHE ? '' : ' (the SDK default for this heap)'}` },
      [
        {
          name: `escalation lateness, ${CASES} deadlines within ${fmt(span / 1000)} s (due → escalation mail sent)`,
          baseline: `trivial timer wake-up lateness p50 ${fmt(percentile(baseline, 50))} ms, p99 ${fmt(baseP99)} ms`,
          measured:
            `p50 ${fmt(percentile(lateness, 50))} ms, p99 ${fmt(p99)} ms, max ${fmt(lateness[lateness.length - 1] ?? NaN)} ms; ${sent.length}/${CASES} sent; ` +
            `CPU per case: ${escalationCpu} for its warning, escalation and re-dispatch (after ${setUp} for its intake and set-up)`,
          ratio: p99 / baseP99,
          target: 'p99 ≤ 1 s',
          met: p99 <= 1000 && sent.length === CASES,
        },
        {
          name: `escalation lateness, ${CASES} deadlines within ${fmt(span / 1000)} s (due → escalation event in the read model, polled every 250 ms)`,
          baseline: `trivial timer wake-up lateness p50 ${fmt(percentile(baseline, 50))} ms, p99 ${fmt(baseP99)} ms`,
          measured: `p50 ${fmt(percentile(visibleLateness, 50))} ms, p99 ${fmt(percentile(visibleLateness, 99))} ms; ${visibleLateness.length}/${CASES} seen`,
          ratio: percentile(visibleLateness, 99) / baseP99,
          target: 'p99 ≤ 1 s',
          met: percentile(visibleLateness, 99) <= 1000 && visibleLateness.length === CASES,
        },
        {
          name: 'every escalation exactly once',
          baseline: `${CASES} cases`,
          measured: `${firsts} first escalation events (${events} with the re-dispatched engineers', ${repeated} repeated), ${mailKeys.size} mails (${duplicateMails} duplicates), ${duplicateSeq[0].n} duplicate audit seqs`,
          ratio: mailKeys.size / CASES,
          target: '= 1, no duplicates',
          met: exactlyOnce,
        },
      ],
    );
  } finally {
    await stack.close();
  }
}

runBench(main);
