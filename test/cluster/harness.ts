/**
 * The production-shaped stack for a test file (scripts/cluster.ts on free ports): the Temporal
 * server on Postgres, two worker processes and two API processes, with a real SMTP capture in this
 * process. Requests go to the APIs in turn, so every story crosses both. The workflow bundle comes
 * from the project's globalSetup (built once for every file).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Property } from '../../db/entities';
import { compressPolicy, DEFAULT_POLICY, type ServicePolicy } from '../../domain/policy';
import { startCluster, type RunningCluster } from '../../scripts/cluster';
import { startSmtpCapture, type ReceivedMail } from '../helpers/smtp';

import { FULL, sleep, until } from '../faults/harness';

export { figures, FULL, OUTAGE_MS, sleep, until } from '../faults/harness';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
  body: any;
}

export interface ClusterStack {
  cluster: RunningCluster;
  mails: ReceivedMail[];
  keyOf(staffId: string): string;
  /** A staff request to the next API process in turn (or to `api`, an index). */
  call(method: string, path: string, staffId: string | null, body?: unknown, options?: { api?: number; form?: boolean }): Promise<ApiAnswer>;
  /** Stores a compressed copy of the documents' policy on the demo property; cases started afterwards use it. */
  usePolicy(factor: number, tweak?: (p: ServicePolicy) => void): Promise<void>;
  close(): Promise<void>;
}

