import { Migration } from '@mikro-orm/migrations';

/**
 * Referential integrity: every id column that names a row of another table is a foreign key
 * (restrict on delete and update: those rows are never deleted and ids never change), with
 * two exceptions. usage_rollup: its synfluencer_id uses a sentinel for "no synfluencer" and it
 * is derived data (`npm run usage:rebuild`). ledger_transaction.account_id and hold.account_id:
 * the ledger's hot path inserts these rows in every charge, and each check costs a probe and a
 * row lock per row; their wallet_id is a foreign key and the wallet's account_id is one too,
 * and the engine copies account_id from the locked wallet row.
 * Existing rows are checked first, so a database with orphans stops with the list of them
 * rather than PostgreSQL's first violation. Adding the constraints validates every row under
 * a SHARE ROW EXCLUSIVE lock (writes wait): on a large deployment, run it when traffic is low.
 */
const REFERENCES: [table: string, column: string, parent: string][] = [
  ['api_key', 'account_id', 'account'],
  ['app_setting', 'updated_by', 'account'],
  ['app_setting_audit', 'actor_id', 'account'],
  ['live_socket', 'account_id', 'account'],
  ['live_socket', 'api_key_id', 'api_key'],
  ['message', 'account_id', 'account'],
  ['email_outbox', 'account_id', 'account'],
  ['email_outbox', 'message_id', 'message'],
  ['refresh_token', 'account_id', 'account'],
  ['stripe_event', 'account_id', 'account'],
  ['stripe_subscription', 'account_id', 'account'],
  ['synfluencer', 'account_id', 'account'],
  ['wallet', 'account_id', 'account'],
  ['hold', 'wallet_id', 'wallet'],
  ['hold', 'synfluencer_id', 'synfluencer'],
  ['ledger_transaction', 'wallet_id', 'wallet'],
  ['ledger_transaction', 'synfluencer_id', 'synfluencer'],
  ['ledger_transaction', 'hold_id', 'hold'],
  ['credit_bucket', 'wallet_id', 'wallet'],
  ['billing_refund', 'account_id', 'account'],
  ['billing_refund', 'bucket_id', 'credit_bucket'],
  ['billing_refund', 'ledger_transaction_id', 'ledger_transaction'],
];

function orphanCheck(): string {
  const counts = REFERENCES.map(([t, c, p]) => `select '${t}.${c}' as ref, count(*) as n from "${t}" x where x."${c}" is not null and not exists (select 1 from "${p}" y where y.id = x."${c}")`).join(' union all ');
  return `do $$ declare bad text; begin select string_agg(ref || ': ' || n, ', ') into bad from (${counts}) s where n > 0; if bad is not null then raise exception 'rows reference rows that do not exist (fix them, then migrate again): %', bad; end if; end $$;`;
}

export class Migration20261201010455 extends Migration {

  override async up(): Promise<void> {
    this.addSql(orphanCheck());

    this.addSql(`alter table "api_key" add constraint "api_key_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "app_setting" add constraint "app_setting_updated_by_foreign" foreign key ("updated_by") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "app_setting_audit" add constraint "app_setting_audit_actor_id_foreign" foreign key ("actor_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "live_socket" add constraint "live_socket_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "live_socket" add constraint "live_socket_api_key_id_foreign" foreign key ("api_key_id") references "api_key" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "message" add constraint "message_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "email_outbox" add constraint "email_outbox_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "email_outbox" add constraint "email_outbox_message_id_foreign" foreign key ("message_id") references "message" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "refresh_token" add constraint "refresh_token_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "stripe_event" add constraint "stripe_event_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "stripe_subscription" add constraint "stripe_subscription_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "synfluencer" add constraint "synfluencer_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "wallet" add constraint "wallet_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "hold" add constraint "hold_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "hold" add constraint "hold_synfluencer_id_foreign" foreign key ("synfluencer_id") references "synfluencer" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_synfluencer_id_foreign" foreign key ("synfluencer_id") references "synfluencer" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "ledger_transaction" add constraint "ledger_transaction_hold_id_foreign" foreign key ("hold_id") references "hold" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "credit_bucket" add constraint "credit_bucket_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "billing_refund" add constraint "billing_refund_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "billing_refund" add constraint "billing_refund_bucket_id_foreign" foreign key ("bucket_id") references "credit_bucket" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "billing_refund" add constraint "billing_refund_ledger_transaction_id_foreign" foreign key ("ledger_transaction_id") references "ledger_transaction" ("id") on update restrict on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_key" drop constraint "api_key_account_id_foreign";`);

    this.addSql(`alter table "app_setting" drop constraint "app_setting_updated_by_foreign";`);

    this.addSql(`alter table "app_setting_audit" drop constraint "app_setting_audit_actor_id_foreign";`);

    this.addSql(`alter table "billing_refund" drop constraint "billing_refund_account_id_foreign";`);
    this.addSql(`alter table "billing_refund" drop constraint "billing_refund_bucket_id_foreign";`);
    this.addSql(`alter table "billing_refund" drop constraint "billing_refund_ledger_transaction_id_foreign";`);

    this.addSql(`alter table "credit_bucket" drop constraint "credit_bucket_wallet_id_foreign";`);

    this.addSql(`alter table "email_outbox" drop constraint "email_outbox_account_id_foreign";`);
    this.addSql(`alter table "email_outbox" drop constraint "email_outbox_message_id_foreign";`);

    this.addSql(`alter table "hold" drop constraint "hold_wallet_id_foreign";`);
    this.addSql(`alter table "hold" drop constraint "hold_synfluencer_id_foreign";`);

    this.addSql(`alter table "ledger_transaction" drop constraint "ledger_transaction_wallet_id_foreign";`);
    this.addSql(`alter table "ledger_transaction" drop constraint "ledger_transaction_synfluencer_id_foreign";`);
    this.addSql(`alter table "ledger_transaction" drop constraint "ledger_transaction_hold_id_foreign";`);

    this.addSql(`alter table "live_socket" drop constraint "live_socket_account_id_foreign";`);
    this.addSql(`alter table "live_socket" drop constraint "live_socket_api_key_id_foreign";`);

    this.addSql(`alter table "message" drop constraint "message_account_id_foreign";`);

    this.addSql(`alter table "refresh_token" drop constraint "refresh_token_account_id_foreign";`);

    this.addSql(`alter table "stripe_event" drop constraint "stripe_event_account_id_foreign";`);

    this.addSql(`alter table "stripe_subscription" drop constraint "stripe_subscription_account_id_foreign";`);

    this.addSql(`alter table "synfluencer" drop constraint "synfluencer_account_id_foreign";`);

    this.addSql(`alter table "wallet" drop constraint "wallet_account_id_foreign";`);
  }

}
