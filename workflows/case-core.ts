/**
 * What every case workflow shares: the audit trail, deadlines with a warning and an escalation,
 * and what a supervisor sees in the Temporal UI (search attributes + current details).
 * Only case numbers, room numbers, codes and staff ids appear there — never names or phones.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { allHandlersFinished, ApplicationFailure, condition, log, proxyActivities, setHandler, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CaseEventInput, CasePatch } from '../activities/cases';
import type { NotifyInput } from '../activities/notify';
import { assumedYearsNote, calendarMissingKey, displayTime, type CalendarSnapshot } from '../domain/calendar';
import type { Actor, Role } from '../domain/people';
import type { ServicePolicy } from '../domain/policy';
import type { TemplateName } from '../activities/templates';
import type { ActionCall, ActionTable, CaseBasics, CaseKind, CaseMessages, CaseView, DeadlineView, SlaState } from './messages';
import { AreaId, AssigneeId, CaseStatus, CaseType, DueAt, Escalated, Severity, SlaState as SlaStateKey } from './search-attributes';

const RECENT_AUDIT_ENTRIES = 10;

/**
 * Resolves once the workflow has run as far as it can for now: the condition is false when first
 * evaluated (so it blocks), and the SDK evaluates blocked conditions again only after every
 * runnable continuation of the activation has run.
 */
function untilSettled(): Promise<void> {
  let asked = false;
  return condition(() => asked || ((asked = true), false));
}

const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  // Postgres or SMTP being down must lose nothing: retry with backoff until they are back.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

export const activities = proxyActivities<Activities>(ACTIVITY_OPTIONS);

/** A notification activity: the same retries (SMTP being down must lose nothing either), a minute per try. */
const MAIL_OPTIONS = { ...ACTIVITY_OPTIONS, startToCloseTimeout: '1 minute' } as const;


export interface CoreState extends CaseBasics {
  propertyId: string;
  kind: string;
  /** Number of audit events written; the next event's idempotency key. */
  seq: number;
  /** An employee complaint or report: no room in the UI details or escalation mails (design.md §3). */
  confidential?: boolean;
  /** Roles that own the case when nobody is assigned (a complaint's C3 owners); the area's butler otherwise. */
  owners?: Role[];
}

/** A case's first audit event (seq 0), written with its row: who took it in, when, and what they recorded. */
export function receivedEvent(input: { receivedBy: Actor; receivedAt: string }, payload: Record<string, unknown>): Omit<CaseEventInput, 'caseId' | 'seq'> {
  return { idempotencyKey: `${workflowInfo().workflowId}:0`, action: 'received', actor: input.receivedBy, at: input.receivedAt, payload };
}

/** What every case starts with: no deadline yet, nothing audited, SLA ok. */
export function openingState(): Pick<CoreState, 'slaState' | 'escalated' | 'deadlines' | 'recent' | 'seq'> {
  return { slaState: 'ok', escalated: false, deadlines: [], recent: [], seq: 0 };
}

const SYSTEM: Actor = { staffId: 'system', role: 'system' };

/**
 * A case that counts working days on a calendar with assumed years (no national arrangement loaded
 * for them) says so in its audit log, its view and its UI details, and the property's managers are
 * told — once per property and year, whichever case tells them first.
 */
export async function noteAssumedCalendar(tracker: CaseTracker, calendar: CalendarSnapshot): Promise<void> {
  const years = calendar.assumedYears ?? [];
  if (years.length === 0) return;
  const note = assumedYearsNote(years);
  tracker.state.notes = [...(tracker.state.notes ?? []), note];
  await tracker.audit('calendar-assumed', SYSTEM, { years, note });
  const propertyId = tracker.state.propertyId;
  await tracker.mail(
    `tell the managers: national calendar ${years.join(', ')} not loaded`,
    years.map((year) => ({ idempotencyKey: calendarMissingKey(propertyId, year), propertyId, roles: ['manager'], template: 'calendarMissing', data: { propertyId, year } })),
  );
}

export interface DeadlineSpec {
  name: string;
  rule: string;
  dueAt: Date;
  /** Shown on the timer in the UI, e.g. "R3 arrival due". */
  summary: string;
}

