/**
 * bench:deadlines-first — do escalations keep their time when an intake burst saturates the machine?
 *
 * Each phase runs on a stack of its own (a fresh dev server, Postgres and worker): BENCH_CASES repairs
 * come in at an even pace over BENCH_WINDOW_MS, so their R2 acceptance deadlines fall due evenly over
 * that window, at a rate the worker keeps up with alone. Their warnings fall before the window. In the
 * burst phases, BENCH_BURST general repairs are sent as fast as the API takes them, from a few seconds
 * before the first deadline falls due: their set-up (dispatch, deadline, work order) fills the worker
 * while the escalations fall due, as on a typhoon night. The burst's own warnings and deadlines come
 * long after the phase ends.
 *
 * Three phases, on the priority-aware matcher every server of ours runs (scripts/temporal-cli.ts):
 * without the burst; with it and the API opening every case it is sent at once
 * (API_MAX_OPENINGS=10000); with it and the API's admission of openings as configured by default
 * (api/overload.ts admitOpenings: 4 at a time, 1 while deadlines fall due, api/deadline-pressure.ts).
 * BENCH_OPENINGS=2,4,4/1 runs one admitted phase per cap instead (4/1: 4, and 1 while deadlines fall
 * due; a plain number: a fixed cap). The burst's client is a patient one: a 503 is retried after its
 * Retry-After with the same Idempotency-Key, so every phase takes the whole burst. BENCH_OLD_MATCHER=1
 * adds the first round's comparison, a dev server whose matcher ignores task priority
 * (`matching.useNewMatcher=false`, server 1.29's default), without and with the burst, unadmitted.
 * Lateness = escalation mail sent − the case's due time (its `deadline-set` event). Ratios: each
 * burst phase's p99 against the same matcher's phase without the burst, measured in this run.
 *
 * Where the late escalations' time went is read from the histories of the latest tenth: the timer
 * firing late (the server's timer queue), the workflow task waiting to be picked up (matching: what
 * priority can reorder), the task in the worker, the escalation's write waiting and running.
 *
 * BENCH_CASES (200), BENCH_WINDOW_MS (40000), BENCH_BURST (1500), BENCH_OPENINGS (the defaults), BENCH_OLD_MATCHER (unset).
 */
import { loadavg } from 'node:os';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { configSchema } from '../config';
import { workflowIds } from '../domain/workflow-ids';
import { bundleWorkflows } from '../worker';
import { resolveTemporalCli, SERVER_DYNAMIC_CONFIG } from '../scripts/temporal-cli';
import { cpuPer, cpuTotals, fmt, load, machineFacts, percentile, postPatiently, report, runBench, type Figure } from './lib';
import { startBenchStack, type BenchStack } from './stack';

const CASES = Number(process.env.BENCH_CASES ?? 200);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 40_000);
const BURST = Number(process.env.BENCH_BURST ?? 1500);
/** The burst starts this long before the first deadline falls due. */
const BURST_LEAD_MS = 5000;
/** How far the set-up of the measured cases may fall behind their intake on a busy machine. */
const SET_UP_LAG_MS = 30_000;
/**
 * Warnings half-way: with the acceptance this long, every measured case's warning falls before the
 * burst starts, and the burst's own warnings after the last measured deadline is due.
 */
const WARNING_FRACTION = 0.5;
const ACCEPT_WITHIN_MS = Math.ceil((WINDOW_MS + BURST_LEAD_MS + SET_UP_LAG_MS) / WARNING_FRACTION);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`[deadlines-first] ${new Date().toISOString().slice(11, 19)} ${line}\n`);
const load1 = () => fmt(loadavg()[0], 2);

interface PhaseSpec {
  priority: boolean;
  burst: boolean;
  /** The API admits case openings a few at a time (its default), or opens all it is sent at once. */
  admission: boolean;
  /** API_MAX_OPENINGS for an admitted phase, when not the default. */
  openings?: number;
  /** API_MAX_OPENINGS_NEAR_DEADLINES for an admitted phase (the same as `openings`: a fixed cap). */
  nearOpenings?: number;
}

interface Phase extends PhaseSpec {
  name: string;
  p50: number;
  p99: number;
  max: number;
  sent: number;
  /** The burst's cases taken by the API, and how many of them the worker set up by the last escalation. */
  burstTaken: number;
  burstRefused: number;
  /** 503s the burst's client waited out and retried. */
  burstRetried: number;
  /** When the last of the burst was taken, from its start (ms). */
  burstTakenInMs: number;
  firstRefusal: string;
  burstSetUp: number;
  cpu: string;
  load: string;
  /** Median of each step of the latest escalations (ms), from their histories. */
  steps: string;
  /** How long before the burst the last measured case was set up (negative: after it began). */
  setUpMarginMs: number;
}

