import { Migration } from '@mikro-orm/migrations';

/**
 * Written by hand (the schema generator has no notion of these): foreign keys between the
 * scalar id columns, the default plan, the application role, and row-level security.
 *
 * The entities keep plain `*_id` columns instead of ORM relations so raw SQL in the worker,
 * relay and scheduler stays simple; referential integrity lives here instead.
 */

const ORG_TABLES = [
  'memberships',
  'api_keys',
  'workflows',
  'workflow_versions',
  'triggers',
  'executions',
  'execution_steps',
  'execution_logs',
  'webhook_dedupes',
  'idempotency_records',
  'outbox',
  'connectors',
  'connections',
  'audit_events',
  'notifications',
];

// NULLIF: once a session has set a custom setting, "unset" reads back as '' (not NULL) and ''::uuid throws.
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

const FOREIGN_KEYS: [table: string, column: string, target: string, onDelete: string][] = [
  ['organizations', 'plan_id', 'plans', 'restrict'],
  ['memberships', 'organization_id', 'organizations', 'cascade'],
  ['memberships', 'user_id', 'users', 'cascade'],
  ['api_keys', 'organization_id', 'organizations', 'cascade'],
  ['refresh_tokens', 'user_id', 'users', 'cascade'],
  ['workflows', 'organization_id', 'organizations', 'cascade'],
  ['workflow_versions', 'workflow_id', 'workflows', 'cascade'],
  ['triggers', 'workflow_id', 'workflows', 'cascade'],
  ['triggers', 'version_id', 'workflow_versions', 'cascade'],
  ['schedule_fires', 'trigger_id', 'triggers', 'cascade'],
  ['executions', 'workflow_id', 'workflows', 'cascade'],
  ['executions', 'version_id', 'workflow_versions', 'cascade'],
  ['execution_steps', 'execution_id', 'executions', 'cascade'],
  ['execution_logs', 'execution_id', 'executions', 'cascade'],
  ['webhook_dedupes', 'trigger_id', 'triggers', 'cascade'],
  ['connectors', 'organization_id', 'organizations', 'cascade'],
  ['connections', 'organization_id', 'organizations', 'cascade'],
  ['connections', 'connector_id', 'connectors', 'set null'],
  ['notifications', 'organization_id', 'organizations', 'cascade'],
];

export class Migration20261125050000_tenancy extends Migration {
  override async up(): Promise<void> {
    for (const [table, column, target, onDelete] of FOREIGN_KEYS) {
      this.addSql(
        `alter table "${table}" add constraint "${table}_${column}_fk" foreign key ("${column}") references "${target}" ("id") on delete ${onDelete} deferrable initially deferred;`,
      );
    }
    this.addSql(
      `insert into "plans" ("id", "name", "max_concurrent_executions") values ('free', 'Free', 10) on conflict do nothing;`,
    );

    // Roles are cluster-wide: several databases (and parallel test runs) may race to create it.
    this.addSql(`do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'maestro_app') then
    create role maestro_app nologin;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;`);
    this.addSql(`do $$ begin
  execute format('grant maestro_app to %I', current_user);
exception when others then null;
end $$;`);
    this.addSql(`do $$ begin
  execute format('grant usage on schema %I to maestro_app', current_schema());
  execute format('grant select, insert, update, delete on all tables in schema %I to maestro_app', current_schema());
  execute format('grant usage, select on all sequences in schema %I to maestro_app', current_schema());
  execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to maestro_app', current_schema());
  execute format('alter default privileges in schema %I grant usage, select on sequences to maestro_app', current_schema());
end $$;`);
    // Audit events are append-only for the application.
    this.addSql(`revoke update, delete on "audit_events" from maestro_app;`);
    this.addSql(`revoke all on "mikro_orm_migrations" from maestro_app;`);

    for (const table of ORG_TABLES) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy "${table}_org_isolation" on "${table}" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
      );
    }
    this.addSql(`alter table "organizations" enable row level security;`);
    this.addSql(`alter table "organizations" force row level security;`);
    this.addSql(
      `create policy "organizations_org_isolation" on "organizations" using ("id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
    );
  }

  override async down(): Promise<void> {
    for (const table of [...ORG_TABLES, 'organizations']) {
      this.addSql(`drop policy if exists "${table}_org_isolation" on "${table}";`);
      this.addSql(`alter table "${table}" no force row level security;`);
      this.addSql(`alter table "${table}" disable row level security;`);
    }
    for (const [table, column] of FOREIGN_KEYS) {
      this.addSql(`alter table "${table}" drop constraint if exists "${table}_${column}_fk";`);
    }
  }
}
