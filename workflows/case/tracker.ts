/**
 * A case's bookkeeping in one object for the workflow: the audit trail (./audit-writer), the SLA
 * clocks and escalations (./deadlines) and what a supervisor sees (./presentation), over one state.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { CasePatch } from '../../activities/cases';
import type { NotifyInput } from '../../activities/notify';
import type { Actor } from '../../domain/people';
import type { ServicePolicy } from '../../domain/policy';
import type { CaseView, DeadlineView } from '../messages';
import { AuditWriter } from './audit-writer';
import { Deadlines, MovableDeadline, type DeadlineSpec, type Escalation } from './deadlines';
import { Presentation } from './presentation';
import type { CoreState } from './state';

export class CaseTracker {
  private readonly presentation: Presentation;
  private readonly log: AuditWriter;
  private readonly clocks: Deadlines;

  constructor(
    readonly state: CoreState,
    policy: ServicePolicy,
  ) {
    this.presentation = new Presentation(state, policy);
    this.log = new AuditWriter(state, () => this.presentation.readModel(), () => this.presentation.refresh());
    this.clocks = new Deadlines(state, policy, this.log, this.presentation);
  }

  /** An accepted transition: in the case's recent history at once, in Postgres behind the workflow. */
  audit(action: string, actor: Actor, payload?: Record<string, unknown>, patch?: CasePatch): Promise<void> {
    return this.log.audit(action, actor, payload, patch);
  }

  /** A step's mails, sent with the next audit write. */
  mail(summary: string, inputs: NotifyInput[]): Promise<void> {
    return this.log.mail(summary, inputs);
  }

  deadline(spec: DeadlineSpec, done: () => boolean): Promise<boolean> {
    return this.clocks.deadline(spec, done);
  }

  watch(spec: DeadlineSpec, done: () => boolean, superseded?: () => boolean): Promise<'met' | 'missed' | 'superseded'> {
    return this.clocks.watch(spec, done, superseded);
  }

  /** A promise whose time actions can move (R3/R4 new promised time, R6 new appointment). */
  movable(spec: { name: string; rule: string; summary: string }): MovableDeadline {
    return new MovableDeadline(this.clocks, spec);
  }

  supersede(name: string, next?: { rule: string; dueAt: Date }): void {
    this.clocks.supersede(name, next);
  }

  cancelDeadline(name: string): void {
    this.clocks.cancel(name);
  }

  escalate(input: Escalation): Promise<void> {
    return this.clocks.escalate(input);
  }

  refresh(): void {
    this.presentation.refresh();
  }

  view(allowedActions: string[]): CaseView {
    return this.presentation.view(allowedActions);
  }

  nextDue(): DeadlineView | undefined {
    return this.presentation.nextDue();
  }

  /** Every event recorded so far is in Postgres. */
  written(): Promise<void> {
    return this.log.written();
  }

  /** Before the workflow completes: no handler still running, every event written, shown and every mail sent. */
  async finished(): Promise<void> {
    do {
      await condition(allHandlersFinished);
      await this.log.written();
      await this.presentation.shownAll();
      await this.log.resent();
    } while (!allHandlersFinished());
  }
}
