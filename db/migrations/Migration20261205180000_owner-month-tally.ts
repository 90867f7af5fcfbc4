import { Migration } from '@mikro-orm/migrations';

/**
 * P3 credits a case's owner (revised rules: complaints to their owner, not to an unset assignee):
 * `owner_month_tally` counts, per staff member and property-local month, the deadline outcomes and
 * escalations whose event names no holder (a complaint nobody was assigned, a return visit, a
 * request) and the verdicts of complaints' return visits. The owner is who the case's mails go to
 * (activities/notify.ts): every active supervisor of the property for an important or major
 * complaint, else the area's butler; a complaint's visit verdict goes to its assignee when it has
 * one. It is resolved as the event is written, so the credit stays with whoever owned the area then.
 * Kept like staff_month_tally, which stays as it was: a trigger deferred to the commit, on rows
 * actually inserted, and a backfill of what is already there (credited as the property is staffed
 * when the migration runs).
 */
export class Migration20261205180000_owner_month_tally extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "owner_month_tally" ("property_id" varchar(32) not null, "month" varchar(7) not null, "owner_id" varchar(32) not null, "action" varchar(64) not null, "count" int not null, constraint "owner_month_tally_pkey" primary key ("property_id", "month", "owner_id", "action"));`);
    // Whom a case answers to when it names nobody: its assignee (a complaint's visit verdict), else the owners of docs/rules.md C3 / §0.
    this.addSql(`create function "case_owner_ids"(p_property varchar, p_area varchar, p_kind varchar, p_severity varchar, p_assignee varchar) returns setof varchar language sql stable as $$
  select p_assignee where p_assignee is not null
  union all
  select s.id from staff s
   where p_assignee is null and s.property_id = p_property and s.active
     and case when p_kind = 'complaint' and p_severity in ('important', 'major')
              then s.roles @> '["supervisor"]'::jsonb
              else s.roles @> '["butler"]'::jsonb
                   and (s.area_ids @> jsonb_build_array(p_area) or s.id = (select a.butler_id from area a where a.id = p_area and a.property_id = p_property))
         end
$$;`);
    this.addSql(`create function "owner_month_tally_count"() returns trigger language plpgsql as $$
declare
  counted varchar(64) := new.action;
begin
  if new.action = 'recordReturnVisit' then
    counted := case when new.payload->>'satisfied' = 'true' then 'visit-satisfied' else 'visit-unsatisfied' end;
  end if;
  insert into owner_month_tally (property_id, month, owner_id, action, count)
  select c.property_id, to_char(new.at at time zone p.time_zone, 'YYYY-MM'), o.owner_id, counted, 1
    from service_case c join property p on p.id = c.property_id
    cross join lateral case_owner_ids(c.property_id, c.area_id, c.kind, c.severity, case when new.action = 'recordReturnVisit' then c.assignee_id end) as o(owner_id)
   where c.id = new.case_id and (c.complaint_kind is null or c.complaint_kind = 'customer')
     and (new.action <> 'recordReturnVisit' or c.kind = 'complaint')
  on conflict (property_id, month, owner_id, action) do update set count = owner_month_tally.count + excluded.count;
  return null;
end
$$;`);
    this.addSql(`create constraint trigger "case_event_owner_month_tally" after insert on "case_event"
  deferrable initially deferred for each row
  when ((new.action in ('deadline-met', 'deadline-missed', 'escalated') and coalesce(new.payload->>'ownerId', '') = '')
        or (new.action = 'recordReturnVisit' and coalesce(new.payload->>'answered', 'true') <> 'false'))
  execute function "owner_month_tally_count"();`);
    // What is already in the audit log, credited as the property is staffed now (the trigger and this insert count every event once: see staff_month_tally).
    this.addSql(`insert into owner_month_tally (property_id, month, owner_id, action, count)
  select c.property_id, to_char(e.at at time zone p.time_zone, 'YYYY-MM'), o.owner_id,
         case when e.action = 'recordReturnVisit' then case when e.payload->>'satisfied' = 'true' then 'visit-satisfied' else 'visit-unsatisfied' end else e.action end,
         count(*)::int
    from case_event e join service_case c on c.id = e.case_id join property p on p.id = c.property_id
    cross join lateral case_owner_ids(c.property_id, c.area_id, c.kind, c.severity, case when e.action = 'recordReturnVisit' then c.assignee_id end) as o(owner_id)
   where (c.complaint_kind is null or c.complaint_kind = 'customer')
     and ((e.action in ('deadline-met', 'deadline-missed', 'escalated') and coalesce(e.payload->>'ownerId', '') = '')
          or (e.action = 'recordReturnVisit' and c.kind = 'complaint' and coalesce(e.payload->>'answered', 'true') <> 'false'))
   group by 1, 2, 3, 4;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "case_event_owner_month_tally" on "case_event";`);
    this.addSql(`drop function if exists "owner_month_tally_count"();`);
    this.addSql(`drop function if exists "case_owner_ids"(varchar, varchar, varchar, varchar, varchar);`);
    this.addSql(`drop table if exists "owner_month_tally" cascade;`);
  }

}
