import { Migration } from '@mikro-orm/migrations';

/** OpenID Connect sign-in (runner/src/identity/oidc): linked identities and sign-ins in flight. */
export class Migration20261125070843_oidc extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "user_identities" ("id" uuid not null, "provider_id" varchar(32) not null, "subject" varchar(255) not null, "user_id" uuid not null, "email" varchar(255) not null, "created_at" timestamptz not null default now(), "last_login_at" timestamptz null, constraint "user_identities_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "user_identities_user_id_index" on "user_identities" ("user_id");`);
    this.addSql(
      `alter table "user_identities" add constraint "user_identities_provider_id_subject_unique" unique ("provider_id", "subject");`,
    );
    this.addSql(
      `create table "oidc_logins" ("id" uuid not null, "provider_id" varchar(32) not null, "state_hash" varchar(64) null, "nonce" varchar(128) not null, "code_verifier_enc" text not null, "redirect_uri" text not null, "client_state" varchar(500) null, "client_challenge" varchar(64) not null, "user_id" uuid null, "code_hash" varchar(64) null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), constraint "oidc_logins_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "oidc_logins" add constraint "oidc_logins_state_hash_unique" unique ("state_hash");`,
    );
    this.addSql(
      `alter table "oidc_logins" add constraint "oidc_logins_code_hash_unique" unique ("code_hash");`,
    );
    this.addSql(`create index "oidc_logins_expires_at_index" on "oidc_logins" ("expires_at");`);

    // Foreign keys and grants, as in the identity migration (platform-wide tables: no RLS).
    this.addSql(
      `alter table "user_identities" add constraint "user_identities_user_id_fk" foreign key ("user_id") references "users" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(
      `alter table "oidc_logins" add constraint "oidc_logins_user_id_fk" foreign key ("user_id") references "users" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(
      `grant select, insert, update, delete on "user_identities", "oidc_logins" to maestro_app;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oidc_logins" cascade;`);
    this.addSql(`drop table if exists "user_identities" cascade;`);
  }
}
