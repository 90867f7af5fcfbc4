import { Migration } from '@mikro-orm/migrations';

/** P1: the monthly complaint analysis as generated and mailed, readable again through the API. */
export class Migration20261122183225_stored_report extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "stored_report" ("kind" varchar(16) not null, "property_id" varchar(32) not null, "period" varchar(16) not null, "generated_at" timestamptz not null, "workflow_id" varchar(200) not null, "data" jsonb not null, "csv" text not null, constraint "stored_report_pkey" primary key ("kind", "property_id", "period"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stored_report" cascade;`);
  }

}
