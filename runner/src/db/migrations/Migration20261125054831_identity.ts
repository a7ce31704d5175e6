import { Migration } from '@mikro-orm/migrations';

/** Identity (runner/src/identity): TOTP second factor, recovery codes, per-organization IP allowlists. */
export class Migration20261125054831_identity extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "recovery_codes" ("id" uuid not null, "user_id" uuid not null, "hash" varchar(255) not null, "used_at" timestamptz null, constraint "recovery_codes_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "recovery_codes_user_id_index" on "recovery_codes" ("user_id");`);
    this.addSql(
      `alter table "recovery_codes" add constraint "recovery_codes_hash_unique" unique ("hash");`,
    );

    this.addSql(
      `create table "user_totp" ("user_id" uuid not null, "secret_enc" text not null, "enabled_at" timestamptz null, "last_step" bigint null, "created_at" timestamptz not null default now(), constraint "user_totp_pkey" primary key ("user_id"));`,
    );

    // Foreign keys and grants, as in the tenancy migration (users are platform-wide: no RLS).
    this.addSql(
      `alter table "recovery_codes" add constraint "recovery_codes_user_id_fk" foreign key ("user_id") references "users" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(
      `alter table "user_totp" add constraint "user_totp_user_id_fk" foreign key ("user_id") references "users" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(
      `grant select, insert, update, delete on "recovery_codes", "user_totp" to maestro_app;`,
    );
    this.addSql(
      `alter table "organizations" add column "api_ip_allowlist" jsonb null, add column "webhook_ip_allowlist" jsonb null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "recovery_codes" cascade;`);

    this.addSql(`drop table if exists "user_totp" cascade;`);

    this.addSql(
      `alter table "organizations" drop column "api_ip_allowlist", drop column "webhook_ip_allowlist";`,
    );
  }
}