const UNLIMITED_OPENINGS = '10000';
const DEFAULT_OPENINGS = configSchema.shape.API_MAX_OPENINGS.parse(undefined);
const DEFAULT_NEAR_OPENINGS = configSchema.shape.API_MAX_OPENINGS_NEAR_DEADLINES.parse(undefined);
/** "4 at a time", or "4 at a time, 1 while deadlines fall due" when the cap gives way to deadlines. */
const capWords = (p: PhaseSpec) => `${p.openings} at a time${p.nearOpenings !== p.openings ? `, ${p.nearOpenings} while deadlines fall due` : ''}`;

async function runPhase(spec: PhaseSpec, workflowBundle: Awaited<ReturnType<typeof bundleWorkflows>>): Promise<Phase> {
  const { priority, burst, admission } = spec;
  const stack = await startBenchStack({
    policy: { warningFraction: WARNING_FRACTION, repair: { acceptWithinMs: ACCEPT_WITHIN_MS } },
    dynamicConfig: { ...SERVER_DYNAMIC_CONFIG, 'matching.useNewMatcher': priority },
    workflowBundle,
    env: admission
      ? { API_MAX_OPENINGS: String(spec.openings ?? DEFAULT_OPENINGS), API_MAX_OPENINGS_NEAR_DEADLINES: String(spec.nearOpenings ?? spec.openings ?? DEFAULT_NEAR_OPENINGS) }
      : { API_MAX_OPENINGS: UNLIMITED_OPENINGS, API_MAX_OPENINGS_NEAR_DEADLINES: UNLIMITED_OPENINGS },
  });
  spec.openings = admission ? stack.config.API_MAX_OPENINGS : undefined;
  spec.nearOpenings = admission ? stack.config.API_MAX_OPENINGS_NEAR_DEADLINES : undefined;
  const openings = admission ? `openings ${capWords(spec)}` : 'openings unlimited';
  const name = `${priority ? 'priority matcher' : 'old matcher'}, ${burst ? `burst of ${BURST}, ${openings}` : 'no burst'}`;
  try {
    const db = () => stack.orm.em.fork().getConnection();
    const key = stack.keyOf('S-FD1');
    const rooms = (await db().execute<{ room: string }[]>('select room from household order by room')).map((r) => r.room);
    let burstRetried = 0;
    // A 503 (admission, or the workflow service too slow) is waited out and retried with the same key.
    const repair = async (url: string, body: Record<string, unknown>): Promise<string> =>
      (await postPatiently(() => `${url}/api/v1/repairs`, key, { contactName: '测试', contactPhone: '13800000000', channel: 'phone', description: '压测', ...body }, { retries: 29, onRetry: () => burstRetried++ })).caseId as string;

    log(`${name}: ${CASES} repairs over ${fmt(WINDOW_MS / 1000)} s, acceptance within ${fmt(ACCEPT_WITHIN_MS / 1000)} s (load ${load1()})`);
    const appointmentAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const measured: string[] = [];
    await load(CASES, 16, async (i) => {
      measured.push(await repair(stack.api.url, { room: rooms[i % rooms.length], classification: 'major', appointmentAt }));
    }, (i) => (WINDOW_MS * i) / CASES);

    // Each case's due time, from its `deadline-set` event (written with its dispatch).
    const dueOf = new Map<string, number>();
    for (;;) {
      const rows = await db().execute<{ case_id: string; due: string }[]>(
        `select case_id, payload->>'dueAt' as due from case_event where action = 'deadline-set' and payload->>'deadline' = 'accept' and case_id in (${measured.map(() => '?').join(', ')})`,
        measured,
      );
      for (const r of rows) if (!dueOf.has(r.case_id)) dueOf.set(r.case_id, Date.parse(r.due));
      if (dueOf.size >= CASES) break;
      await sleep(1000);
    }
    const first = Math.min(...dueOf.values());
    const last = Math.max(...dueOf.values());
    log(`${name}: deadlines due within ${fmt((last - first) / 1000)} s, the first in ${fmt((first - Date.now()) / 1000)} s`);

    const setUpMarginMs = first - BURST_LEAD_MS - Date.now();
    if (setUpMarginMs < 0) log(`${name}: the set-up lagged, the burst starts ${fmt(-setUpMarginMs / 1000)} s late`);
    await sleep(Math.max(0, setUpMarginMs));
    const before = cpuTotals();
    let burstTaken = 0;
    let burstRefused = 0;
    let firstRefusal = '';
    let burstTakenInMs = 0;
    const burstStarted = Date.now();
    burstRetried = 0;
    // A request the API still refuses after its retries is counted, not fatal — the escalations are what is measured.
    const burstRun = burst
      ? load(BURST, 64, async (i) => {
          try {
            await repair(stack.api.url, { room: rooms[(i * 7) % rooms.length], classification: 'general' });
            burstTaken++;
            burstTakenInMs = Date.now() - burstStarted;
          } catch (error) {
            burstRefused++;
            firstRefusal ||= error instanceof Error ? error.message.slice(0, 200) : String(error);
          }
        })
      : Promise.resolve();
    // Every first escalation mailed, or give up two minutes after the last fell due.
    let sent: { case_id: string; sent_at: Date }[] = [];
    for (const giveUp = last + 120_000; ; await sleep(1000)) {
      sent = await db().execute(`select case_id, sent_at from notification where status = 'sent' and idempotency_key like '%:escalate:accept:1.1:%'`);
      if (sent.length >= CASES || Date.now() > giveUp) break;
    }
    const cpu = cpuPer(before, cpuTotals(), CASES);
    const loadNow = loadavg().map((l) => fmt(l, 2)).join(' / ');
    const [{ n: burstSetUp }] = await db().execute<{ n: string }[]>(
      `select count(*) as n from service_case where due_at is not null and id not in (${measured.map(() => '?').join(', ')})`,
      measured,
    );
    await burstRun;
    const late = sent.filter((s) => dueOf.has(s.case_id)).map((s) => ({ caseId: s.case_id, ms: new Date(s.sent_at).getTime() - dueOf.get(s.case_id)! }));
    late.sort((a, b) => a.ms - b.ms);
    const lateness = late.map((l) => l.ms);
    const steps = await whereTheTimeWent(stack, late.slice(-Math.max(5, Math.ceil(late.length / 10))).map((l) => l.caseId), dueOf);
    const phase: Phase = {
      ...spec,
      name,
      priority,
      burst,
      admission,
      burstRetried,
      burstTakenInMs,
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      max: lateness[lateness.length - 1] ?? NaN,
      sent: lateness.length,
      burstTaken,
      burstRefused,
      firstRefusal,
      burstSetUp: Number(burstSetUp),
      cpu,
      load: loadNow,
      steps,
      setUpMarginMs,
    };
    log(`${name}: lateness p50 ${fmt(phase.p50)} ms, p99 ${fmt(phase.p99)} ms, max ${fmt(phase.max)} ms; ${phase.sent}/${CASES} sent; burst ${burstTaken} taken in ${fmt(burstTakenInMs / 1000)} s after ${burstRetried} retried 503s, ${burstRefused} refused${firstRefusal ? ` (first: ${firstRefusal})` : ''}, ${phase.burstSetUp} set up by the last escalation; load ${loadNow}`);
    log(`${name}: the latest tenth, median per step: ${steps}`);
    return phase;
  } finally {
    await stack.close();
  }
}

