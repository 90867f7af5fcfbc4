import { Migration } from '@mikro-orm/migrations';

/** Open cases by their next deadline: the API counts those falling due around now before it opens a case (db/deadlines-near.ts). */
export class Migration20261206130000_open_due_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "service_case_open_due_at_index" on "service_case" ("due_at") where "closed_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "service_case_open_due_at_index";`);
  }

}
