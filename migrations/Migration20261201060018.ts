import { Migration } from '@mikro-orm/migrations';

// seq comes from one sequence and is only ever read per account, through ledger_transaction_account_seq_idx:
// the global unique index was a sixth index on every ledger insert (docs/benchmarks.md, batch charging).

export class Migration20261201060018 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "ledger_transaction" drop constraint "ledger_transaction_seq_unique";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_seq_unique" unique ("seq");`);
  }

}
