/**
 * What a supervisor sees of a case: the search attributes the Temporal UI filters on, the markdown
 * current details, the `caseView` query and the read model's copy of the same fields. Only case
 * numbers, room numbers, codes and staff ids appear there — never residents' names or phones.
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CasePatch } from '../../activities/cases';
import { displayTime } from '../../domain/calendar';
import type { ServicePolicy } from '../../domain/policy';
import type { CaseKind, CaseView, DeadlineView } from '../messages';
import { AreaId, AssigneeId, CaseStatus, CaseType, DueAt, Escalated, Severity, SlaState } from '../search-attributes';
import { untilSettled } from './settled';
import type { CoreState } from './state';

export class Presentation {
  /** The end-of-task upsert, while one is due. */
  private showing?: Promise<void>;
  /** The search attribute values last upserted, to skip an upsert that changes nothing. */
  private shown?: string;
  private refreshes = 0;

  constructor(
    private readonly state: CoreState,
    private readonly policy: ServicePolicy,
  ) {}

  /** The case's next pending deadline. */
  nextDue(): DeadlineView | undefined {
    return this.state.deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  }

  /** The read-model fields every event keeps current. */
  readModel(): CasePatch {
    const s = this.state;
    return {
      status: s.status,
      severity: s.severity,
      assigneeId: s.assigneeId ?? null,
      dueAt: this.nextDue()?.dueAt ?? null,
      slaState: s.slaState,
      escalated: s.escalated,
      closedAt: s.closedAt ?? null,
    };
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

  /** The last refresh is shown. */
  async shownAll(): Promise<void> {
    await this.showing;
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
      { key: SlaState, value: this.state.slaState },
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
    const when = (iso: string) => displayTime(iso, this.policy.timeZone, 'short');
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