const SLA_RANK: Record<SlaState, number> = { ok: 0, warning: 1, breached: 2 };

export class CaseTracker {
  private readonly queue: { summary: string; input: CaseEventInput }[] = [];
  /** Mails that go out with the next audit write. */
  private readonly mails: { summary: string; inputs: NotifyInput[] }[] = [];
  /** Mails the audit writer handed back unsent, on their way in a notification activity of their own. */
  private readonly resending: Promise<unknown>[] = [];
  private writer?: Promise<void>;
  /** The end-of-task upsert, while one is due. */
  private showing?: Promise<void>;
  /** The search attribute values last upserted, to skip an upsert that changes nothing. */
  private shown?: string;
  private refreshes = 0;

  constructor(
    readonly state: CoreState,
    private readonly policy: ServicePolicy,
  ) {}

  private get workflowId(): string {
    return workflowInfo().workflowId;
  }

  /**
   * Records an accepted transition: in the workflow's recent history at once (so the caller's
   * answer shows it) and in the Postgres audit log and read model, at most once per event.
   */
  async audit(action: string, actor: Actor, payload?: Record<string, unknown>, patch?: CasePatch): Promise<void> {
    const seq = ++this.state.seq;
    const at = new Date().toISOString();
    this.state.recent = [...this.state.recent, { seq, action, actorId: actor.staffId, actorRole: actor.role, at, payload }].slice(
      -RECENT_AUDIT_ENTRIES,
    );
    this.refresh();
    // The summary names the step in the UI's event list; staff ids only, never residents' data.
    await this.append(`audit: ${action} by ${actor.staffId}`, {
      caseId: this.state.caseId,
      seq,
      idempotencyKey: `${this.workflowId}:${seq}`,
      action,
      actor,
      at,
      payload,
      patch: { ...this.readModelPatch(), ...patch },
    });
  }

  /**
   * Writes an audit event (and the read model) behind the workflow: the event joins a queue, and
   * one writer activity at a time carries everything queued since its previous write, in order
   * (Postgres applies the newest patch). The caller does not wait for Postgres, so a staff action is
   * answered in the workflow task that accepted it — the event is as durable as that answer, since
   * replaying the history queues it again — and a step that records several events (a deadline met
   * and the next one set) costs one activity. {@link written} waits for the queue to drain; every
   * case workflow does so before it completes.
   *
   * A local activity instead (tried) made the replay of a workflow whose update handler audited fail
   * with "[TMPRL1100] Nondeterminism error: Update machine does not handle this event:
   * UpsertWorkflowSearchAttributes" (found by the fuzz run on a query that replayed a request case).
   */
  private async append(summary: string, input: CaseEventInput): Promise<void> {
    this.queue.push({ summary, input });
    this.writer ??= this.write();
  }

  private async write(): Promise<void> {
    while (this.queue.length > 0 || this.mails.length > 0) {
      // Let the rest of this workflow task record its events first (a dispatch and the deadline it
      // sets, a missed deadline and its escalation): what is queued until a pass adds nothing goes
      // in one write.
      for (let queued = -1, passes = 0; queued !== this.queue.length + this.mails.length && passes < 8; passes++) {
        queued = this.queue.length + this.mails.length;
        await untilSettled();
      }
      const batch = this.queue.splice(0);
      const mails = this.mails.splice(0);
      const summary = [...batch, ...mails].map((e) => e.summary).join('; ');
      const events = batch.map((e) => e.input);
      if (mails.length === 0) {
        await activities.appendCaseEvents.executeWithOptions({ ...ACTIVITY_OPTIONS, summary }, [events]);
        continue;
      }
      const { unsent } = await activities.appendCaseEvents.executeWithOptions({ ...ACTIVITY_OPTIONS, summary }, [events, mails.flatMap((m) => m.inputs)]);
      // SMTP down or slow: those mails retry in their own activity, and the next write need not wait for them.
      if (unsent.length > 0) {
        this.resending.push(activities.notifyAll.executeWithOptions({ ...MAIL_OPTIONS, summary: `mail again: ${unsent.map((m) => m.template).join(', ')}` }, [unsent]));
      }
    }
    this.writer = undefined;
  }

