import { Migration } from '@mikro-orm/migrations';

export class Migration20261122182701_household_archive extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "household_change" ("id" bigserial primary key, "household_id" varchar(64) not null, "property_id" varchar(32) not null, "action" varchar(32) not null, "contact_id" int null, "actor_id" varchar(32) not null, "actor_role" varchar(32) not null, "at" timestamptz not null, "changes" jsonb not null);`);
    this.addSql(`create index "household_change_household_id_at_index" on "household_change" ("household_id", "at");`);
    this.addSql(`create index "household_change_property_id_at_index" on "household_change" ("property_id", "at");`);

    this.addSql(`alter table "household_contact" add column "occupation" varchar(100) null, add column "age_band" varchar(32) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "household_change" cascade;`);

    this.addSql(`alter table "household_contact" drop column "occupation", drop column "age_band";`);
  }

}
