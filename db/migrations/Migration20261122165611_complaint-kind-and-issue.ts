import { Migration } from '@mikro-orm/migrations';

export class Migration20261122165611_complaint_kind_and_issue extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "service_case" add column "complaint_kind" varchar(16) null, add column "issue_key" varchar(64) null;`);
    this.addSql(`update "service_case" set "complaint_kind" = 'customer' where "kind" = 'complaint';`);
    this.addSql(`create index "service_case_issue_key_index" on "service_case" ("issue_key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "service_case_issue_key_index";`);
    this.addSql(`alter table "service_case" drop column "complaint_kind", drop column "issue_key";`);
  }

}
