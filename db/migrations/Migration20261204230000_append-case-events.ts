import { Migration } from '@mikro-orm/migrations';

/**
 * A case's audit events and its read-model patch in one round trip. The writer runs at every step
 * of every case (a dispatch, an acceptance, a missed deadline) and sent begin, an insert per event,
 * a locking select, an update and commit: six statements for a typical batch of two, each a round
 * trip (a profile of the intake found Node CPU in each query's socket write alone).
 *
 * The same rules as before, now in one call (activities/cases.ts `appendEvents`):
 * - each event at most once (its idempotency key): a retried batch inserts nothing;
 * - only events this call inserted patch the row, in seq order, and only those newer than the event
 *   that last wrote it (`event_seq`); a field takes the value of the newest such event that set it,
 *   null included;
 * - a patch for a case with no row raises no_data_found, and nothing of the call is kept.
 * A function runs in its caller's transaction (here the statement's own), so the tally's deferred
 * trigger still counts each inserted event once, at the commit.
 */
export class Migration20261204230000_append_case_events extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create function "append_case_events"(events jsonb) returns int language plpgsql as $$
declare
  e jsonb;
  target varchar(32);
  row_seq int;
  written_seq int;
  merged jsonb := '{}';
begin
  for e in select value from jsonb_array_elements(events) order by (value->>'seq')::int loop
    insert into case_event (case_id, seq, idempotency_key, action, actor_id, actor_role, at, payload)
    values (e->>'caseId', (e->>'seq')::int, e->>'idempotencyKey', e->>'action', e->'actor'->>'staffId', e->'actor'->>'role',
            (e->>'at')::timestamptz, coalesce(e->'payload', '{}'))
    on conflict (idempotency_key) do nothing;
    if not found or jsonb_typeof(e->'patch') is distinct from 'object' then
      continue;
    end if;
    if row_seq is null then
      target := e->>'caseId';
      select event_seq into row_seq from service_case where id = target for update;
      if not found then
        raise exception 'no case %', target using errcode = 'no_data_found';
      end if;
    end if;
    if row_seq >= (e->>'seq')::int then
      continue;
    end if;
    merged := merged || (e->'patch');
    row_seq := (e->>'seq')::int;
    written_seq := row_seq;
  end loop;
  if written_seq is not null then
    update service_case set
      status = case when merged ? 'status' then merged->>'status' else status end,
      assignee_id = case when merged ? 'assigneeId' then merged->>'assigneeId' else assignee_id end,
      severity = case when merged ? 'severity' then merged->>'severity' else severity end,
      category = case when merged ? 'category' then merged->>'category' else category end,
      issue_key = case when merged ? 'issueKey' then merged->>'issueKey' else issue_key end,
      due_at = case when merged ? 'dueAt' then (merged->>'dueAt')::timestamptz else due_at end,
      sla_state = case when merged ? 'slaState' then merged->>'slaState' else sla_state end,
      escalated = case when merged ? 'escalated' then (merged->>'escalated')::boolean else escalated end,
      closed_at = case when merged ? 'closedAt' then (merged->>'closedAt')::timestamptz else closed_at end,
      links = case when merged ? 'links' then merged->'links' else links end,
      unfinished_reason = case when merged ? 'unfinishedReason' then merged->>'unfinishedReason' else unfinished_reason end,
      unfinished_reason_at = case when merged ? 'unfinishedReasonAt' then (merged->>'unfinishedReasonAt')::timestamptz else unfinished_reason_at end,
      outcome = case when merged ? 'outcome' then merged->>'outcome' else outcome end,
      event_seq = written_seq,
      updated_at = now()
    where id = target;
  end if;
  return written_seq;
end
$$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists "append_case_events"(jsonb);`);
  }

}
