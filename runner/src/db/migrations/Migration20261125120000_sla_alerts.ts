import { Migration } from '@mikro-orm/migrations';

// Same policy as Migration20261125050000_tenancy (see there for why NULLIF).
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

const TABLES = ['workflow_slas', 'sla_alert_cursors', 'sla_alerts'];

/**
 * SLA alerts (decision 0018): per-workflow limits, a cursor per workflow and the digests sent
 * (the same shape and outbox columns as the failure alerts of 0016); and a partial index of
 * executions that took at least 10 s from creation to finish. Only such (rare) rows pay an
 * index entry, on the update that finishes them; it finds runs that breached and finished
 * between two passes of the job. Running and pending rows are found through
 * executions_status_created_at_index, which every execution already maintains.
 */
export class Migration20261125120000_sla_alerts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "workflow_slas" ("workflow_id" uuid not null, "organization_id" uuid not null, "max_duration_seconds" int not null, "max_start_delay_seconds" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "workflow_slas_pkey" primary key ("workflow_id"));`,
    );
    this.addSql(
      `create index "workflow_slas_organization_id_index" on "workflow_slas" ("organization_id");`,
    );
    this.addSql(
      `create table "sla_alert_cursors" ("workflow_id" uuid not null, "organization_id" uuid not null, "alerted_through" timestamptz not null, "last_alert_at" timestamptz null, constraint "sla_alert_cursors_pkey" primary key ("workflow_id"));`,
    );
    this.addSql(
      `create index "sla_alert_cursors_organization_id_index" on "sla_alert_cursors" ("organization_id");`,
    );
    this.addSql(
      `create table "sla_alerts" ("id" uuid not null, "organization_id" uuid not null, "workflow_id" uuid not null, "breach_count" int not null, "first_breached_at" timestamptz not null, "last_breached_at" timestamptz not null, "breaches" jsonb not null, "max_duration_seconds" int not null, "max_start_delay_seconds" int null, "recipient_ids" jsonb not null, "email_pending" jsonb not null, "email_attempts" int not null default 0, "last_email_error" text null, "emailed_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "sla_alerts_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "sla_alerts_organization_id_index" on "sla_alerts" ("organization_id");`,
    );
    this.addSql(
      `create index "sla_alerts_workflow_created_idx" on "sla_alerts" ("workflow_id", "created_at" desc);`,
    );
    this.addSql(
      `create index "sla_alerts_unsent_idx" on "sla_alerts" ("created_at") where "emailed_at" is null;`,
    );
    this.addSql(
      `create index "executions_slow_turnaround_idx" on "executions" ("workflow_id", "finished_at") where "finished_at" - "created_at" >= interval '10 seconds';`,
    );
    for (const table of TABLES)
      this.addSql(
        `alter table "${table}" add constraint "${table}_workflow_id_fk" foreign key ("workflow_id") references "workflows" ("id") on delete cascade deferrable initially deferred;`,
      );
    for (const table of TABLES) {
      this.addSql(`grant select, insert, update, delete on "${table}" to maestro_app;`);
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy "${table}_org_isolation" on "${table}" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of TABLES) this.addSql(`drop table if exists "${table}" cascade;`);
    this.addSql(`drop index if exists "executions_slow_turnaround_idx";`);
  }
}
