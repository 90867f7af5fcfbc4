import { Migration } from '@mikro-orm/migrations';

/**
 * P3 reads a per-month tally instead of scanning a month of case events per request, which
 * bench:reads found far below its target over 100k cases (bench/RESULTS.md). The tally is kept by
 * a trigger on case_event, so every writer of the audit log keeps it in its own transaction:
 * - a constraint trigger, deferred to the commit, so the tally row of a busy engineer is locked
 *   only while a writer commits, not for the rest of its transaction;
 * - AFTER INSERT, which fires only for rows actually inserted: an activity's retry meets the
 *   idempotency key (`on conflict do nothing`) and counts nothing;
 * - the month is the property's local month of the event, the owner the same `payload->>'ownerId'`
 *   and the cases the same as P3's event query counted (not employee complaints nor reports).
 * Creating the trigger locks case_event against writes until this migration commits, so the
 * backfill below and the trigger together count every existing and every new event exactly once.
 */
export class Migration20261123000513_staff_month_tally extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "staff_month_tally" ("property_id" varchar(32) not null, "month" varchar(7) not null, "owner_id" varchar(32) not null, "action" varchar(64) not null, "count" int not null, constraint "staff_month_tally_pkey" primary key ("property_id", "month", "owner_id", "action"));`);
    this.addSql(`create function "staff_month_tally_count"() returns trigger language plpgsql as $$
begin
  insert into staff_month_tally (property_id, month, owner_id, action, count)
  select c.property_id, to_char(new.at at time zone p.time_zone, 'YYYY-MM'), coalesce(new.payload->>'ownerId', ''), new.action, 1
    from service_case c join property p on p.id = c.property_id
   where c.id = new.case_id and (c.complaint_kind is null or c.complaint_kind = 'customer')
  on conflict (property_id, month, owner_id, action) do update set count = staff_month_tally.count + excluded.count;
  return null;
end
$$;`);
    this.addSql(`create constraint trigger "case_event_staff_month_tally" after insert on "case_event"
  deferrable initially deferred for each row
  when (new.action in ('deadline-met', 'deadline-missed', 'escalated'))
  execute function "staff_month_tally_count"();`);
    this.addSql(`insert into staff_month_tally (property_id, month, owner_id, action, count)
  select c.property_id, to_char(e.at at time zone p.time_zone, 'YYYY-MM'), coalesce(e.payload->>'ownerId', ''), e.action, count(*)::int
    from case_event e join service_case c on c.id = e.case_id join property p on p.id = c.property_id
   where e.action in ('deadline-met', 'deadline-missed', 'escalated') and (c.complaint_kind is null or c.complaint_kind = 'customer')
   group by 1, 2, 3, 4;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "case_event_staff_month_tally" on "case_event";`);
    this.addSql(`drop function if exists "staff_month_tally_count"();`);
    this.addSql(`drop table if exists "staff_month_tally" cascade;`);
  }

}
