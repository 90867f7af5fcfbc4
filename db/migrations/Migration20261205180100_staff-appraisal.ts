import { Migration } from '@mikro-orm/migrations';

/**
 * P3: each month's appraisal (the results stored, the parts supervisors enter, the composite) and the
 * year-end appraisal, kept two years (policy appraisal.keepMonths).
 */
export class Migration20261205180100_staff_appraisal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "staff_appraisal" ("property_id" varchar(32) not null, "month" varchar(7) not null, "staff_id" varchar(32) not null, "results" jsonb not null, "results_score" double precision null, "results_at" timestamptz not null, "conduct" double precision null, "diligence" double precision null, "ability" double precision null, "checks" double precision null, "composite" double precision null, "entered_by" varchar(32) null, "entered_at" timestamptz null, constraint "staff_appraisal_pkey" primary key ("property_id", "month", "staff_id"));`);
    this.addSql(`create table "staff_appraisal_year" ("property_id" varchar(32) not null, "year" int not null, "staff_id" varchar(32) not null, "year_end" double precision not null, "entered_by" varchar(32) not null, "entered_at" timestamptz not null, constraint "staff_appraisal_year_pkey" primary key ("property_id", "year", "staff_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "staff_appraisal_year" cascade;`);
    this.addSql(`drop table if exists "staff_appraisal" cascade;`);
  }

}
