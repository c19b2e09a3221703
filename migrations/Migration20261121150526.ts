import { Migration } from '@mikro-orm/migrations';

export class Migration20261121150526 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "email_outbox" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "message_id" uuid null, "to_address" text not null, "subject" text not null, "body" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "sent_at" timestamptz null, "failed_at" timestamptz null, "last_error" text null, constraint "email_outbox_pkey" primary key ("id"));`);
    this.addSql(`create index "email_outbox_due_idx" on "email_outbox" ("next_attempt_at") where sent_at is null and failed_at is null;`);

    this.addSql(`create table "message" ("id" uuid not null, "created_at" timestamptz not null default now(), "seq" bigserial, "account_id" uuid not null, "kind" text not null, "title" text not null, "body" text not null, "data" jsonb null, "read_at" timestamptz null, constraint "message_pkey" primary key ("id"));`);
    this.addSql(`alter table "message" add constraint "message_seq_unique" unique ("seq");`);
    this.addSql(`create index "message_account_unread_idx" on "message" ("account_id") where read_at is null;`);
    this.addSql(`create index "message_account_seq_idx" on "message" ("account_id", "seq");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_outbox" cascade;`);

    this.addSql(`drop table if exists "message" cascade;`);
  }

}