  /**
   * Sends a step's mails with the next audit write (after the events queued with them). The caller
   * need not wait for the mail; the case does before it completes.
   */
  async mail(summary: string, inputs: NotifyInput[]): Promise<void> {
    this.mails.push({ summary, inputs });
    this.writer ??= this.write();
  }

  /** Every event recorded so far is in Postgres (and every mail handed to SMTP or to its own activity). */
  async written(): Promise<void> {
    while (this.writer) await this.writer;
  }

  /** Before the workflow completes: no handler still running, every event written and every mail sent. */
  async finished(): Promise<void> {
    do {
      await condition(allHandlersFinished);
      await this.written();
      await this.showing;
      while (this.resending.length > 0) await Promise.all(this.resending.splice(0));
    } while (!allHandlersFinished());
  }

  /** The read-model fields every event keeps current. */
  private readModelPatch(): CasePatch {
    return {
      status: this.state.status,
      severity: this.state.severity,
      assigneeId: this.state.assigneeId ?? null,
      dueAt: this.nextDue()?.dueAt ?? null,
      slaState: this.state.slaState,
      escalated: this.state.escalated,
      closedAt: this.state.closedAt ?? null,
    };
  }

  /**
   * Waits until `done()` or the deadline. Past `warningFraction` of the time the case shows
   * SlaState=warning; at the deadline it is breached and the caller takes the timed-out branch.
   * Returns true when met in time.
   */
  async deadline(spec: DeadlineSpec, done: () => boolean): Promise<boolean> {
    return (await this.watch(spec, done)) === 'met';
  }

  /**
   * Like {@link deadline}, but the deadline may be superseded before it falls due (a new promised
   * time, a rescheduled appointment): then it is recorded as cancelled, neither met nor missed.
   */
  async watch(spec: DeadlineSpec, done: () => boolean, superseded: () => boolean = () => false): Promise<'met' | 'missed' | 'superseded'> {
    const dueAt = spec.dueAt.toISOString();
    // A promise moved by an action is already on the list (see supersede): watch that entry.
    const moved = this.state.deadlines.find((d) => d.name === spec.name && d.state === 'pending' && d.dueAt === dueAt && d.rule === spec.rule);
    const entry: DeadlineView = moved ?? { name: spec.name, rule: spec.rule, dueAt, state: 'pending', warned: false };
    this.state.deadlines = [...this.state.deadlines.filter((d) => d === entry || !(d.name === spec.name && d.state === 'pending')), ...(moved ? [] : [entry])];
    this.refresh();
    // The read model's due_at (lists, `overdue`, P2) follows the next deadline as soon as it is set.
    if (this.nextDue() === entry) await this.record('deadline-set', { deadline: entry.name, rule: entry.rule, dueAt: entry.dueAt });
    const settled = () => done() || superseded();
    const finish = async (): Promise<'met' | 'missed' | 'superseded'> => {
      const outcome = done() ? 'met' : superseded() ? 'superseded' : 'missed';
      entry.state = outcome === 'superseded' ? 'cancelled' : outcome;
      this.recomputeSla();
      this.refresh();
      if (outcome !== 'superseded') await this.recordOutcome(entry);
      return outcome;
    };
    const total = spec.dueAt.getTime() - Date.now();
    if (total <= 0) return finish();
    const warnIn = Math.max(1, Math.floor(total * this.policy.warningFraction));
    if (await condition(settled, warnIn, { summary: `${spec.summary} — warning at ${Math.round(this.policy.warningFraction * 100)}%` })) {
      return finish();
    }
    entry.warned = true;
    this.recomputeSla();
    this.refresh();
    await this.warnOwner(spec, entry);
    const remaining = spec.dueAt.getTime() - Date.now();
    if (remaining > 0) await condition(settled, remaining, { summary: spec.summary });
    return finish();
  }

  /** Who answers for the case now: the assignee, else the owning roles (the area's butler by default). */
  private owner(): { staffIds?: string[]; roles?: Role[] } {
    return this.state.assigneeId ? { staffIds: [this.state.assigneeId] } : { roles: this.state.owners?.length ? this.state.owners : ['butler'] };
  }

