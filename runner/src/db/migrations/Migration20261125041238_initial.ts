import { Migration } from '@mikro-orm/migrations';

export class Migration20261125041238_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_keys" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(255) not null, "prefix" varchar(32) not null, "hash" varchar(255) not null, "scopes" jsonb not null default '[]', "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_by" uuid null, "created_at" timestamptz not null default now(), constraint "api_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "api_keys_organization_id_index" on "api_keys" ("organization_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_hash_unique" unique ("hash");`);

    this.addSql(
      `create table "audit_events" ("id" uuid not null, "organization_id" uuid null, "actor_user_id" uuid null, "actor_api_key_id" uuid null, "action" varchar(255) not null, "target_type" varchar(255) not null, "target_id" varchar(255) null, "ip" varchar(255) null, "at" timestamptz not null default now(), "details" jsonb null, constraint "audit_events_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "audit_events_organization_id_index" on "audit_events" ("organization_id");`,
    );

    this.addSql(
      `create table "connections" ("id" uuid not null, "organization_id" uuid not null, "connector_id" uuid null, "name" varchar(255) not null, "kind" varchar(255) not null, "secret_enc" text not null, "created_at" timestamptz not null default now(), constraint "connections_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "connections_organization_id_index" on "connections" ("organization_id");`,
    );
    this.addSql(
      `alter table "connections" add constraint "connections_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "connectors" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(255) not null, "kind" varchar(255) not null, "config" jsonb not null default '{}', "created_at" timestamptz not null default now(), constraint "connectors_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "connectors_organization_id_index" on "connectors" ("organization_id");`,
    );

    this.addSql(
      `create table "executions" ("id" uuid not null, "organization_id" uuid not null, "workflow_id" uuid not null, "version_id" uuid not null, "status" text check ("status" in ('pending', 'running', 'success', 'failed', 'canceled')) not null default 'pending', "trigger_kind" text check ("trigger_kind" in ('api', 'webhook', 'schedule', 'poll')) not null, "input" jsonb null, "result" jsonb null, "error" jsonb null, "attempt" int not null default 0, "idempotency_key" varchar(255) null, "dedupe_key" varchar(255) null, "created_at" timestamptz not null default now(), "started_at" timestamptz null, "finished_at" timestamptz null, "claimed_by" varchar(255) null, "heartbeat_at" timestamptz null, "cancel_requested_at" timestamptz null, constraint "executions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "executions_organization_id_index" on "executions" ("organization_id");`,
    );
    this.addSql(
      `create index "executions_workflow_created_idx" on "executions" ("workflow_id", "created_at" desc, "id" desc);`,
    );
    this.addSql(
      `create index "executions_status_created_at_index" on "executions" ("status", "created_at");`,
    );
    this.addSql(
      `create unique index "executions_org_idempotency_key_unique" on "executions" ("organization_id", "idempotency_key") where "idempotency_key" is not null;`,
    );

    this.addSql(
      `create table "execution_logs" ("id" bigserial primary key, "organization_id" uuid not null, "execution_id" uuid not null, "step_id" varchar(255) null, "level" varchar(8) not null, "message" text not null, "at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "execution_logs_organization_id_index" on "execution_logs" ("organization_id");`,
    );
    this.addSql(
      `create index "execution_logs_execution_id_id_index" on "execution_logs" ("execution_id", "id");`,
    );

    this.addSql(
      `create table "execution_steps" ("id" uuid not null, "organization_id" uuid not null, "execution_id" uuid not null, "step_id" varchar(255) not null, "status" varchar(16) not null, "attempts" int not null default 0, "output" jsonb null, "port" varchar(255) null, "error" jsonb null, "duration_ms" int null, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "execution_steps_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "execution_steps_organization_id_index" on "execution_steps" ("organization_id");`,
    );
    this.addSql(
      `alter table "execution_steps" add constraint "execution_steps_execution_id_step_id_unique" unique ("execution_id", "step_id");`,
    );

    this.addSql(
      `create table "idempotency_records" ("organization_id" uuid not null, "key" varchar(255) not null, "request_hash" varchar(64) not null, "status_code" int not null, "response" jsonb null, "created_at" timestamptz not null default now(), constraint "idempotency_records_pkey" primary key ("organization_id", "key"));`,
    );

    this.addSql(
      `create table "memberships" ("id" uuid not null, "organization_id" uuid not null, "user_id" uuid not null, "role" text check ("role" in ('owner', 'admin', 'member')) not null, "created_at" timestamptz not null default now(), constraint "memberships_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "memberships_organization_id_index" on "memberships" ("organization_id");`,
    );
    this.addSql(`create index "memberships_user_id_index" on "memberships" ("user_id");`);
    this.addSql(
      `alter table "memberships" add constraint "memberships_organization_id_user_id_unique" unique ("organization_id", "user_id");`,
    );

    this.addSql(
      `create table "notifications" ("id" uuid not null, "organization_id" uuid not null, "user_id" uuid null, "kind" varchar(255) not null, "title" varchar(255) not null, "body" text not null, "read_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "notifications_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "notifications_organization_id_index" on "notifications" ("organization_id");`,
    );
    this.addSql(`create index "notifications_user_id_index" on "notifications" ("user_id");`);

    this.addSql(
      `create table "organizations" ("id" uuid not null, "name" varchar(255) not null, "plan_id" varchar(64) not null default 'free', "concurrency_limit" int null, "allow_private_network" boolean not null default false, "created_at" timestamptz not null default now(), constraint "organizations_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "outbox" ("id" bigserial primary key, "organization_id" uuid not null, "topic" varchar(255) not null, "payload" jsonb not null, "created_at" timestamptz not null default now(), "sent_at" timestamptz null, "attempts" int not null default 0);`,
    );
    this.addSql(`create index "outbox_organization_id_index" on "outbox" ("organization_id");`);
    this.addSql(`create index "outbox_unsent_idx" on "outbox" ("id") where "sent_at" is null;`);

    this.addSql(
      `create table "plans" ("id" varchar(64) not null, "name" varchar(255) not null, "max_concurrent_executions" int not null default 10, "executions_per_month" int null, constraint "plans_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "refresh_tokens" ("id" uuid not null, "user_id" uuid not null, "family_id" uuid not null, "hash" varchar(255) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "refresh_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "refresh_tokens_user_id_index" on "refresh_tokens" ("user_id");`);
    this.addSql(`create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");`);
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_hash_unique" unique ("hash");`,
    );

    this.addSql(
      `create table "schedule_fires" ("trigger_id" uuid not null, "due_at" timestamptz not null, "execution_id" uuid null, "fired_at" timestamptz not null default now(), constraint "schedule_fires_pkey" primary key ("trigger_id", "due_at"));`,
    );

    this.addSql(
      `create table "triggers" ("id" uuid not null, "organization_id" uuid not null, "workflow_id" uuid not null, "version_id" uuid not null, "kind" text check ("kind" in ('webhook', 'schedule', 'poll', 'manual')) not null, "webhook_token" varchar(255) null, "webhook_method" varchar(10) null, "respond_mode" varchar(16) null, "hmac_secret_enc" text null, "cron" varchar(255) null, "timezone" varchar(255) null, "next_due_at" timestamptz null, "poll_interval_seconds" int null, "poll_state" jsonb null, "active" boolean not null default true, "created_at" timestamptz not null default now(), constraint "triggers_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "triggers_organization_id_index" on "triggers" ("organization_id");`);
    this.addSql(`create index "triggers_workflow_id_index" on "triggers" ("workflow_id");`);
    this.addSql(
      `alter table "triggers" add constraint "triggers_webhook_token_unique" unique ("webhook_token");`,
    );
    this.addSql(
      `create index "triggers_kind_active_next_due_at_index" on "triggers" ("kind", "active", "next_due_at");`,
    );

    this.addSql(
      `create table "users" ("id" uuid not null, "email" varchar(255) not null, "name" varchar(255) not null, "password_hash" varchar(255) null, "email_verified_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "webhook_dedupes" ("trigger_id" uuid not null, "key" varchar(255) not null, "organization_id" uuid not null, "execution_id" uuid not null, "expires_at" timestamptz not null, constraint "webhook_dedupes_pkey" primary key ("trigger_id", "key"));`,
    );
    this.addSql(
      `create index "webhook_dedupes_organization_id_index" on "webhook_dedupes" ("organization_id");`,
    );
    this.addSql(
      `create index "webhook_dedupes_expires_at_index" on "webhook_dedupes" ("expires_at");`,
    );

    this.addSql(
      `create table "workflows" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(255) not null, "active_version_id" uuid null, "enabled" boolean not null default true, "disabled_reason" varchar(255) null, "consecutive_failures" int not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "workflows_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "workflows_organization_id_index" on "workflows" ("organization_id");`,
    );

    this.addSql(
      `create table "workflow_versions" ("id" uuid not null, "organization_id" uuid not null, "workflow_id" uuid not null, "version" int not null, "definition" jsonb not null, "created_at" timestamptz not null default now(), "created_by" uuid null, constraint "workflow_versions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "workflow_versions_organization_id_index" on "workflow_versions" ("organization_id");`,
    );
    this.addSql(
      `alter table "workflow_versions" add constraint "workflow_versions_workflow_id_version_unique" unique ("workflow_id", "version");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "connections" cascade;`);

    this.addSql(`drop table if exists "connectors" cascade;`);

    this.addSql(`drop table if exists "executions" cascade;`);

    this.addSql(`drop table if exists "execution_logs" cascade;`);

    this.addSql(`drop table if exists "execution_steps" cascade;`);

    this.addSql(`drop table if exists "idempotency_records" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);

    this.addSql(`drop table if exists "notifications" cascade;`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "outbox" cascade;`);

    this.addSql(`drop table if exists "plans" cascade;`);

    this.addSql(`drop table if exists "refresh_tokens" cascade;`);

    this.addSql(`drop table if exists "schedule_fires" cascade;`);

    this.addSql(`drop table if exists "triggers" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "webhook_dedupes" cascade;`);

    this.addSql(`drop table if exists "workflows" cascade;`);

    this.addSql(`drop table if exists "workflow_versions" cascade;`);
  }
}
