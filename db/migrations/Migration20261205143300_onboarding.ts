import { Migration } from '@mikro-orm/migrations';

/**
 * Onboarding through the API: a building's units, versions of a property's service policy (the
 * policy as it stood becomes version 1 of each existing property, dated at the property's
 * creation), bulk imports held between their dry run and their confirmation, and the group's
 * complaint contact of a property.
 */
export class Migration20261205143300_onboarding extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "import_batch" ("id" varchar(40) not null, "property_id" varchar(32) not null, "kind" varchar(16) not null, "status" varchar(16) not null, "file_name" varchar(200) null, "file_sha256" varchar(64) not null, "format" varchar(8) not null, "content" jsonb not null, "report" jsonb not null, "created_by" varchar(32) not null, "created_at" timestamptz not null, "confirmed_at" timestamptz null, "expires_at" timestamptz not null, constraint "import_batch_pkey" primary key ("id"));`);
    this.addSql(`create index "import_batch_property_id_created_at_index" on "import_batch" ("property_id", "created_at");`);

    this.addSql(`create table "policy_version" ("property_id" varchar(32) not null, "version" int not null, "policy" jsonb not null, "changes" jsonb not null, "reason" varchar(500) null, "actor_id" varchar(32) not null, "at" timestamptz not null, constraint "policy_version_pkey" primary key ("property_id", "version"));`);

    this.addSql(`create table "unit" ("building_id" varchar(32) not null, "code" varchar(8) not null, "name" varchar(100) not null, constraint "unit_pkey" primary key ("building_id", "code"));`);

    this.addSql(`alter table "property" add column "group_email" varchar(200) null, add column "policy_version" int not null default 0;`);
    this.addSql(`insert into "policy_version" ("property_id", "version", "policy", "changes", "reason", "actor_id", "at")
      select "id", 1, coalesce("policy", '{}'::jsonb), '[]'::jsonb, 'the policy as it stood when versions began to be kept', 'system', "created_at" from "property";`);
    this.addSql(`update "property" set "policy_version" = 1;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "import_batch" cascade;`);

    this.addSql(`drop table if exists "policy_version" cascade;`);

    this.addSql(`drop table if exists "unit" cascade;`);

    this.addSql(`alter table "property" drop column "group_email", drop column "policy_version";`);
  }

}
