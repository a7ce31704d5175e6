import { Migration } from '@mikro-orm/migrations';

// Same policy as Migration20261125050000_tenancy (see there for why NULLIF).
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

const TABLES = ['failure_alert_cursors', 'failure_alerts', 'alert_settings'];

/**
 * Failure alerts (decision 0016): a cursor per workflow, the digests sent, members' muting;
 * and a partial index of failed executions by finish time, which the scheduler's alert job
 * scans every 30 s (only failed rows enter it, so the execution hot path barely pays).
 */
export class Migration20261125103000_failure_alerts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "failure_alert_cursors" ("workflow_id" uuid not null, "organization_id" uuid not null, "alerted_through" timestamptz not null, "last_alert_at" timestamptz null, constraint "failure_alert_cursors_pkey" primary key ("workflow_id"));`,
    );
    this.addSql(
      `create index "failure_alert_cursors_organization_id_index" on "failure_alert_cursors" ("organization_id");`,
    );
    this.addSql(
      `create table "failure_alerts" ("id" uuid not null, "organization_id" uuid not null, "workflow_id" uuid not null, "failures" int not null, "first_failed_at" timestamptz not null, "last_failed_at" timestamptz not null, "first_error" jsonb null, "latest_execution_ids" jsonb not null, "recipient_ids" jsonb not null, "email_pending" jsonb not null, "email_attempts" int not null default 0, "last_email_error" text null, "emailed_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "failure_alerts_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "failure_alerts_organization_id_index" on "failure_alerts" ("organization_id");`,
    );
    this.addSql(
      `create index "failure_alerts_workflow_created_idx" on "failure_alerts" ("workflow_id", "created_at" desc);`,
    );
    this.addSql(
      `create index "failure_alerts_unsent_idx" on "failure_alerts" ("created_at") where "emailed_at" is null;`,
    );
    this.addSql(
      `create table "alert_settings" ("organization_id" uuid not null, "user_id" uuid not null, "mute_all" boolean not null default false, "muted_workflow_ids" jsonb not null, "updated_at" timestamptz not null default now(), constraint "alert_settings_pkey" primary key ("organization_id", "user_id"));`,
    );
    this.addSql(
      `create index "executions_failed_finished_idx" on "executions" ("finished_at", "workflow_id", "organization_id") where "status" = 'failed';`,
    );

    this.addSql(
      `alter table "failure_alert_cursors" add constraint "failure_alert_cursors_workflow_id_fk" foreign key ("workflow_id") references "workflows" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(
      `alter table "failure_alerts" add constraint "failure_alerts_workflow_id_fk" foreign key ("workflow_id") references "workflows" ("id") on delete cascade deferrable initially deferred;`,
    );
    // A member who leaves takes their settings along.
    this.addSql(
      `alter table "alert_settings" add constraint "alert_settings_membership_fk" foreign key ("organization_id", "user_id") references "memberships" ("organization_id", "user_id") on delete cascade deferrable initially deferred;`,
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
    this.addSql(`drop index if exists "executions_failed_finished_idx";`);
  }
}
