import { Migration } from '@mikro-orm/migrations';

// The auto top-up worker's sweep of failure spacings that have ended (src/modules/auto-top-up/auto-top-up.worker.ts).
export class Migration20261204090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "auto_top_up_retry_after_index" on "auto_top_up" ("retry_after") where retry_after is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "auto_top_up_retry_after_index";`);
  }

}
