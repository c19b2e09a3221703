import { Migration } from '@mikro-orm/migrations';

export class Migration20261121150005 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "account" ("id" uuid not null, "created_at" timestamptz not null default now(), "email" text not null, "password_hash" text not null, "role" text check ("role" in ('USER', 'ADMIN')) not null default 'USER', "timezone" text not null default 'UTC', "burn_alert_threshold" bigint null, "monthly_budget_cap" bigint null, "low_credit_emails" boolean not null default true, "stripe_customer_id" text null, "plan_id" text null, "updated_at" timestamptz not null default now(), constraint "account_pkey" primary key ("id"));`);
    this.addSql(`alter table "account" add constraint "account_email_unique" unique ("email");`);

    this.addSql(`create table "api_key" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "name" text not null, "prefix" text not null, "secret_hash" text not null, "scopes" text[] not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`create index "api_key_account_id_index" on "api_key" ("account_id");`);
    this.addSql(`alter table "api_key" add constraint "api_key_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(`create table "credit_bucket" ("id" uuid not null, "created_at" timestamptz not null default now(), "wallet_id" uuid not null, "source" text not null, "granted" bigint not null, "remaining" bigint not null, "expires_at" timestamptz null, "payment_intent_id" text null, "amount_paid_minor" bigint null, "currency" text null, "refunded" bigint not null default 0, constraint "credit_bucket_pkey" primary key ("id"), constraint credit_bucket_remaining_le_granted check (remaining <= granted), constraint credit_bucket_remaining_non_negative check (remaining >= 0));`);
    this.addSql(`create index "credit_bucket_live_idx" on "credit_bucket" ("wallet_id", "expires_at") where remaining > 0;`);

    this.addSql(`create table "hold" ("id" uuid not null, "created_at" timestamptz not null default now(), "wallet_id" uuid not null, "account_id" uuid not null, "status" text not null default 'PENDING', "amount" bigint not null, "captured" bigint null, "expires_at" timestamptz not null, "feature" text not null, "synfluencer_id" uuid null, "platform" text null, "automation_id" text null, "provider" text null, "quantity" double precision null, "settled_at" timestamptz null, constraint "hold_pkey" primary key ("id"));`);
    this.addSql(`create index "hold_wallet_id_index" on "hold" ("wallet_id");`);
    this.addSql(`create index "hold_pending_expiry_idx" on "hold" ("expires_at") where status = 'PENDING';`);

    this.addSql(`create table "ledger_transaction" ("id" uuid not null, "created_at" timestamptz not null default now(), "seq" bigserial, "wallet_id" uuid not null, "account_id" uuid not null, "kind" text not null, "amount" bigint not null, "balance_after" bigint not null, "wallet_version" bigint not null, "description" text not null, "synfluencer_id" uuid null, "feature" text null, "platform" text null, "automation_id" text null, "provider" text null, "quantity" double precision null, "unit" text null, "idempotency_key" text null, "request_hash" text null, "hold_id" uuid null, "draws" jsonb null, "metadata" jsonb null, constraint "ledger_transaction_pkey" primary key ("id"));`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_seq_unique" unique ("seq");`);
    this.addSql(`create unique index "ledger_transaction_idem_uniq" on "ledger_transaction" ("account_id", "idempotency_key") where idempotency_key is not null;`);
    this.addSql(`create index "ledger_transaction_account_seq_idx" on "ledger_transaction" ("account_id", "seq");`);

    this.addSql(`create table "refresh_token" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "family_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "rotated_at" timestamptz null, constraint "refresh_token_pkey" primary key ("id"));`);
    this.addSql(`create index "refresh_token_account_id_index" on "refresh_token" ("account_id");`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_token_family_id_index" on "refresh_token" ("family_id");`);

    this.addSql(`create table "synfluencer" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "name" text not null, "handle" text not null, "platforms" text[] not null, "archived" boolean not null default false, "updated_at" timestamptz not null default now(), constraint "synfluencer_pkey" primary key ("id"));`);
    this.addSql(`create index "synfluencer_account_id_index" on "synfluencer" ("account_id");`);

    this.addSql(`create table "wallet" ("id" uuid not null, "created_at" timestamptz not null default now(), "account_id" uuid not null, "balance" bigint not null default 0, "held" bigint not null default 0, "lifetime_spend" bigint not null default 0, "lifetime_purchased" bigint not null default 0, "spent_month" text not null default '', "spent_this_month" bigint not null default 0, "version" bigint not null default 0, "low_credit_reference" bigint not null default 0, "low_credit_fired" smallint not null default 0, "burn_alert_month" text null, "cap_alert_month" text null, "updated_at" timestamptz not null default now(), constraint "wallet_pkey" primary key ("id"), constraint wallet_held_non_negative check (held >= 0), constraint wallet_balance_non_negative check (balance >= 0));`);
    this.addSql(`alter table "wallet" add constraint "wallet_account_id_unique" unique ("account_id");`);
    // Invariant 3: a ledger transaction is never updated or deleted; corrections are new rows.
    this.addSql(`create or replace function ledger_transaction_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'ledger_transaction rows are immutable (invariant 3): % refused', tg_op;
      end $$;`);
    this.addSql(`create trigger ledger_transaction_no_update_delete before update or delete on "ledger_transaction"
      for each row execute function ledger_transaction_immutable();`);
    this.addSql(`create trigger ledger_transaction_no_truncate before truncate on "ledger_transaction"
      for each statement execute function ledger_transaction_immutable();`);
  }

}
