import { Migration } from '@mikro-orm/migrations';

export class Migration20261201002942 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "live_socket" ("id" uuid not null, "created_at" timestamptz not null default now(), "instance_id" uuid not null, "account_id" uuid not null, "api_key_id" uuid null, "session_id" uuid null, constraint "live_socket_pkey" primary key ("id"));`);
    this.addSql(`create index "live_socket_instance_id_index" on "live_socket" ("instance_id");`);
    this.addSql(`create index "live_socket_account_id_index" on "live_socket" ("account_id");`);
    this.addSql(`create index "live_socket_api_key_id_index" on "live_socket" ("api_key_id");`);

    this.addSql(`create table "login_throttle" ("key" text not null, "points" int not null default 0, "expire" bigint null, constraint "login_throttle_pkey" primary key ("key"));`);
    this.addSql(`create index "login_throttle_expire_index" on "login_throttle" ("expire");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "live_socket" cascade;`);

    this.addSql(`drop table if exists "login_throttle" cascade;`);
  }

}
