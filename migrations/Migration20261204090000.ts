import { Migration } from '@mikro-orm/migrations';

// The auto top-up worker's sweep of failure spacings that have ended (src/modules/auto-top-up/auto-top-up.worker.ts),
// and a wallet's pending holds, which a ledger batch loads when one of its buckets is due
// (src/modules/ledger/store/load.ts, docs/invariants.md #8).
export class Migration20261204090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "auto_top_up_retry_after_index" on "auto_top_up" ("retry_after") where retry_after is not null;`);
    this.addSql(`create index "hold_pending_wallet_idx" on "hold" ("wallet_id") where status = 'PENDING';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "hold_pending_wallet_idx";`);
    this.addSql(`drop index if exists "auto_top_up_retry_after_index";`);
  }

}