const { EventType } = temporal.api.enums.v1;

/**
 * The median of each step from a deadline falling due to its escalation written, over these cases:
 * the timer firing, the workflow task waiting in matching (scheduled → started), the task in the
 * worker (started → completed), the escalation's write waiting (scheduled → started) and running.
 */
async function whereTheTimeWent(stack: BenchStack, caseIds: string[], dueOf: Map<string, number>): Promise<string> {
  const names = ['timer fired after due', 'workflow task in matching', 'workflow task in the worker', 'escalation write waiting', 'escalation write running'];
  const samples: number[][] = names.map(() => []);
  for (const caseId of caseIds) {
    const events = (await stack.client.workflow.getHandle(workflowIds.repair(caseId)).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number]) => Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
    // Summaries travel sealed by the payload codec: open them as the client would.
    const summaries = await Promise.all(
      events.map(async (e) => {
        if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !e.userMetadata?.summary) return '';
        let payloads = [e.userMetadata.summary as Payload];
        for (const codec of [...stack.client.options.loadedDataConverter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
        return defaultPayloadConverter.fromPayload<string>(payloads[0]);
      }),
    );
    const write = summaries.findIndex((summary) => summary.includes('escalated'));
    if (write < 0) continue;
    const before = events.slice(0, write).reverse();
    const fired = before.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
    const task = before.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const started = before.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const completed = before.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const scheduledId = events[write].eventId;
    const writeStarted = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduledId));
    const writeDone = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduledId));
    if (!fired || !task || !started || !completed || !writeStarted || !writeDone) continue;
    samples[0].push(at(fired) - dueOf.get(caseId)!);
    samples[1].push(at(started) - at(task));
    samples[2].push(at(completed) - at(started));
    samples[3].push(at(writeStarted) - at(events[write]));
    samples[4].push(at(writeDone) - at(writeStarted));
  }
  return names.map((n, i) => `${n} ${fmt(percentile([...samples[i]].sort((a, b) => a - b), 50), 0)}`).join(', ') + ` ms (${samples[0].length} cases)`;
}