  /**
   * A system event that the read model and the reports need but the "last action" in the UI does
   * not: it is written to Postgres (keeping the row's SLA state current) and not to `recent`.
   */
  private async record(action: string, payload: Record<string, unknown>): Promise<void> {
    const seq = ++this.state.seq;
    await this.append(`${action} ${payload.deadline as string}`, {
      caseId: this.state.caseId,
      seq,
      idempotencyKey: `${this.workflowId}:${seq}`,
      action,
      actor: { staffId: 'system', role: 'system' },
      at: new Date().toISOString(),
      payload,
      patch: this.readModelPatch(),
    });
  }

  /** P3: each deadline's outcome with the staff member who held the case, so appraisal can count it. */
  private async recordOutcome(entry: DeadlineView): Promise<void> {
    await this.record(entry.state === 'met' ? 'deadline-met' : 'deadline-missed', {
      deadline: entry.name,
      rule: entry.rule,
      dueAt: entry.dueAt,
      ownerId: this.state.assigneeId ?? null,
    });
  }

  /** The warning before a breach: SlaState=warning and the owner hears it once per deadline. */
  private async warnOwner(spec: DeadlineSpec, entry: DeadlineView): Promise<void> {
    await this.record('sla-warning', { deadline: entry.name, rule: entry.rule, dueAt: entry.dueAt, ownerId: this.state.assigneeId ?? null });
    await this.mail(`warn the owner: ${spec.summary}`, [
      {
        idempotencyKey: `${this.workflowId}:warning:${entry.name}:${entry.dueAt}`,
        workflowId: this.workflowId,
        caseId: this.state.caseId,
        propertyId: this.state.propertyId,
        areaId: this.state.areaId,
        ...this.owner(),
        template: 'slaWarning',
        data: { caseId: this.state.caseId, room: this.state.confidential ? undefined : this.state.room, deadline: entry.name, rule: entry.rule, dueAt: entry.dueAt },
      },
    ]);
  }

  /**
   * An action moved or withdrew a promise (R3/R4 new time, R6 not home, a new appointment): the
   * pending entry is cancelled and the new time, if any, listed at once, so the action's answer shows
   * them (the answer does not wait for the audit write, and the watch that follows adopts the entry).
   */
  supersede(name: string, next?: { rule: string; dueAt: Date }): void {
    this.cancelPending(name);
    if (next) this.state.deadlines = [...this.state.deadlines, { name, rule: next.rule, dueAt: next.dueAt.toISOString(), state: 'pending', warned: false }];
    this.recomputeSla();
  }

  /** A deadline that no longer applies (e.g. the case was closed as invalid). */
  cancelDeadline(name: string): void {
    this.cancelPending(name);
    this.recomputeSla();
    this.refresh();
  }

  private cancelPending(name: string): void {
    for (const d of this.state.deadlines) if (d.name === name && d.state === 'pending') d.state = 'cancelled';
  }

  /**
   * The timed-out branch: raise the case to `roles`, notify them once (the key names this
   * threshold), flag it escalated and write the audit event.
   */
  async escalate(input: { deadline: string; rule: string; roles: Role[]; reason: string; dueAt: string; step: string; template?: TemplateName }): Promise<void> {
    this.state.escalated = true;
    await this.audit('escalated', { staffId: 'system', role: 'system' }, {
      // P3: whose case it was when the deadline was missed (an activity's input, not a command: replay-safe).
      ownerId: this.state.assigneeId ?? null,
      deadline: input.deadline,
      rule: input.rule,
      to: input.roles,
      reason: input.reason,
      // Which threshold this is (its mail's key names the same): a re-dispatched work order's missed
      // acceptance is `accept:1.2`, not a second `accept:1.1`.
      step: input.step,
    });
    await this.mail(`escalate ${input.deadline} to ${input.roles.join('+')}`, [
      {
        idempotencyKey: `${this.workflowId}:escalate:${input.step}`,
        caseId: this.state.caseId,
        propertyId: this.state.propertyId,
        areaId: this.state.areaId,
        roles: input.roles,
        template: input.template ?? 'escalation',
        data: { caseId: this.state.caseId, room: this.state.confidential ? undefined : this.state.room, deadline: input.deadline, rule: input.rule, dueAt: input.dueAt, reason: input.reason },
      },
    ]);
  }

