import { Migration } from '@mikro-orm/migrations';

export class Migration20261201021611 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "auto_top_up" ("account_id" uuid not null, "enabled" boolean not null default false, "threshold" bigint null, "pack_id" text null, "credits" bigint null, "amount_minor" bigint null, "currency" text null, "monthly_maximum" int not null default 3, "payment_method_id" text null, "stripe_customer_id" text null, "month_key" text not null default '', "started_this_month" int not null default 0, "consecutive_failures" int not null default 0, "last_failure" text null, "updated_at" timestamptz not null default now(), constraint "auto_top_up_pkey" primary key ("account_id"));`);

    this.addSql(`create table "auto_top_up_attempt" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "wallet_id" uuid not null, "status" text not null default 'PENDING', "credits" bigint not null, "amount_minor" bigint not null, "currency" text not null, "pack_id" text null, "wallet_version" bigint not null, "balance_at_start" bigint not null, "month_key" text not null, "payment_intent_id" text null, "stripe_tries" int not null default 0, "next_check_at" timestamptz not null default now(), "failure_code" text null, "failure_message" text null, "completed_at" timestamptz null, constraint "auto_top_up_attempt_pkey" primary key ("id"));`);
    this.addSql(`create index "auto_top_up_attempt_account_idx" on "auto_top_up_attempt" ("account_id", "created_at");`);
    this.addSql(`create index "auto_top_up_attempt_due_idx" on "auto_top_up_attempt" ("next_check_at") where status = 'PENDING';`);
    this.addSql(`create unique index "auto_top_up_attempt_one_pending_per_wallet" on "auto_top_up_attempt" ("wallet_id") where status = 'PENDING';`);

    this.addSql(`create table "webhook_attempt" ("id" uuid not null, "created_at" timestamptz not null default now(), "delivery_id" uuid not null, "number" int not null, "status_code" int null, "error" text null, "response_body" text null, "duration_ms" int not null, constraint "webhook_attempt_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_attempt_delivery_idx" on "webhook_attempt" ("delivery_id", "number");`);

    this.addSql(`create table "webhook_delivery" ("id" uuid not null, "created_at" timestamptz not null default now(), "seq" bigserial, "event_id" uuid not null, "event_seq" bigint not null, "endpoint_id" uuid not null, "account_id" uuid not null, "wallet_id" uuid not null, "status" text not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_status_code" int null, "last_error" text null, "delivered_at" timestamptz null, "replay_of" uuid null, constraint "webhook_delivery_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_seq_unique" unique ("seq");`);
    this.addSql(`create index "webhook_delivery_endpoint_seq_idx" on "webhook_delivery" ("endpoint_id", "seq");`);
    this.addSql(`create index "webhook_delivery_order_idx" on "webhook_delivery" ("endpoint_id", "wallet_id", "event_seq") where status = 'PENDING';`);
    this.addSql(`create index "webhook_delivery_due_idx" on "webhook_delivery" ("next_attempt_at") where status = 'PENDING';`);

    this.addSql(`create table "webhook_endpoint" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "url" text not null, "description" text null, "events" text[] not null, "secret" text not null, "previous_secret" text null, "previous_secret_expires_at" timestamptz null, "secret_rotated_at" timestamptz null, "status" text not null default 'ENABLED', "disabled_reason" text null, "failing_since" timestamptz null, "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "webhook_endpoint_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoint_account_live_idx" on "webhook_endpoint" ("account_id") where deleted_at is null;`);

    this.addSql(`create table "webhook_event" ("id" uuid not null, "created_at" timestamptz not null default now(), "seq" bigserial, "account_id" uuid not null, "wallet_id" uuid not null, "wallet_version" bigint not null, "type" text not null, "payload" text not null, constraint "webhook_event_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_seq_unique" unique ("seq");`);
    this.addSql(`create index "webhook_event_wallet_seq_idx" on "webhook_event" ("wallet_id", "seq");`);

    this.addSql(`alter table "wallet" add column "auto_top_up_attempt_id" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "auto_top_up" cascade;`);

    this.addSql(`drop table if exists "auto_top_up_attempt" cascade;`);

    this.addSql(`drop table if exists "webhook_attempt" cascade;`);

    this.addSql(`drop table if exists "webhook_delivery" cascade;`);

    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);

    this.addSql(`drop table if exists "webhook_event" cascade;`);

    this.addSql(`alter table "wallet" drop column "auto_top_up_attempt_id";`);
  }

}
