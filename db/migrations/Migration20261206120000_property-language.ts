import { Migration } from '@mikro-orm/migrations';

/** The language a property's mails are written in (docs/messages.md); every property so far writes zh-CN. */
export class Migration20261206120000_property_language extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "property" add column "language" varchar(8) not null default 'zh-CN';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "property" drop column "language";`);
  }

}
