import { Migration } from '@mikro-orm/migrations';

// Foreign keys of the webhook and auto top-up tables, like every other reference (docs/invariants.md, referential integrity).

export class Migration20261201032004 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "auto_top_up" add constraint "auto_top_up_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "wallet" add constraint "wallet_auto_top_up_attempt_id_foreign" foreign key ("auto_top_up_attempt_id") references "auto_top_up_attempt" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "auto_top_up_attempt" add constraint "auto_top_up_attempt_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "auto_top_up_attempt" add constraint "auto_top_up_attempt_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "webhook_endpoint" add constraint "webhook_endpoint_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "webhook_event" add constraint "webhook_event_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_event_id_foreign" foreign key ("event_id") references "webhook_event" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_account_id_foreign" foreign key ("account_id") references "account" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update restrict on delete restrict;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_replay_of_foreign" foreign key ("replay_of") references "webhook_delivery" ("id") on update restrict on delete restrict;`);

    this.addSql(`alter table "webhook_attempt" add constraint "webhook_attempt_delivery_id_foreign" foreign key ("delivery_id") references "webhook_delivery" ("id") on update restrict on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "auto_top_up" drop constraint "auto_top_up_account_id_foreign";`);

    this.addSql(`alter table "auto_top_up_attempt" drop constraint "auto_top_up_attempt_account_id_foreign";`);
    this.addSql(`alter table "auto_top_up_attempt" drop constraint "auto_top_up_attempt_wallet_id_foreign";`);

    this.addSql(`alter table "wallet" drop constraint "wallet_auto_top_up_attempt_id_foreign";`);

    this.addSql(`alter table "webhook_attempt" drop constraint "webhook_attempt_delivery_id_foreign";`);

    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_event_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_endpoint_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_account_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_wallet_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_replay_of_foreign";`);

    this.addSql(`alter table "webhook_endpoint" drop constraint "webhook_endpoint_account_id_foreign";`);

    this.addSql(`alter table "webhook_event" drop constraint "webhook_event_account_id_foreign";`);
    this.addSql(`alter table "webhook_event" drop constraint "webhook_event_wallet_id_foreign";`);
  }

}
