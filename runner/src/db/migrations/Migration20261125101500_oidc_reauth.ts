import { Migration } from '@mikro-orm/migrations';

/**
 * Step-up re-authentication through the identity provider (2FA enrolment of users without a
 * password): the sign-in row names the signed-in user who asked for it.
 */
export class Migration20261125101500_oidc_reauth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "oidc_logins" add column "reauth_user_id" uuid null;`);
    this.addSql(
      `alter table "oidc_logins" add constraint "oidc_logins_reauth_user_id_fk" foreign key ("reauth_user_id") references "users" ("id") on delete cascade deferrable initially deferred;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "oidc_logins" drop column if exists "reauth_user_id";`);
  }
}
