import { Migration } from '@mikro-orm/migrations';

/**
 * A year's national holiday arrangement loaded by a manager (the chinese-days package
 * stops at the years it knows), an audit log of administrative changes (who, when, what), and who
 * is sending a notification (a mail several cases share is sent by one of them).
 */
export class Migration20261205140649_national_calendar_and_admin_audit extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "admin_audit_event" ("id" bigserial primary key, "property_id" varchar(32) null, "actor_id" varchar(32) not null, "at" timestamptz not null, "action" varchar(64) not null, "subject" varchar(200) not null, "detail" jsonb not null);`);
    this.addSql(`create index "admin_audit_event_property_id_index" on "admin_audit_event" ("property_id");`);
    this.addSql(`create index "admin_audit_event_action_at_index" on "admin_audit_event" ("action", "at");`);

    this.addSql(`alter table "notification" add column "claimed_by" varchar(200) null, add column "claimed_at" timestamptz null;`);

    this.addSql(`alter table "survey_campaign" add column "notes" jsonb not null default '[]';`);

    this.addSql(`create table "national_calendar_year" ("year" int primary key, "holidays" jsonb not null, "workdays" jsonb not null, "format" varchar(8) not null, "loaded_by" varchar(32) not null, "loaded_at" timestamptz not null);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "admin_audit_event" cascade;`);

    this.addSql(`drop table if exists "national_calendar_year" cascade;`);

    this.addSql(`alter table "notification" drop column "claimed_by", drop column "claimed_at";`);

    this.addSql(`alter table "survey_campaign" drop column "notes";`);
  }

}
