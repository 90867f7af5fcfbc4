import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000000_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "service_case" ("id" varchar(32) not null, "workflow_id" varchar(128) not null, "kind" varchar(32) not null, "property_id" varchar(32) not null, "area_id" varchar(32) not null, "household_id" varchar(64) null, "room" varchar(32) null, "channel" varchar(32) not null, "severity" varchar(32) null, "category" varchar(64) null, "status" varchar(32) not null, "assignee_id" varchar(32) null, "contact_name" varchar(64) null, "contact_phone" varchar(32) null, "description" text not null, "due_at" timestamptz null, "sla_state" varchar(16) not null default 'ok', "escalated" boolean not null default false, "unfinished_reason" text null, "unfinished_reason_at" timestamptz null, "outcome" varchar(32) null, "links" jsonb not null default '[]', "event_seq" int not null default 0, "received_at" timestamptz not null, "received_by" varchar(32) not null, "closed_at" timestamptz null, "updated_at" timestamptz not null, constraint "service_case_pkey" primary key ("id"));`);
    this.addSql(`alter table "service_case" add constraint "service_case_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(`create index "service_case_kind_status_index" on "service_case" ("kind", "status");`);
    this.addSql(`create index "service_case_area_id_status_index" on "service_case" ("area_id", "status");`);
    this.addSql(`create index "service_case_assignee_id_status_index" on "service_case" ("assignee_id", "status");`);

    this.addSql(`create table "case_counter" ("prefix" varchar(8) not null, "day" varchar(8) not null, "last" int not null, constraint "case_counter_pkey" primary key ("prefix", "day"));`);

    this.addSql(`create table "case_event" ("id" bigserial primary key, "case_id" varchar(32) not null, "seq" int not null, "idempotency_key" varchar(200) not null, "action" varchar(64) not null, "actor_id" varchar(32) not null, "actor_role" varchar(32) not null, "at" timestamptz not null, "payload" jsonb not null);`);
    this.addSql(`alter table "case_event" add constraint "case_event_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "case_event_case_id_seq_index" on "case_event" ("case_id", "seq");`);

    this.addSql(`create table "finance_entry" ("id" serial primary key, "idempotency_key" varchar(200) not null, "case_id" varchar(32) not null, "property_id" varchar(32) not null, "amount_cents" int not null, "description" text not null, "recorded_by" varchar(32) not null, "recorded_at" timestamptz not null);`);
    this.addSql(`alter table "finance_entry" add constraint "finance_entry_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "finance_entry_case_id_index" on "finance_entry" ("case_id");`);

    this.addSql(`create table "idempotent_request" ("staff_id" varchar(32) not null, "key" varchar(200) not null, "request_hash" varchar(64) not null, "resource_id" varchar(64) null, "status_code" int null, "response" jsonb null, "created_at" timestamptz not null, constraint "idempotent_request_pkey" primary key ("staff_id", "key"));`);

    this.addSql(`create table "notification" ("id" serial primary key, "idempotency_key" varchar(200) not null, "case_id" varchar(32) null, "recipient_id" varchar(32) null, "recipient_email" varchar(200) not null, "template" varchar(64) not null, "subject" varchar(300) not null, "status" varchar(16) not null default 'pending', "attempts" int not null default 0, "message_id" varchar(300) null, "last_error" text null, "created_at" timestamptz not null, "sent_at" timestamptz null);`);
    this.addSql(`alter table "notification" add constraint "notification_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "notification_case_id_index" on "notification" ("case_id");`);

    this.addSql(`create table "property" ("id" varchar(32) not null, "name" varchar(200) not null, "time_zone" varchar(64) not null default 'Asia/Shanghai', "policy" jsonb null, "calendar_overrides" jsonb not null default '[]', "occupied_since" date null, "created_at" timestamptz not null, constraint "property_pkey" primary key ("id"));`);

    this.addSql(`create table "area" ("id" varchar(32) not null, "property_id" varchar(32) not null, "name" varchar(200) not null, "butler_id" varchar(32) null, constraint "area_pkey" primary key ("id"));`);

    this.addSql(`create table "building" ("id" varchar(32) not null, "area_id" varchar(32) not null, "name" varchar(200) not null, constraint "building_pkey" primary key ("id"));`);

    this.addSql(`create table "household" ("id" varchar(64) not null, "property_id" varchar(32) not null, "building_id" varchar(32) not null, "room" varchar(32) not null, "unit" varchar(16) not null, "move_in_date" date null, "members_count" int null, "occupation" varchar(100) null, "age_band" varchar(32) null, "hobbies" jsonb not null default '[]', "skills" jsonb not null default '[]', "pets" jsonb not null default '[]', "festivals" jsonb not null default '[]', "service_needs" text null, "updated_at" timestamptz not null, constraint "household_pkey" primary key ("id"));`);
    this.addSql(`create index "household_property_id_index" on "household" ("property_id");`);
    this.addSql(`alter table "household" add constraint "household_property_id_room_unique" unique ("property_id", "room");`);

    this.addSql(`create table "household_contact" ("id" serial primary key, "household_id" varchar(64) not null, "name" varchar(64) not null, "phone" varchar(32) not null, "email" varchar(200) null, "relation" varchar(32) not null default 'owner', "primary" boolean not null default false);`);

    this.addSql(`create table "staff" ("id" varchar(32) not null, "property_id" varchar(32) not null, "name" varchar(64) not null, "email" varchar(200) not null, "roles" jsonb not null, "area_ids" jsonb not null default '[]', "api_key_hash" varchar(64) null, "api_key_last_used_at" timestamptz null, "api_key_revoked_at" timestamptz null, "active" boolean not null default true, "created_at" timestamptz not null, constraint "staff_pkey" primary key ("id"));`);
    this.addSql(`create index "staff_property_id_index" on "staff" ("property_id");`);
    this.addSql(`alter table "staff" add constraint "staff_api_key_hash_unique" unique ("api_key_hash");`);

    this.addSql(`alter table "area" add constraint "area_property_id_foreign" foreign key ("property_id") references "property" ("id") on update cascade;`);

    this.addSql(`alter table "building" add constraint "building_area_id_foreign" foreign key ("area_id") references "area" ("id") on update cascade;`);

    this.addSql(`alter table "household" add constraint "household_building_id_foreign" foreign key ("building_id") references "building" ("id") on update cascade;`);

    this.addSql(`alter table "household_contact" add constraint "household_contact_household_id_foreign" foreign key ("household_id") references "household" ("id") on update cascade;`);
  }

}