  /** A breach stays on the record; a warning clears once its deadline is met. */
  private recomputeSla(): void {
    const worst = this.state.deadlines.reduce<SlaState>((acc, d) => {
      const level: SlaState = d.state === 'missed' ? 'breached' : d.state === 'pending' && d.warned ? 'warning' : 'ok';
      return SLA_RANK[level] > SLA_RANK[acc] ? level : acc;
    }, 'ok');
    this.state.slaState = worst;
  }

  /** What `caseView` shows of every case; a workflow adds its allowed actions and its own fields. */
  view(allowedActions: string[]): CaseView {
    const s = this.state;
    return {
      caseId: s.caseId,
      workflowId: workflowInfo().workflowId,
      kind: s.kind as CaseKind,
      status: s.status,
      severity: s.severity,
      areaId: s.areaId,
      room: s.room,
      assigneeId: s.assigneeId,
      slaState: s.slaState,
      escalated: s.escalated,
      deadlines: s.deadlines,
      allowedActions,
      recent: s.recent,
      receivedAt: s.receivedAt,
      closedAt: s.closedAt,
      ...(s.notes?.length ? { notes: s.notes } : {}),
    };
  }

  nextDue(): DeadlineView | undefined {
    return this.state.deadlines
      .filter((d) => d.state === 'pending')
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  }

  /**
   * After every transition: the search attributes and the markdown current details. They are
   * shown once the workflow task has run as far as it can, so a step of several transitions (a
   * dispatch and the deadline it sets) upserts once, and not at all when nothing a supervisor
   * filters on changed.
   */
  refresh(): void {
    this.refreshes++;
    this.showing ??= this.showWhenSettled();
  }

  /**
   * Upserts once no transition happened for a whole pass of the activation. A continuation that
   * the same pass unblocked runs after this one (a deadline cancelled by the action that closed the
   * case), so one pass seen quiet is not enough: the second wait sees what it did.
   */
  private async showWhenSettled(): Promise<void> {
    for (let seen = -1; seen !== this.refreshes; ) {
      seen = this.refreshes;
      await untilSettled();
      await untilSettled();
    }
    this.showing = undefined;
    this.show();
  }

  private show(): void {
    const next = this.nextDue();
    const values = [
      { key: CaseType, value: this.state.kind },
      { key: AreaId, value: this.state.areaId },
      { key: CaseStatus, value: this.state.status },
      { key: Severity, value: this.state.severity },
      { key: AssigneeId, value: this.state.assigneeId ?? null },
      { key: SlaStateKey, value: this.state.slaState },
      { key: Escalated, value: this.state.escalated },
      { key: DueAt, value: next ? new Date(next.dueAt) : null },
    ];
    const key = JSON.stringify(values.map((v) => v.value));
    if (key !== this.shown) upsertSearchAttributes(values);
    this.shown = key;
    setCurrentDetails(this.details());
  }

  private details(): string {
    const s = this.state;
    const tz = this.policy.timeZone;
    const when = (iso: string) => displayTime(iso, tz, 'short');
    const pending = s.deadlines.filter((d) => d.state === 'pending');
    const missed = s.deadlines.filter((d) => d.state === 'missed');
    const last = s.recent[s.recent.length - 1];
    return [
      `### ${s.caseId} · ${s.kind}${s.confidential ? ' (confidential)' : ''} · ${s.severity}`,
      `**Status:** ${s.status}${s.room && !s.confidential ? ` · room ${s.room}` : ''} · area ${s.areaId}`,
      `**Assignee:** ${s.assigneeId ?? '—'} · **SLA:** ${s.slaState}${s.escalated ? ' · **escalated**' : ''}`,
      '',
      pending.length ? '**Due next**' : '**Nothing due**',
      ...pending.map((d) => `- ${d.name} (${d.rule}) by ${when(d.dueAt)}${d.warned ? ' ⚠️' : ''}`),
      ...(missed.length ? ['', '**Missed**', ...missed.map((d) => `- ${d.name} (${d.rule}), was due ${when(d.dueAt)}`)] : []),
      ...(s.notes?.length ? ['', ...s.notes.map((note) => `ℹ️ ${note}`)] : []),
      '',
      last ? `**Last action:** ${last.action} by ${last.actorId} (${last.actorRole}) at ${when(last.at)}` : '',
    ].join('\n');
  }
}

