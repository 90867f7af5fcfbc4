import { Migration } from '@mikro-orm/migrations';

/**
 * S1: the topic the centre chose for a month (read when the month is planned), and when a month's
 * answers were counted against each area's 10 %.
 */
export class Migration20261205180200_survey_month_close extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "survey_topic_choice" ("property_id" varchar(32) not null, "month" varchar(7) not null, "topic" varchar(32) not null, "chosen_by" varchar(32) not null, "chosen_at" timestamptz not null, constraint "survey_topic_choice_pkey" primary key ("property_id", "month"));`);
    this.addSql(`alter table "survey_run" add column "closed_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "survey_run" drop column "closed_at";`);
    this.addSql(`drop table if exists "survey_topic_choice" cascade;`);
  }

}
