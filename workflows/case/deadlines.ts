/**
 * A case's SLA clocks: each deadline with its warning, its outcome on the record (P3 counts them),
 * and the escalation when it is missed (docs/rules.md). Durations come from the policy snapshot the
 * case started with; the workflow says which clocks run and what a miss means.
 */
import { condition, workflowInfo } from '@temporalio/workflow';
import type { TemplateName } from '../../activities/templates';
import type { Role } from '../../domain/people';
import type { ServicePolicy } from '../../domain/policy';
import type { DeadlineView, SlaState } from '../messages';
import type { AuditWriter } from './audit-writer';
import type { Presentation } from './presentation';
import type { CoreState } from './state';

export interface DeadlineSpec {
  name: string;
  rule: string;
  dueAt: Date;
  /** Shown on the timer in the UI, e.g. "R3 arrival due". */
  summary: string;
}

export interface Escalation {
  deadline: string;
  rule: string;
  roles: Role[];
  /** For the audit log; the mail says it from the catalogue by rule and deadline (domain/words.ts). */
  reason: string;
  /** The facts the mail's sentence names (`{staffId}`, `{minutes}`, `{revision}`, `{parentCaseId}`). */
  params?: Record<string, string | number>;
  dueAt: string;
  /** Which threshold this is; its mail's key names the same (a re-dispatched order's missed acceptance is `accept:1.2`). */
  step: string;
  template?: TemplateName;
}

const SLA_RANK: Record<SlaState, number> = { ok: 0, warning: 1, breached: 2 };