export interface ActionHandlers<T extends ActionTable> {
  /** The actions the case takes in its current state. */
  allowed(): (keyof T & string)[];
  /** Case-specific checks beyond role, state and payload (e.g. only the assignee); throw ApplicationFailure. */
  check?(name: keyof T & string, call: ActionCall): void;
  /** Applies an accepted action and answers with the case as it now is. */
  apply(name: keyof T & string, call: ActionCall): Promise<CaseView>;
  describe(name: keyof T & string): string;
}

/**
 * Registers every action of a table as an update (whose validator rejects what the state forbids,
 * so the caller hears why at once) and as a signal (the same checks; a refused signal is logged).
 */
export function registerActions<T extends ActionTable>(table: T, messages: CaseMessages<T>, handlers: ActionHandlers<T>): void {
  const validate = (name: keyof T & string, call: ActionCall): void => {
    const spec = table[name];
    if (!spec.roles.includes(call.actor.role as never)) {
      throw ApplicationFailure.create({ type: 'Forbidden', message: `${name} is for ${spec.roles.join(', ')}, not ${call.actor.role}` });
    }
    const allowed = handlers.allowed();
    if (!allowed.includes(name)) {
      throw ApplicationFailure.create({
        type: 'ActionNotAllowed',
        message: `${name} is not allowed while the ${handlers.describe(name)}; allowed now: ${allowed.join(', ') || 'nothing'}`,
      });
    }
    handlers.check?.(name, call);
    const parsed = spec.payload().safeParse(call.payload);
    if (!parsed.success) {
      throw ApplicationFailure.create({ type: 'InvalidPayload', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
  };
  for (const name of Object.keys(table) as (keyof T & string)[]) {
    setHandler(messages.updates[name] as UpdateDefinition<CaseView, [ActionCall]>, (call: ActionCall) => handlers.apply(name, call), {
      validator: (call: ActionCall) => validate(name, call),
      description: table[name].summary,
    });
    setHandler(messages.signals[name] as SignalDefinition<[ActionCall]>, async (call: ActionCall) => {
      try {
        validate(name, call);
      } catch (error) {
        log.warn('ignored staff action sent as a signal', { action: name, reason: (error as Error).message });
        return;
      }
      await handlers.apply(name, call);
    });
  }
}

/**
 * A promise whose time can be moved (R3/R4 new promised time, R6 new appointment): it escalates
 * once per promised time that is missed, and keeps watching until the work is done.
 */
export class MovableDeadline {
  private dueAt?: Date;
  private revision = 0;

  constructor(
    private readonly tracker: CaseTracker,
    private spec: { name: string; rule: string; summary: string },
  ) {}

  get rule(): string {
    return this.spec.rule;
  }

  /** A new promised time; `rule` when the promise now rests on another rule (e.g. an R6 appointment). */
  moveTo(dueAt: Date, rule?: string): void {
    const running = this.dueAt !== undefined || this.revision > 0;
    this.dueAt = dueAt;
    if (rule) this.spec = { ...this.spec, rule, summary: this.spec.summary.replace(this.spec.rule, rule) };
    this.revision++;
    if (running) this.tracker.supersede(this.spec.name, { rule: this.spec.rule, dueAt });
  }

  /** No time is promised until the next {@link moveTo} (e.g. waiting for a new appointment). */
  clear(): void {
    this.dueAt = undefined;
    this.revision++;
    this.tracker.supersede(this.spec.name);
  }

  /** Runs until `done()`; `onMissed` is called once for each promised time that passes unmet. */
  async run(done: () => boolean, onMissed: (dueAt: string, revision: number) => Promise<void>): Promise<void> {
    for (;;) {
      if (!this.dueAt) await condition(() => done() || this.dueAt !== undefined);
      if (done()) return;
      const revision = this.revision;
      const moved = () => this.revision !== revision;
      const outcome = await this.tracker.watch({ ...this.spec, dueAt: this.dueAt! }, done, moved);
      if (outcome === 'met') return;
      if (outcome === 'missed') {
        await onMissed(this.dueAt!.toISOString(), revision);
        await condition(() => done() || moved());
        if (done()) return;
      }
    }
  }
}
