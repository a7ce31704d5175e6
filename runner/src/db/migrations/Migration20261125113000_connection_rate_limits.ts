import { Migration } from '@mikro-orm/migrations';

// Same policy as Migration20261125050000_tenancy (see there for why NULLIF).
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

/**
 * Per-connection rate limits (decision 0017): the limit on the connection, the slots reserved by
 * every worker in their own table (so taking a slot never waits behind a token refresh's lock).
 */
export class Migration20261125113000_connection_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "connections"
      add column "rate_limit_requests" int null,
      add column "rate_limit_interval_ms" int null,
      add constraint "connections_rate_limit_check" check (
        ("rate_limit_requests" is null) = ("rate_limit_interval_ms" is null)
        and coalesce("rate_limit_requests", 1) between 1 and 1000
        and coalesce("rate_limit_interval_ms", 1000) between 1000 and 86400000);`);
    this.addSql(
      `create table "connection_rate_slots" ("connection_id" uuid not null, "organization_id" uuid not null, "slots" jsonb not null default '[]', constraint "connection_rate_slots_pkey" primary key ("connection_id"));`,
    );
    this.addSql(
      `create index "connection_rate_slots_organization_id_index" on "connection_rate_slots" ("organization_id");`,
    );
    this.addSql(
      `alter table "connection_rate_slots" add constraint "connection_rate_slots_connection_id_fk" foreign key ("connection_id") references "connections" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(`grant select, insert, update, delete on "connection_rate_slots" to maestro_app;`);
    this.addSql(`alter table "connection_rate_slots" enable row level security;`);
    this.addSql(`alter table "connection_rate_slots" force row level security;`);
    this.addSql(
      `create policy "connection_rate_slots_org_isolation" on "connection_rate_slots" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "connection_rate_slots" cascade;`);
    this.addSql(`alter table "connections"
      drop constraint if exists "connections_rate_limit_check",
      drop column if exists "rate_limit_requests", drop column if exists "rate_limit_interval_ms";`);
  }
}
