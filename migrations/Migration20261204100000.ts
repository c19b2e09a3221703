import { Migration } from '@mikro-orm/migrations';

// The billing effect a message announces (src/modules/alerts/message.entity.ts): one message per
// effect, written when a Stripe event retried after a crash finds its effect already applied.
export class Migration20261204100000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "message" add column "effect_key" text null;`);
    this.addSql(`create unique index "message_account_effect_key_idx" on "message" ("account_id", "effect_key") where effect_key is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "message_account_effect_key_idx";`);
    this.addSql(`alter table "message" drop column "effect_key";`);
  }

}
