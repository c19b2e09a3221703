import { Migration } from '@mikro-orm/migrations';

// Disputes (chargebacks) whose money Stripe withdrew, one row per Stripe dispute
// (src/modules/billing/billing-dispute.entity.ts), and the index refunds and disputes find a
// payment's buckets by.
export class Migration20261203100000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "billing_dispute" ("id" text not null, "account_id" uuid not null, "payment_intent_id" text not null, "amount_minor" bigint not null, "currency" text not null, "credits_owed" bigint not null default 0, "refund_credits_kept" bigint not null default 0, "withdrawn_at" timestamptz not null default now(), "announced_at" timestamptz null, "reinstated_at" timestamptz null, constraint "billing_dispute_pkey" primary key ("id"));`);
    this.addSql(`create index "billing_dispute_payment_intent_id_index" on "billing_dispute" ("payment_intent_id");`);
    this.addSql(`alter table "billing_dispute" add constraint "billing_dispute_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`create index "credit_bucket_payment_intent_id_index" on "credit_bucket" ("payment_intent_id") where payment_intent_id is not null;`);
    this.addSql(`alter table "billing_refund" add column "credits_kept_for_dispute" bigint null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "billing_refund" drop column "credits_kept_for_dispute";`);
    this.addSql(`drop index if exists "credit_bucket_payment_intent_id_index";`);
    this.addSql(`drop table if exists "billing_dispute" cascade;`);
  }

}
