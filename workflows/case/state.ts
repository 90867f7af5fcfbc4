/** What every case workflow keeps in its state, and how a case starts. */
import { workflowInfo } from '@temporalio/workflow';
import type { CaseEventInput } from '../../activities/cases';
import type { Actor, Role } from '../../domain/people';
import type { CaseBasics } from '../messages';

export interface CoreState extends CaseBasics {
  propertyId: string;
  kind: string;
  /** Number of audit events written; the next event's idempotency key. */
  seq: number;
  /** An employee complaint or report: no room in the UI details or escalation mails (docs/rules.md, C2). */
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
