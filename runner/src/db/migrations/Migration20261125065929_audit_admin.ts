import { Migration } from '@mikro-orm/migrations';

/**
 * Audit trail "from where" (user agent, request id) and the index its filtered, newest-first
 * pages use; the platform administrator flag and account disabling on users.
 */
export class Migration20261125065929_audit_admin extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "audit_events" add column "user_agent" text null, add column "request_id" varchar(255) null;`,
    );
    this.addSql(
      `create index "audit_events_organization_id_id_index" on "audit_events" ("organization_id", "id");`,
    );
    // Restated (the tenancy migration already revokes them): the application only appends.
    this.addSql(`revoke update, delete, truncate on "audit_events" from maestro_app;`);
    this.addSql(
      `alter table "users" add column "platform_admin" boolean not null default false, add column "disabled_at" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column "platform_admin", drop column "disabled_at";`);
    this.addSql(`drop index if exists "audit_events_organization_id_id_index";`);
    this.addSql(`alter table "audit_events" drop column "user_agent", drop column "request_id";`);
  }
}