export class Deadlines {
  constructor(
    private readonly state: CoreState,
    private readonly policy: ServicePolicy,
    private readonly log: AuditWriter,
    private readonly presentation: Presentation,
  ) {}

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
    this.presentation.refresh();
    // The read model's due_at (lists, `overdue`, P2) follows the next deadline as soon as it is set.
    if (this.presentation.nextDue() === entry) await this.log.record('deadline-set', { deadline: entry.name, rule: entry.rule, dueAt: entry.dueAt });
    const settled = () => done() || superseded();
    const finish = async (): Promise<'met' | 'missed' | 'superseded'> => {
      const outcome = done() ? 'met' : superseded() ? 'superseded' : 'missed';
      entry.state = outcome === 'superseded' ? 'cancelled' : outcome;
      this.recomputeSla();
      this.presentation.refresh();
      if (outcome === 'missed') this.log.expedite();
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
    this.presentation.refresh();
    await this.warnOwner(spec, entry);
    const remaining = spec.dueAt.getTime() - Date.now();
    if (remaining > 0) await condition(settled, remaining, { summary: spec.summary });
    return finish();
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
  cancel(name: string): void {
    this.cancelPending(name);
    this.recomputeSla();
    this.presentation.refresh();
  }

  /**
   * The timed-out branch: raise the case to `roles`, notify them once (the key names this
   * threshold), flag it escalated and write the audit event.
   */
  async escalate(input: Escalation): Promise<void> {
    this.state.escalated = true;
    this.log.expedite();
    await this.log.audit('escalated', { staffId: 'system', role: 'system' }, {
      // P3: whose case it was when the deadline was missed (an activity's input, not a command: replay-safe).
      ownerId: this.state.assigneeId ?? null,
      deadline: input.deadline,
      rule: input.rule,
      to: input.roles,
      reason: input.reason,
      step: input.step,
    });
    await this.log.mail(`escalate ${input.deadline} to ${input.roles.join('+')}`, [
      {
        idempotencyKey: `${workflowInfo().workflowId}:escalate:${input.step}`,
        caseId: this.state.caseId,
        propertyId: this.state.propertyId,
        areaId: this.state.areaId,
        roles: input.roles,
        template: input.template ?? 'escalation',
        data: { caseId: this.state.caseId, room: this.state.confidential ? undefined : this.state.room, deadline: input.deadline, rule: input.rule, dueAt: input.dueAt, params: input.params },
      },
    ]);
  }

  /** Who answers for the case now: the assignee, else the owning roles (the area's butler by default). */
  private owner(): { staffIds?: string[]; roles?: Role[] } {
    return this.state.assigneeId ? { staffIds: [this.state.assigneeId] } : { roles: this.state.owners?.length ? this.state.owners : ['butler'] };
  }

  /** P3: each deadline's outcome with the staff member who held the case, so appraisal can count it. */
  private async recordOutcome(entry: DeadlineView): Promise<void> {
    await this.log.record(entry.state === 'met' ? 'deadline-met' : 'deadline-missed', {
      deadline: entry.name,
      rule: entry.rule,
      dueAt: entry.dueAt,
      ownerId: this.state.assigneeId ?? null,
    });
  }

  /** The warning before a breach: SlaState=warning and the owner hears it once per deadline. */
  private async warnOwner(spec: DeadlineSpec, entry: DeadlineView): Promise<void> {
    const workflowId = workflowInfo().workflowId;
    this.log.expedite();
    await this.log.record('sla-warning', { deadline: entry.name, rule: entry.rule, dueAt: entry.dueAt, ownerId: this.state.assigneeId ?? null });
    await this.log.mail(`warn the owner: ${spec.summary}`, [
      {
        idempotencyKey: `${workflowId}:warning:${entry.name}:${entry.dueAt}`,
        workflowId,
        caseId: this.state.caseId,
        propertyId: this.state.propertyId,
        areaId: this.state.areaId,
        ...this.owner(),
        template: 'slaWarning',
        data: { caseId: this.state.caseId, room: this.state.confidential ? undefined : this.state.room, deadline: entry.name, rule: entry.rule, dueAt: entry.dueAt },
      },
    ]);
  }

  private cancelPending(name: string): void {
    for (const d of this.state.deadlines) if (d.name === name && d.state === 'pending') d.state = 'cancelled';
  }

  /** A breach stays on the record; a warning clears once its deadline is met. */
  private recomputeSla(): void {
    this.state.slaState = this.state.deadlines.reduce<SlaState>((acc, d) => {
      const level: SlaState = d.state === 'missed' ? 'breached' : d.state === 'pending' && d.warned ? 'warning' : 'ok';
      return SLA_RANK[level] > SLA_RANK[acc] ? level : acc;
    }, 'ok');
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
    private readonly deadlines: Pick<Deadlines, 'watch' | 'supersede'>,
    private spec: { name: string; rule: string; summary: string },
  ) {}

  get rule(): string {
    return this.spec.rule;
  }

  get name(): string {
    return this.spec.name;
  }

  /** A time is promised now (not cleared while waiting for a new appointment). */
  get pending(): boolean {
    return this.dueAt !== undefined;
  }

  /** A new promised time; `rule` when the promise now rests on another rule (e.g. an R6 appointment). */
  moveTo(dueAt: Date, rule?: string): void {
    const running = this.dueAt !== undefined || this.revision > 0;
    this.dueAt = dueAt;
    if (rule) this.spec = { ...this.spec, rule, summary: this.spec.summary.replace(this.spec.rule, rule) };
    this.revision++;
    if (running) this.deadlines.supersede(this.spec.name, { rule: this.spec.rule, dueAt });
  }

  /** No time is promised until the next {@link moveTo} (e.g. waiting for a new appointment). */
  clear(): void {
    this.dueAt = undefined;
    this.revision++;
    this.deadlines.supersede(this.spec.name);
  }

  /** Runs until `done()`; `onMissed` is called once for each promised time that passes unmet. */
  async run(done: () => boolean, onMissed: (dueAt: string, revision: number) => Promise<void>): Promise<void> {
    for (;;) {
      if (!this.dueAt) await condition(() => done() || this.dueAt !== undefined);
      if (done()) return;
      const revision = this.revision;
      const moved = () => this.revision !== revision;
      const outcome = await this.deadlines.watch({ ...this.spec, dueAt: this.dueAt! }, done, moved);
      if (outcome === 'met') return;
      if (outcome === 'missed') {
        await onMissed(this.dueAt!.toISOString(), revision);
        await condition(() => done() || moved());
        if (done()) return;
      }
    }
  }
}
