import { Migration } from '@mikro-orm/migrations';

/**
 * OAuth 2.0 connections (decision 0017): the token endpoint settings and the refresh state are
 * plain columns beside the sealed secret (client secret, refresh and access tokens stay in
 * `secret_enc`). The partial index serves the scheduler's "due for a refresh" query.
 */
export class Migration20261125110000_oauth2_connections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "connections"
      add column "token_url" text null,
      add column "grant_type" varchar(32) null,
      add column "scope" text null,
      add column "client_auth" varchar(16) null,
      add column "status" varchar(32) not null default 'ok',
      add column "expires_at" timestamptz null,
      add column "refresh_due_at" timestamptz null,
      add column "last_refreshed_at" timestamptz null,
      add column "last_error" text null,
      add column "refresh_failures" int not null default 0,
      add column "reauth_notified_at" timestamptz null;`);
    this.addSql(
      `alter table "connections" add constraint "connections_status_check" check ("status" in ('ok', 'refresh_failed', 'needs_reauthorization'));`,
    );
    this.addSql(
      `create index "connections_refresh_due_idx" on "connections" ("refresh_due_at") where "kind" = 'oauth2' and "refresh_due_at" is not null;`,
    );
    this.addSql(
      `create index "connections_reauth_pending_idx" on "connections" ("id") where "status" = 'needs_reauthorization' and "reauth_notified_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "connections_reauth_pending_idx";`);
    this.addSql(`drop index if exists "connections_refresh_due_idx";`);
    this.addSql(`alter table "connections"
      drop constraint if exists "connections_status_check",
      drop column if exists "token_url", drop column if exists "grant_type",
      drop column if exists "scope", drop column if exists "client_auth",
      drop column if exists "status", drop column if exists "expires_at",
      drop column if exists "refresh_due_at", drop column if exists "last_refreshed_at",
      drop column if exists "last_error", drop column if exists "refresh_failures",
      drop column if exists "reauth_notified_at";`);
  }
}
