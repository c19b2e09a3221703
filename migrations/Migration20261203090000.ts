import { Migration } from '@mikro-orm/migrations';

// After a failed top-up, no new one starts for the account before `retry_after`
// (AUTO_TOP_UP_RETRY_AFTER_SECONDS, doubling with each failure in a row). Null when no failed
// top-up is waiting: a success or saving the settings or a card clears it with the failure count.
export class Migration20261203090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "auto_top_up" add column "retry_after" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "auto_top_up" drop column "retry_after";`);
  }

}
