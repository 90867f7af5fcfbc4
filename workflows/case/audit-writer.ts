/**
 * A case's audit trail in Postgres, written behind the workflow: each event joins a queue, and one
 * writer activity at a time carries everything queued since its previous write, in order (Postgres
 * applies the newest patch to the read model). The caller does not wait for Postgres, so a staff
 * action is answered in the workflow task that accepted it — the event is as durable as that
 * answer, since replaying the history queues it again — and a step that records several events (a
 * deadline met and the next one set) costs one activity. A step's mails ride with the same write.
 *
 * A local activity instead (tried) made the replay of a workflow whose update handler audited fail
 * with "[TMPRL1100] Nondeterminism error: Update machine does not handle this event:
 * UpsertWorkflowSearchAttributes" (found by the fuzz run on a query that replayed a request case).
 */
import { condition, workflowInfo } from '@temporalio/workflow';
import type { CaseEventInput, CasePatch } from '../../activities/cases';
import type { NotifyInput } from '../../activities/notify';
import type { Actor } from '../../domain/people';
import { ACTIVITY_OPTIONS, activities, DEADLINE_PRIORITY, MAIL_OPTIONS } from './proxies';
import { untilSettled } from './settled';
import type { CoreState } from './state';

const RECENT_AUDIT_ENTRIES = 10;

export class AuditWriter {
  private readonly queue: { summary: string; input: CaseEventInput }[] = [];
  /** Mails that go out with the next audit write. */
  private readonly mails: { summary: string; inputs: NotifyInput[] }[] = [];
  /** Mails the audit writer handed back unsent, on their way in a notification activity of their own. */
  private readonly resending: Promise<unknown>[] = [];
  private writer?: Promise<void>;
  /**
   * The case row exists (its opening activity finished): an event needs it. A case takes the actions
   * of its first state from the moment it is started — the API answers 201 before the row is written —
   * and their events wait here for it.
   */
  private rowWritten = false;
  /** What is queued for the next write includes a deadline's work (see {@link expedite}). */
  private expedited = false;

  constructor(
    private readonly state: CoreState,
    /** The read-model fields every event keeps current. */
    private readonly readModel: () => CasePatch,
    /** Told of every action that shows in the case's recent history. */
    private readonly changed: () => void,
  ) {}

  /**
   * Records an accepted transition: in the workflow's recent history at once (so the caller's
   * answer shows it) and in the Postgres audit log and read model, at most once per event.
   */
  async audit(action: string, actor: Actor, payload?: Record<string, unknown>, patch?: CasePatch): Promise<void> {
    const seq = ++this.state.seq;
    const at = new Date().toISOString();
    this.state.recent = [...this.state.recent, { seq, action, actorId: actor.staffId, actorRole: actor.role, at, payload }].slice(-RECENT_AUDIT_ENTRIES);
    this.changed();
    // The summary names the step in the UI's event list; staff ids only, never residents' data.
    await this.append(`audit: ${action} by ${actor.staffId}`, this.event(seq, action, actor, at, payload, { ...this.readModel(), ...patch }));
  }

  /**
   * A system event that the read model and the reports need but the "last action" in the UI does
   * not (a deadline set, met or missed; a warning): written to Postgres, not to `recent`.
   */
  async record(action: string, payload: Record<string, unknown>): Promise<void> {
    const seq = ++this.state.seq;
    await this.append(`${action} ${payload.deadline as string}`, this.event(seq, action, { staffId: 'system', role: 'system' }, new Date().toISOString(), payload, this.readModel()));
  }

  /**
   * Sends a step's mails with the next audit write (after the events queued with them). The caller
   * need not wait for the mail; the case does before it completes.
   */
  async mail(summary: string, inputs: NotifyInput[]): Promise<void> {
    this.mails.push({ summary, inputs });
    this.writer ??= this.write();
  }

  /**
   * What is queued until the next write is the work of a deadline that fell due: that write (and a
   * mail it hands back unsent) goes at {@link DEADLINE_PRIORITY}, ahead of routine work on a busy
   * task queue.
   */
  expedite(): void {
    this.expedited = true;
  }

  /** The case row is written: queued events may follow it. */
  opened(): void {
    this.rowWritten = true;
  }

  /** Every event recorded so far is in Postgres (and every mail handed to SMTP or to its own activity). */
  async written(): Promise<void> {
    while (this.writer) await this.writer;
  }

  /** Every mail handed back unsent has gone out. */
  async resent(): Promise<void> {
    while (this.resending.length > 0) await Promise.all(this.resending.splice(0));
  }

  private event(seq: number, action: string, actor: Actor, at: string, payload: Record<string, unknown> | undefined, patch: CasePatch): CaseEventInput {
    return { caseId: this.state.caseId, seq, idempotencyKey: `${workflowInfo().workflowId}:${seq}`, action, actor, at, payload, patch };
  }

  private async append(summary: string, input: CaseEventInput): Promise<void> {
    this.queue.push({ summary, input });
    this.writer ??= this.write();
  }

  private async write(): Promise<void> {
    if (!this.rowWritten) await condition(() => this.rowWritten);
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
      const priority = this.expedited ? { priority: DEADLINE_PRIORITY } : {};
      this.expedited = false;
      const summary = [...batch, ...mails].map((e) => e.summary).join('; ');
      const events = batch.map((e) => e.input);
      // Even a write with no staff mail may carry the household's (the activity adds a resident's
      // progress mail to the steps they hear of), so what comes back unsent is always looked at.
      const { unsent } = await activities.appendCaseEvents.executeWithOptions({ ...ACTIVITY_OPTIONS, ...priority, summary }, mails.length === 0 ? [events] : [events, mails.flatMap((m) => m.inputs)]);
      // SMTP down or slow: those mails retry in their own activity, and the next write need not wait for them.
      if (unsent.length > 0) {
        this.resending.push(
          activities.notifyAll.executeWithOptions({ ...MAIL_OPTIONS, ...priority, summary: `mail again: ${unsent.map((m) => m.template).join(', ')}` }, [unsent]),
        );
      }
    }
    this.writer = undefined;
  }
}
