import { Migration } from '@mikro-orm/migrations';

// When Stripe last saved a card for auto top-up: lets a client tell a replaced card's confirmation apart.

export class Migration20261202030000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "auto_top_up" add column "payment_method_saved_at" timestamptz null;`);
    this.addSql(`update "auto_top_up" set "payment_method_saved_at" = "updated_at" where "payment_method_id" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "auto_top_up" drop column "payment_method_saved_at";`);
  }

}
