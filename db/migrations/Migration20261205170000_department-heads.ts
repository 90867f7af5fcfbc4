import { Migration } from '@mikro-orm/migrations';

/**
 * C3: the departments a staff member heads (engineering, order, environment, service): general and
 * important complaints routed to a department are told to its head.
 */
export class Migration20261205170000_department_heads extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "staff" add column "departments" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "staff" drop column "departments";`);
  }

}
