/**
 * A case's SLA timeline for the supervisor (docs/console.md), drawn from its audit log alone: every
 * clock with when it was set, its pauses and their reasons, its warning, its due time and whether it
 * was met, missed or moved, and the escalations of a miss with who was told. Pure: the route reads
 * the events and the notifications, this puts them together.
 */

export interface TimelineEvent {
  seq: number;
  action: string;
  actorId: string;
  actorRole: string;
  at: string;
  payload: Record<string, unknown>;
}

/** A mail sent about the case: its idempotency key says which step it belongs to. */
export interface TimelineNotice {
  key: string;
  recipientId: string | null;
  status: string;
  sentAt: string | null;
}

export interface ClockEscalation {
  at: string;
  rule: string;
  to: string[];
  reason: string;
  told: { staffId: string; status: string; sentAt: string | null }[];
}

export interface Clock {
  /** The deadline's name in the workflow: accept, arrive, repair, reschedule, respond… */
  name: string;
  rule: string;
  /** When this promise was set: its deadline-set event, else the step that (re)started the clocks. */
  startedAt: string | null;
  dueAt: string;
  warnedAt: string | null;
  warned: { staffId: string; status: string }[];
  outcome: 'pending' | 'met' | 'missed' | 'moved' | 'paused';
  outcomeAt: string | null;
  /** Who held the case when the outcome was recorded (P3). */
  ownerId: string | null;
  pauses: { at: string; reason: string; resumedAt: string | null }[];
  escalations: ClockEscalation[];
}

/** Steps after which a case's clocks run from a new time. */
const STARTING_STEPS = new Set(['received', 'dispatched', 'reschedule', 'recordMeasures', 'agreeHandling', 'classify']);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function slaTimeline(events: TimelineEvent[], notices: TimelineNotice[], workflowId: string): Clock[] {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const clocks: Clock[] = [];
  const find = (name: string, dueAt: string | null) => clocks.find((c) => c.name === name && (dueAt === null || c.dueAt === dueAt));
  const latestOpen = (name: string) => [...clocks].reverse().find((c) => c.name === name && (c.outcome === 'pending' || c.outcome === 'paused'));
  let lastStart: string | null = null;
  const told = (prefix: string) =>
    notices.filter((n) => n.key.startsWith(prefix) && n.recipientId).map((n) => ({ staffId: n.recipientId!, status: n.status, sentAt: n.sentAt }));

  const clockOf = (e: TimelineEvent): Clock | undefined => {
    const name = text(e.payload.deadline);
    const dueAt = text(e.payload.dueAt);
    const rule = text(e.payload.rule);
    if (!name || !dueAt) return undefined;
    let clock = find(name, dueAt);
    if (!clock) {
      // A new promise of the same name: the one before it was moved (a new time, a new appointment).
      for (const before of clocks) if (before.name === name && before.outcome === 'pending') before.outcome = 'moved';
      clock = { name, rule: rule ?? '', startedAt: lastStart, dueAt, warnedAt: null, warned: [], outcome: 'pending', outcomeAt: null, ownerId: null, pauses: [], escalations: [] };
      clocks.push(clock);
    }
    return clock;
  };

  for (const e of ordered) {
    if (STARTING_STEPS.has(e.action)) lastStart = e.at;
    switch (e.action) {
      case 'deadline-set': {
        const clock = clockOf(e);
        if (clock) clock.startedAt = e.at;
        break;
      }
      case 'sla-warning': {
        const clock = clockOf(e);
        if (clock) {
          clock.warnedAt = e.at;
          clock.warned = told(`${workflowId}:warning:${clock.name}:${clock.dueAt}:`).map(({ staffId, status }) => ({ staffId, status }));
        }
        break;
      }
      case 'deadline-met':
      case 'deadline-missed': {
        const clock = clockOf(e);
        if (clock) {
          clock.outcome = e.action === 'deadline-met' ? 'met' : 'missed';
          clock.outcomeAt = e.at;
          clock.ownerId = text(e.payload.ownerId);
        }
        break;
      }
      case 'escalated': {
        const name = text(e.payload.deadline);
        const clock = name ? ([...clocks].reverse().find((c) => c.name === name && c.outcome === 'missed') ?? [...clocks].reverse().find((c) => c.name === name)) : undefined;
        const escalation: ClockEscalation = {
          at: e.at,
          rule: text(e.payload.rule) ?? '',
          to: Array.isArray(e.payload.to) ? (e.payload.to as string[]) : [],
          reason: text(e.payload.reason) ?? '',
          told: told(`${workflowId}:escalate:${text(e.payload.step) ?? ''}:`),
        };
        clock?.escalations.push(escalation);
        break;
      }
      case 'customerNotHome': {
        // R6: the clocks named wait for the new appointment, with the reason recorded.
        const paused = Array.isArray(e.payload.clocksPaused) ? (e.payload.clocksPaused as string[]) : [];
        for (const name of paused) {
          const clock = latestOpen(name);
          if (!clock) continue;
          clock.outcome = 'paused';
          clock.pauses.push({ at: e.at, reason: text(e.payload.reason) ?? 'customer not home', resumedAt: null });
        }
        break;
      }
      case 'reschedule': {
        for (const clock of clocks) {
          const open = clock.pauses.find((p) => p.resumedAt === null);
          if (open) open.resumedAt = e.at;
          if (clock.outcome === 'paused') clock.outcome = 'moved';
        }
        break;
      }
    }
  }
  return clocks;
}
