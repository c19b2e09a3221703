import { Migration } from '@mikro-orm/migrations';

export class Migration20261121150550 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "usage_rollup" ("account_id" uuid not null, "tz" text not null, "day" date not null, "synfluencer_id" uuid not null default '00000000-0000-0000-0000-000000000000', "feature" text not null default '', "platform" text not null default '', "automation_id" text not null default '', "total" bigint not null, "count" int not null, constraint "usage_rollup_pkey" primary key ("account_id", "tz", "day", "synfluencer_id", "feature", "platform", "automation_id"));`);
    this.addSql(`create index "usage_rollup_synfluencer_idx" on "usage_rollup" ("account_id", "tz", "synfluencer_id", "day");`);

    this.addSql(`create index "ledger_transaction_spend_idx" on "ledger_transaction" ("account_id", "created_at") where kind in ('USAGE', 'CAPTURE');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "usage_rollup" cascade;`);

    this.addSql(`drop index "ledger_transaction_spend_idx";`);
  }

}