export async function startClusterStack(): Promise<ClusterStack> {
  const dir = mkdtempSync(join(tmpdir(), 'wuye-cluster-'));
  chmodSync(dir, 0o755); // Postgres runs as the `postgres` user when we are root
  const smtp = await startSmtpCapture();
  const cluster = await startCluster({
    dataDir: dir,
    smtpUrl: smtp.url,
    workflowBundle: process.env.CLUSTER_WORKFLOW_BUNDLE,
    // The browser tests of the dev-server suite drive the UI; here it is not needed.
    ui: false,
    // Staff keys are shared by many requests at once; the limits are not what these tests are about.
    appEnv: { LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '1000', RATE_LIMIT_BURST: '1000' },
  }).catch(async (error: unknown) => {
    await smtp.close();
    throw error;
  });
  let next = 0;
  const keyOf = (staffId: string) => {
    const staff = cluster.seed!.staff.find((s) => s.id === staffId);
    if (!staff) throw new Error(`no seeded staff ${staffId}`);
    return staff.apiKey;
  };
  return {
    cluster,
    mails: smtp.mails,
    keyOf,
    async call(method, path, staffId, body, options = {}) {
      const api = cluster.apis[options.api ?? next++ % cluster.apis.length];
      const res = await fetch(`${api.url}${path.startsWith('/s/') ? '' : '/api/v1'}${path}`, {
        method,
        headers: {
          ...(staffId ? { Authorization: `Bearer ${keyOf(staffId)}` } : {}),
          ...(body !== undefined ? { 'Content-Type': options.form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
        },
        body: body === undefined ? undefined : options.form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async usePolicy(factor, tweak = () => undefined) {
      const policy = compressPolicy(DEFAULT_POLICY, factor);
      tweak(policy);
      const em = cluster.orm.em.fork();
      const property = await em.findOneOrFail(Property, { id: cluster.seed!.propertyId });
      property.policy = policy as unknown as Record<string, unknown>;
      await em.flush();
    },
    async close() {
      await cluster.stop();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A header of a captured mail, as text. */
export const header = (mail: ReceivedMail, name: string) => String(mail.headers.get(name) ?? '');

// ---------------------------------------------------------------------------------------------
// A burst of deadlines: repairs nobody accepts, so each one's R2 acceptance deadline escalates to
// the supervisor (step accept:1.1) and re-dispatches the work order.

/** R2 accept within 30 min → 20 s: long enough to open every repair of the burst before the first falls due. */
export const BURST_POLICY_FACTOR = 90;

/** The deadlines of a fault test's burst: 30 in `npm test`, 100 with FAULTS_FULL=1. */
export const BURST_CASES = FULL ? 100 : 30;

/** A production-shaped stack on the burst's compressed policy, as every fault test of this folder starts it. */
export async function startBurstStack(): Promise<ClusterStack> {
  const stack = await startClusterStack();
  await stack.usePolicy(BURST_POLICY_FACTOR);
  return stack;
}

export interface Burst {
  caseIds: string[];
  /** Each case's first acceptance deadline (ms), by case id. */
  dueAt: Map<string, number>;
}

/** Opens `count` general repairs `spacingMs` apart, so their acceptance deadlines fall due over that span. */
export async function openBurst(stack: ClusterStack, count: number, spacingMs: number): Promise<Burst> {
  const rooms = (await stack.cluster.orm.em.fork().getConnection().execute<{ room: string }[]>('select room from household order by room')).map((r) => r.room);
  const caseIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await stack.call('POST', '/repairs', 'S-FD1', {
      room: rooms[(i * 7) % rooms.length], contactName: '测试', contactPhone: '13800138000', channel: 'phone', description: '走廊灯不亮', classification: 'general',
    });
    if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.body)}`);
    caseIds.push(res.body.caseId);
    await sleep(spacingMs);
  }
  const dueAt = new Map<string, number>();
  for (const caseId of caseIds) {
    const due = await until(async () => {
      const view = await stack.call('GET', `/repairs/${caseId}`, 'S-SV1');
      const accept = (view.body.deadlines as { name: string; state: string; dueAt: string }[] | undefined)?.find((d) => d.name === 'accept' && d.state === 'pending');
      return accept && Date.parse(accept.dueAt);
    }, `${caseId}: its acceptance deadline`);
    dueAt.set(caseId, due);
  }
  return { caseIds, dueAt };
}

/** When the first escalation mail of the burst reached the SMTP server. */
export const firstEscalation = (stack: ClusterStack) => until(async () => stack.mails.find((m) => m.subject.includes('超时升级')), 'the first escalation mail', 180_000);

export interface EscalationCount {
  /** Escalation rows (accept:1.1) sent, each case's with its sent time. */
  sentAt: Map<string, number>;
  /** Escalation events (accept:1.1) in the audit log, and how many a case has twice. */
  events: number;
  repeatedEvents: number;
  /** Mails the SMTP server received for accept:1.1, the distinct messages among them (Message-ID), and messages twice for one key. */
  deliveries: number;
  messages: number;
  duplicateMessages: number;
  duplicateAuditSeqs: number;
  /** Escalation mail sent − due, ms, sorted. */
  lateness: number[];
}

/** Every deadline of the burst escalated exactly once: one audit event, one sent row and one message each, nothing twice. */
export function expectEveryEscalationOnce(final: EscalationCount, cases: number): void {
  expect(final.sentAt.size).toBe(cases);
  expect(final.events).toBe(cases);
  expect(final.repeatedEvents).toBe(0);
  expect(final.messages).toBe(cases);
  expect(final.duplicateMessages).toBe(0);
  expect(final.duplicateAuditSeqs).toBe(0);
}

export async function countEscalations(stack: ClusterStack, burst: Burst): Promise<EscalationCount> {
  const db = stack.cluster.orm.em.fork().getConnection();
  const rows = await db.execute<{ idempotency_key: string; sent_at: Date | null; status: string }[]>(
    `select idempotency_key, sent_at, status from notification where idempotency_key like '%:escalate:accept:1.1:%'`,
  );
  const sentAt = new Map<string, number>();
  for (const row of rows) {
    const caseId = row.idempotency_key.split(':escalate:')[0].replace(/^repair-/, '');
    if (row.status === 'sent' && row.sent_at && burst.dueAt.has(caseId)) sentAt.set(caseId, new Date(row.sent_at).getTime());
  }
  const [events] = await db.execute<{ events: string; repeated: string }[]>(
    `select count(*) as events, count(*) - count(distinct case_id) as repeated from case_event where action = 'escalated' and payload->>'step' = 'accept:1.1'`,
  );
  const [seqs] = await db.execute<{ n: string }[]>('select count(*) as n from (select case_id, seq from case_event group by case_id, seq having count(*) > 1) d');
  const byKey = new Map<string, Set<string>>();
  let deliveries = 0;
  for (const mail of stack.mails) {
    const key = header(mail, 'x-idempotency-key');
    if (!key.includes(':escalate:accept:1.1')) continue;
    deliveries++;
    byKey.set(key, (byKey.get(key) ?? new Set()).add(header(mail, 'message-id')));
  }
  return {
    sentAt,
    events: Number(events.events),
    repeatedEvents: Number(events.repeated),
    deliveries,
    messages: [...byKey.values()].reduce((n, ids) => n + ids.size, 0),
    duplicateMessages: [...byKey.values()].reduce((n, ids) => n + ids.size - 1, 0),
    duplicateAuditSeqs: Number(seqs.n),
    lateness: [...sentAt].map(([caseId, at]) => at - burst.dueAt.get(caseId)!).sort((a, b) => a - b),
  };
}

/** Every case of the burst escalated once: waits until each one's accept:1.1 escalation is sent. */
export const everyEscalationSent = (stack: ClusterStack, burst: Burst, timeoutMs = 300_000) =>
  until(async () => {
    const count = await countEscalations(stack, burst);
    return count.sentAt.size === burst.caseIds.length && count;
  }, 'every acceptance deadline of the burst escalated', timeoutMs);

/** The burst ends: each re-dispatched engineer accepts, through either API. */
export async function acceptAll(stack: ClusterStack, burst: Burst): Promise<number[]> {
  const statuses: number[] = [];
  for (const caseId of burst.caseIds) {
    const assignee = () =>
      until(async () => {
        const v = await stack.call('GET', `/repairs/${caseId}`, 'S-SV1');
        return v.status === 200 && v.body.assigneeId && v.body.allowedActions?.includes('accept') && (v.body.assigneeId as string);
      }, `${caseId}: re-dispatched`);
    let engineer = await assignee();
    let status = (await stack.call('POST', `/repairs/${caseId}/accept`, engineer, {})).status;
    // On a slow machine the re-dispatched order's own acceptance deadline may pass between the read and
    // the accept (R2 hands it on again): a 403 is then the order having moved to another engineer, who
    // accepts it instead. A 403 to the engineer who still holds the order stays a failure.
    for (let moved = 0; status === 403 && moved < 3; moved++) {
      const now = await assignee();
      if (now === engineer) break;
      engineer = now;
      status = (await stack.call('POST', `/repairs/${caseId}/accept`, engineer, {})).status;
    }
    statuses.push(status);
  }
  return statuses;
}

export const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/** A worker process's GET /healthz: its status and the state of its Temporal worker, or that nothing answered. */
export async function workerHealth(worker: { healthUrl: string }): Promise<{ status: number; state?: string } | 'no answer'> {
  try {
    const res = await fetch(worker.healthUrl, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { state?: string };
    return { status: res.status, state: body.state };
  } catch {
    return 'no answer';
  }
}
