import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FinanceEntry } from '../db/entities';
import { parsePolicy, type ServicePolicy } from '../domain/policy';
import type { Actor } from '../domain/people';
import type { ActivityDeps } from './deps';
import { createNotifyActivities, type NotifyInput } from './notify';

/**
 * How long the audit writer spends on the mails it carries before it hands the rest to a
 * notification activity of their own (which retries with backoff): an SMTP server that is down or
 * slow must not hold up the case's next audit write.
 */
export const MAILS_WITH_AUDIT_BUDGET_MS = 10_000;

export interface CaseRecord {
  caseId: string;
  workflowId: string;
  kind: string;
  propertyId: string;
  areaId: string;
  householdId?: string;
  room?: string;
  channel: string;
  severity?: string;
  category?: string;
  complaintKind?: string;
  status: string;
  description: string;
  contactName?: string;
  contactPhone?: string;
  receivedAt: string;
  receivedBy: string;
  links?: { caseId: string; relation: string }[];
}

/** The fields of the read model a transition may change. */
export interface CasePatch {
  status?: string;
  assigneeId?: string | null;
  severity?: string;
  category?: string | null;
  issueKey?: string | null;
  dueAt?: string | null;
  slaState?: 'ok' | 'warning' | 'breached';
  escalated?: boolean;
  closedAt?: string | null;
  links?: { caseId: string; relation: string }[];
  unfinishedReason?: string | null;
  unfinishedReasonAt?: string | null;
  outcome?: string | null;
}

export interface CaseEventInput {
  caseId: string;
  /** The workflow's event counter; a patch older than what the row already shows is not applied. */
  seq: number;
  /** workflowId + step: the same step written twice is one row. */
  idempotencyKey: string;
  action: string;
  actor: Actor;
  at: string;
  payload?: Record<string, unknown>;
  patch?: CasePatch;
}

export function createCaseActivities(deps: ActivityDeps) {
  const { orm } = deps;
  const { notify } = createNotifyActivities(deps);
  const activities = {
    /** The property's service policy, with defaults filled in: the snapshot a case keeps for its whole life. */
    async loadPolicy(propertyId: string): Promise<ServicePolicy> {
      const [property] = await orm.em
        .getConnection()
        .execute<{ time_zone: string; policy: Record<string, unknown> | null }[]>('select time_zone, policy from property where id = ?', [propertyId]);
      if (!property) {
        throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${propertyId}`, nonRetryable: true });
      }
      return parsePolicy({ timeZone: property.time_zone, ...(property.policy ?? {}) });
    },

    /** Writes the case row and its first audit event; a retry finds both already there. */
    async recordCase(record: CaseRecord, event: Omit<CaseEventInput, 'caseId' | 'seq'>): Promise<void> {
      // One statement, so one round trip and atomic: the row, then the event as every audit event is written.
      await orm.em.getKnex().raw(
        `with recorded as (
           insert into service_case (id, workflow_id, kind, property_id, area_id, household_id, room, channel, severity, category,
             complaint_kind, status, description, contact_name, contact_phone, received_at, received_by, links, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
           on conflict (id) do nothing)
         select append_case_events(?::jsonb)`,
        [
          record.caseId,
          record.workflowId,
          record.kind,
          record.propertyId,
          record.areaId,
          record.householdId ?? null,
          record.room ?? null,
          record.channel,
          record.severity ?? null,
          record.category ?? null,
          record.complaintKind ?? null,
          record.status,
          record.description,
          record.contactName ?? null,
          record.contactPhone ?? null,
          new Date(record.receivedAt),
          record.receivedBy,
          JSON.stringify(record.links ?? []),
          JSON.stringify([{ ...event, caseId: record.caseId, seq: 0 }]),
        ],
      );
    },

    /** Appends one audit event and applies its patch to the read model, atomically and at most once. */
    async appendCaseEvent(input: CaseEventInput): Promise<void> {
      await appendEvents(orm, [input]);
    },

    /**
     * Appends a case's audit events in order, in one transaction: what the workflow recorded while its
     * previous write was on its way (CaseTracker's write-behind). Each event at most once; the read
     * model takes the newest patch.
     *
     * Then the mails of the same steps (a warning, an escalation, a work order), each at most once as
     * `notify` sends it, so a step costs one activity and one workflow task, not two. The events are
     * committed first. A mail that fails, or is not out within {@link MAILS_WITH_AUDIT_BUDGET_MS},
     * and every mail after it, comes back as `unsent`: the workflow gives those to `notifyAll`,
     * which retries on its own. An SMTP outage thus delays the mails, never the read model.
     */
    async appendCaseEvents(inputs: CaseEventInput[], stepMails: NotifyInput[] = []): Promise<{ unsent: NotifyInput[] }> {
      await appendEvents(orm, inputs);
      const mails = [...stepMails, ...(await residentMails(orm, inputs))];
      if (mails.length === 0) return { unsent: [] };
      // One budget for all of them: whatever is not out when it runs out goes back.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not sent within ${MAILS_WITH_AUDIT_BUDGET_MS} ms`)), MAILS_WITH_AUDIT_BUDGET_MS);
      });
      try {
        for (const [i, mail] of mails.entries()) {
          const sending = notify(mail);
          sending.catch(() => undefined); // a send given up on may still fail later: its own activity retries it
          try {
            await Promise.race([sending, late]);
          } catch (error) {
            log.warn('mail handed to its own notification activity', { idempotencyKey: mail.idempotencyKey, template: mail.template, reason: (error as Error).message });
            return { unsent: mails.slice(i) };
          }
        }
        return { unsent: [] };
      } finally {
        clearTimeout(timer);
      }
    },

    /** R8: hands a paid service's fee to finance (交财务部入帐), once per key. */
    async recordFinanceEntry(input: {
      idempotencyKey: string;
      caseId: string;
      propertyId: string;
      amountCents: number;
      description: string;
      recordedBy: string;
    }): Promise<void> {
      await orm.em
        .fork()
        .createQueryBuilder(FinanceEntry)
        .insert({ ...input, recordedAt: new Date() })
        .onConflict('idempotencyKey')
        .ignore()
        .execute('run');
    },

    /**
     * R2: the engineer for a new work order — one covering the area, with the fewest open cases,
     * skipping those who already let this case lapse. Ties break on id so the choice is reproducible.
     */
    async chooseEngineer(input: { propertyId: string; areaId: string; exclude: string[] }): Promise<string> {
      // The property's active staff with the open cases each holds, in one query.
      const staff = await orm.em.getConnection().execute<{ id: string; roles: string[]; area_ids: string[]; open: number }[]>(
        `select s.id, s.roles, s.area_ids, count(c.id)::int as open
           from staff s left join service_case c on c.assignee_id = s.id and c.closed_at is null
          where s.property_id = ? and s.active
          group by s.id
          order by s.id`,
        [input.propertyId],
      );
      const candidates = staff.filter((s) => s.roles.includes('engineer'));
      const inArea = candidates.filter((s) => s.area_ids.length === 0 || s.area_ids.includes(input.areaId));
      const pool = inArea.filter((s) => !input.exclude.includes(s.id));
      const choices = pool.length > 0 ? pool : inArea.length > 0 ? inArea : candidates;
      if (choices.length === 0) {
        throw ApplicationFailure.create({ type: 'NoEngineer', message: `no engineer for area ${input.areaId}`, nonRetryable: true });
      }
      return [...choices].sort((a, b) => a.open - b.open || a.id.localeCompare(b.id))[0].id;
    },
  };
  return {
    ...activities,

    /**
     * A case's opening in one activity, so it costs one round trip through the server rather than
     * three: the case row and its first event (as `recordCase`), then the property's policy (as
     * `loadPolicy`) and, for a repair, the engineer of its first work order (as `chooseEngineer`,
     * counting the open cases with this one recorded). A retry records nothing twice and answers
     * the same policy; the engineer is chosen afresh, as a retried `chooseEngineer` would.
     */
    async openCase(
      record: CaseRecord,
      event: Omit<CaseEventInput, 'caseId' | 'seq'>,
      options: { chooseEngineer?: boolean } = {},
    ): Promise<{ policy: ServicePolicy; engineerId?: string }> {
      await activities.recordCase(record, event);
      const policy = await activities.loadPolicy(record.propertyId);
      const engineerId = options.chooseEngineer
        ? await activities.chooseEngineer({ propertyId: record.propertyId, areaId: record.areaId, exclude: [] })
        : undefined;
      return { policy, engineerId };
    },
  };
}

