import { Migration } from '@mikro-orm/migrations';

export class Migration20261122182830_surveys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "survey_campaign" ("id" varchar(48) not null, "property_id" varchar(32) not null, "half_year" varchar(7) not null, "workflow_id" varchar(128) not null, "released_at" timestamptz not null, "distribute_by" timestamptz not null, "distributed_at" timestamptz null, "collect_by" timestamptz null, "occupied" int not null, "occupancy_years" int not null, "rate" double precision not null, "quota" int not null, "distributed" int not null default 0, "collected" int not null default 0, "status" varchar(16) not null, "alerts" jsonb not null default '[]', "closed_at" timestamptz null, constraint "survey_campaign_pkey" primary key ("id"));`);

    this.addSql(`create table "survey_invitation" ("id" varchar(96) not null, "run_id" varchar(48) not null, "property_id" varchar(32) not null, "area_id" varchar(32) not null, "household_id" varchar(64) not null, "room" varchar(32) not null, "month" varchar(7) not null, "half_year" varchar(7) not null, "topic" varchar(32) not null, "workflow_id" varchar(128) not null, "status" varchar(16) not null, "invited_at" timestamptz null, "closes_at" timestamptz null, "answered_at" timestamptz null, "follow_up_case_id" varchar(32) null, constraint "survey_invitation_pkey" primary key ("id"));`);
    this.addSql(`create index "survey_invitation_property_id_half_year_household_id_index" on "survey_invitation" ("property_id", "half_year", "household_id");`);
    this.addSql(`create index "survey_invitation_run_id_id_index" on "survey_invitation" ("run_id", "id");`);
    this.addSql(`create index "survey_invitation_property_id_month_area_id_index" on "survey_invitation" ("property_id", "month", "area_id");`);

    this.addSql(`create table "survey_response" ("survey_id" varchar(96) not null, "property_id" varchar(32) not null, "area_id" varchar(32) not null, "month" varchar(7) not null, "topic" varchar(32) not null, "method" varchar(16) not null, "score" int not null, "comment" text null, "complaint" text null, "recorded_by" varchar(32) not null, "answered_at" timestamptz not null, constraint "survey_response_pkey" primary key ("survey_id"));`);
    this.addSql(`create index "survey_response_property_id_month_area_id_index" on "survey_response" ("property_id", "month", "area_id");`);

    this.addSql(`create table "survey_run" ("id" varchar(48) not null, "property_id" varchar(32) not null, "month" varchar(7) not null, "half_year" varchar(7) not null, "topic" varchar(32) not null, "seed" bigint not null, "status" varchar(16) not null, "requested_by" varchar(32) null, "workflow_id" varchar(128) not null, "chosen" int not null, "planned_at" timestamptz not null, "started_at" timestamptz null, constraint "survey_run_pkey" primary key ("id"));`);
    this.addSql(`alter table "survey_run" add constraint "survey_run_property_id_month_unique" unique ("property_id", "month");`);

    this.addSql(`create table "survey_run_area" ("run_id" varchar(48) not null, "area_id" varchar(32) not null, "occupied" int not null, "not_consulted" int not null, "minimum" int not null, "chosen" int not null, "topped_up" int not null, "answered" int not null default 0, constraint "survey_run_area_pkey" primary key ("run_id", "area_id"));`);

    this.addSql(`create table "survey_token" ("token_hash" varchar(64) not null, "survey_id" varchar(96) not null, "purpose" varchar(16) not null, "issued_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "survey_token_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "survey_token_survey_id_index" on "survey_token" ("survey_id");`);

    this.addSql(`alter table "household" add column "move_out_date" date null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "survey_campaign" cascade;`);

    this.addSql(`drop table if exists "survey_invitation" cascade;`);

    this.addSql(`drop table if exists "survey_response" cascade;`);

    this.addSql(`drop table if exists "survey_run" cascade;`);

    this.addSql(`drop table if exists "survey_run_area" cascade;`);

    this.addSql(`drop table if exists "survey_token" cascade;`);

    this.addSql(`alter table "household" drop column "move_out_date";`);
  }

}
