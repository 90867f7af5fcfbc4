import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency records expire IDEMPOTENCY_TTL_DAYS after they were made (api/idempotency.ts); the
 * purge finds the expired ones by their creation time instead of reading the whole table.
 */
export class Migration20261205145948_idempotency_expiry extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "idempotent_request_created_at_index" on "idempotent_request" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "idempotent_request_created_at_index";`);
  }

}