/**
 * A case's events and its read-model patch in one round trip: `append_case_events`
 * (db/migrations/Migration20261204230000_append-case-events.ts) inserts each event at most once (its
 * idempotency key) and gives the row, field by field, the newest patch of the events it inserted
 * that are newer than the one that last wrote it. This runs at every step of every case.
 */
async function appendEvents(orm: Orm, inputs: CaseEventInput[]): Promise<void> {
  if (inputs.length === 0) return;
  try {
    await orm.em.getKnex().raw('select append_case_events(?::jsonb)', [JSON.stringify(inputs)]);
  } catch (error) {
    if ((error as { code?: string }).code === NO_DATA_FOUND) {
      throw ApplicationFailure.create({ type: 'UnknownCase', message: `no case ${inputs[0].caseId}`, nonRetryable: true });
    }
    throw error;
  }
}

/** The steps of a repair its household hears of, each with a fresh personal link (docs/console.md). */
export const RESIDENT_STEPS = new Set(['dispatched', 'accept', 'arrive', 'reschedule', 'complete', 'signOff', 'closed']);

/**
 * The household's mail for each step it hears of, keyed by the step's own audit key, so a retried
 * write mails no one twice. Decided here, beside the events, rather than by each workflow: a
 * resident follows every step of the case the same way.
 */
async function residentMails(orm: Orm, inputs: CaseEventInput[]): Promise<NotifyInput[]> {
  const steps = inputs.filter((e) => RESIDENT_STEPS.has(e.action));
  if (steps.length === 0) return [];
  const [found] = await orm.em
    .getConnection()
    .execute<{ kind: string; property_id: string; household_id: string | null; room: string | null }[]>('select kind, property_id, household_id, room from service_case where id = ?', [steps[0].caseId]);
  if (!found || found.kind !== 'repair' || !found.household_id) return [];
  return steps.map((e) => ({
    idempotencyKey: `${e.idempotencyKey}:resident`,
    caseId: e.caseId,
    propertyId: found.property_id,
    householdId: found.household_id!,
    template: 'caseProgress' as const,
    data: { caseId: e.caseId, room: found.room ?? undefined, step: e.action },
  }));
}

/** Postgres' SQLSTATE for what `append_case_events` raises when the case has no row. */
const NO_DATA_FOUND = 'P0002';

type Orm = ActivityDeps['orm'];
