import { Migration } from '@mikro-orm/migrations';

export class Migration20261121150631 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "app_setting" ("key" text not null, "value" jsonb not null, "updated_by" uuid null, "updated_at" timestamptz not null default now(), constraint "app_setting_pkey" primary key ("key"));`);

    this.addSql(`create table "app_setting_audit" ("id" uuid not null, "created_at" timestamptz not null default now(), "key" text not null, "actor_id" uuid null, "old_value" jsonb null, "new_value" jsonb null, constraint "app_setting_audit_pkey" primary key ("id"));`);

    this.addSql(`create table "billing_refund" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "bucket_id" uuid not null, "payment_intent_id" text not null, "credits" bigint not null, "amount_minor" bigint not null, "currency" text not null, "status" text not null default 'PENDING', "ledger_transaction_id" uuid null, "stripe_refund_id" text null, "last_error" text null, "attempts" int not null default 0, "updated_at" timestamptz not null default now(), constraint "billing_refund_pkey" primary key ("id"));`);
    this.addSql(`create unique index "billing_refund_one_pending_per_bucket" on "billing_refund" ("bucket_id") where status = 'PENDING';`);
    this.addSql(`create index "billing_refund_account_id_created_at_index" on "billing_refund" ("account_id", "created_at");`);

    this.addSql(`create table "stripe_event" ("id" text not null, "type" text not null, "account_id" uuid null, "outcome" text not null, "stripe_created_at" timestamptz not null, "processed_at" timestamptz not null default now(), constraint "stripe_event_pkey" primary key ("id"));`);

    this.addSql(`create table "stripe_subscription" ("id" text not null, "account_id" uuid not null, "plan_id" text null, "status" text not null, "last_event_at" timestamptz not null, "updated_at" timestamptz not null default now(), constraint "stripe_subscription_pkey" primary key ("id"));`);
    this.addSql(`create index "stripe_subscription_account_id_index" on "stripe_subscription" ("account_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "app_setting" cascade;`);

    this.addSql(`drop table if exists "app_setting_audit" cascade;`);

    this.addSql(`drop table if exists "billing_refund" cascade;`);

    this.addSql(`drop table if exists "stripe_event" cascade;`);

    this.addSql(`drop table if exists "stripe_subscription" cascade;`);
  }

}
