import { Migration } from '@mikro-orm/migrations';

/**
 * The staff console and the resident's case page (docs/console.md): staff passwords and their
 * one-time links, console sessions, a case's photos and signature, the residents' case links and
 * their satisfaction answers; and an index for the supervisor's at-risk board, which reads the open
 * cases in warning or breach every few seconds.
 */
export class Migration20261206090000_console extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "staff_credential" ("staff_id" varchar(32) not null, "password_hash" varchar(200) not null, "password_set_at" timestamptz not null, "failed_attempts" int not null default 0, "locked_until" timestamptz null, constraint "staff_credential_pkey" primary key ("staff_id"));`);

    this.addSql(`create table "staff_password_token" ("token_hash" varchar(64) not null, "staff_id" varchar(32) not null, "purpose" varchar(16) not null, "issued_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "staff_password_token_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "staff_password_token_staff_id_index" on "staff_password_token" ("staff_id");`);

    this.addSql(`create table "http_session" ("sid" varchar(255) not null, "sess" jsonb not null, "expire" timestamptz not null, constraint "http_session_pkey" primary key ("sid"));`);
    this.addSql(`create index "http_session_expire_index" on "http_session" ("expire");`);

    this.addSql(`create table "case_attachment" ("id" varchar(40) not null, "case_id" varchar(32) not null, "kind" varchar(16) not null, "storage_key" varchar(200) not null, "media_type" varchar(64) not null, "bytes" int not null, "width" int not null, "height" int not null, "sha256" varchar(64) not null, "uploaded_by" varchar(32) not null, "uploaded_at" timestamptz not null, constraint "case_attachment_pkey" primary key ("id"));`);
    this.addSql(`create index "case_attachment_case_id_index" on "case_attachment" ("case_id");`);
    this.addSql(`alter table "case_attachment" add constraint "case_attachment_case_id_kind_sha256_unique" unique ("case_id", "kind", "sha256");`);

    this.addSql(`create table "case_link_token" ("token_hash" varchar(64) not null, "case_id" varchar(32) not null, "issued_at" timestamptz not null, "expires_at" timestamptz not null, constraint "case_link_token_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "case_link_token_case_id_index" on "case_link_token" ("case_id");`);

    this.addSql(`create table "case_feedback" ("case_id" varchar(32) not null, "satisfied" boolean not null, "comment" text null, "answered_at" timestamptz not null, constraint "case_feedback_pkey" primary key ("case_id"));`);

    this.addSql(`create index "service_case_at_risk_index" on "service_case" ("property_id", "area_id") where "closed_at" is null and "sla_state" <> 'ok';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "service_case_at_risk_index";`);
    this.addSql(`drop table if exists "case_feedback" cascade;`);
    this.addSql(`drop table if exists "case_link_token" cascade;`);
    this.addSql(`drop table if exists "case_attachment" cascade;`);
    this.addSql(`drop table if exists "http_session" cascade;`);
    this.addSql(`drop table if exists "staff_password_token" cascade;`);
    this.addSql(`drop table if exists "staff_credential" cascade;`);
  }

}
