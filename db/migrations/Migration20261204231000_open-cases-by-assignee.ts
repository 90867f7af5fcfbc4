import { Migration } from '@mikro-orm/migrations';

/**
 * R2 gives a work order to the engineer holding the fewest open cases (`chooseEngineer`), at every
 * dispatch. Through (assignee_id, status) that count visited every case an engineer ever held, so
 * a dispatch grew slower with every closed case; this index holds the open ones only.
 */
export class Migration20261204231000_open_cases_by_assignee extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "service_case_open_by_assignee_index" on "service_case" ("assignee_id") where "closed_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "service_case_open_by_assignee_index";`);
  }

}
