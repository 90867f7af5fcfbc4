import { Migration } from '@mikro-orm/migrations';

/** The case lists read newest first within a property and kind (bench:reads: a sort of every row per request without it). */
export class Migration20261122170500_case_list_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "service_case_list_index" on "service_case" ("property_id", "kind", "received_at" desc, "id" desc);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "service_case_list_index";`);
  }
}
