import { Migration } from '@mikro-orm/migrations';

/** Login failure counters shared by every API process (runner/src/identity/login-throttle.ts). */
export class Migration20261125055915_login_throttle extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "login_failures" ("key" varchar(300) not null, "failures" int not null, "window_start" timestamptz not null, "locked_until" timestamptz null, constraint "login_failures_pkey" primary key ("key"));`,
    );
    this.addSql(
      `create index "login_failures_window_start_index" on "login_failures" ("window_start");`,
    );
    this.addSql(`grant select, insert, update, delete on "login_failures" to maestro_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "login_failures" cascade;`);
  }
}
