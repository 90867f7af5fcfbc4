import { Migration } from '@mikro-orm/migrations';

/** P3 counts a month of deadline outcomes and escalations: without it, a sequential scan of every case event per request. */
export class Migration20261122214807_case_event_action_at_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "case_event_action_at_index" on "case_event" ("action", "at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "case_event_action_at_index";`);
  }

}
