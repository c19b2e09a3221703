import { Migration } from '@mikro-orm/migrations';

// The card and customer an auto top-up charges, fixed at its first claim (auto-top-up.worker.ts).

export class Migration20261201034757 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "auto_top_up_attempt" add column "payment_method_id" text null, add column "stripe_customer_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "auto_top_up_attempt" drop column "payment_method_id", drop column "stripe_customer_id";`);
  }

}