async function main(): Promise<void> {
  const workflowBundle = await bundleWorkflows();
  const specs: PhaseSpec[] = [
    ...(process.env.BENCH_OLD_MATCHER
      ? [
          { priority: false, burst: false, admission: true },
          { priority: false, burst: true, admission: false },
        ]
      : []),
    { priority: true, burst: false, admission: true },
    { priority: true, burst: true, admission: false },
    // BENCH_OPENINGS=2,4,4/1 compares caps (4/1: 4 at a time, 1 while deadlines fall due); by default
    // the configured default alone.
    ...(process.env.BENCH_OPENINGS ?? `${DEFAULT_OPENINGS}/${DEFAULT_NEAR_OPENINGS}`).split(',').map((caps) => {
      const [openings, near] = caps.split('/').map(Number);
      return { priority: true, burst: true, admission: true, openings, nearOpenings: near ?? openings };
    }),
  ];
  const phases: Phase[] = [];
  for (const spec of specs) phases.push(await runPhase(spec, workflowBundle));
  const of = (spec: PhaseSpec) =>
    phases.find((p) => p.priority === spec.priority && p.burst === spec.burst && (!spec.burst || p.admission === spec.admission) && (spec.openings === undefined || (p.openings === spec.openings && p.nearOpenings === spec.nearOpenings)));
  const cli = resolveTemporalCli();
  const facts = machineFacts(cli.kind === 'path' ? cli.path : 'temporal');
  const burstTerms = (p: Phase) =>
    `the API took ${p.burstTaken} new cases in ${fmt(p.burstTakenInMs / 1000)} s, answering 503 + Retry-After ${p.burstRetried} times on the way${p.burstRefused ? ` and refusing ${p.burstRefused} for good (${p.firstRefusal})` : ''}; the worker set up ${p.burstSetUp} of them by the last escalation`;
  const figures: Figure[] = phases
    .filter((p) => p.burst)
    .map((p) => {
      const alone = of({ priority: p.priority, burst: false, admission: true })!;
      return {
        name: `escalation lateness (due → mail sent), ${CASES} deadlines due over ${fmt(WINDOW_MS / 1000)} s with an intake burst of ${BURST} at the same time, ${p.priority ? 'priority matcher' : 'old matcher'}, ${p.admission ? `the API admitting ${p.name.split('openings ')[1]}` : 'the API opening every case at once'}`,
        baseline: `the same deadlines without the burst: p50 ${fmt(alone.p50)} ms, p99 ${fmt(alone.p99)} ms, ${alone.sent}/${CASES} sent; per deadline ${alone.cpu}; load ${alone.load}`,
        measured:
          `p50 ${fmt(p.p50)} ms, p99 ${fmt(p.p99)} ms, max ${fmt(p.max)} ms, ${p.sent}/${CASES} sent; ${burstTerms(p)}; ` +
          `per deadline (burst included) ${p.cpu}; the latest tenth's median steps: ${p.steps} (without the burst: ${alone.steps}); load ${p.load}`,
        ratio: p.p99 / alone.p99,
        target: 'p99 ≤ 1.5 × without the burst',
        met: p.p99 <= 1.5 * alone.p99 && p.sent === CASES,
      };
    });
  const unadmitted = of({ priority: true, burst: true, admission: false })!;
  for (const admitted of phases.filter((p) => p.burst && p.admission)) {
    figures.push({
      name: `escalation p99 during the burst: the API opening ${capWords(admitted)} against opening all at once`,
      baseline: `all at once: p99 ${fmt(unadmitted.p99)} ms`,
      measured: `${capWords(admitted)}: p99 ${fmt(admitted.p99)} ms; the burst taken in ${fmt(admitted.burstTakenInMs / 1000)} s against ${fmt(unadmitted.burstTakenInMs / 1000)} s`,
      ratio: admitted.p99 / unadmitted.p99,
      target: '< 1 (admission helps)',
      met: admitted.p99 < unadmitted.p99,
    });
  }
  const oldBurst = of({ priority: false, burst: true, admission: false });
  if (oldBurst) {
    figures.push({
      name: 'escalation p99 during the burst, openings unlimited: with task priority against without',
      baseline: `without priority p99 ${fmt(oldBurst.p99)} ms`,
      measured: `with priority p99 ${fmt(unadmitted.p99)} ms`,
      ratio: unadmitted.p99 / oldBurst.p99,
      target: '< 1 (priority helps)',
      met: unadmitted.p99 < oldBurst.p99,
    });
  }
  report('deadlines-first', { ...facts, cases: String(CASES), window: `${fmt(WINDOW_MS / 1000)} s`, burst: `${BURST} general repairs, 64 in flight, 503s retried`, phases: phases.map((p) => p.name).join('; ') }, figures);
}

runBench(main);
