import { Migration } from '@mikro-orm/migrations';

// Same policy as Migration20261125050000_tenancy (see there for why NULLIF).
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

const TABLES = ['event_subscriptions', 'event_deliveries'];

/**
 * Outgoing event webhooks (decision 0019). Events are written by triggers, so the execution hot
 * path (0008) is not touched: the executions trigger fires only on a change to a final status
 * and inserts one delivery per matching enabled subscription — with none, its cost is one probe
 * of the partial index `event_subscriptions_enabled_org_idx`, which is empty for organizations
 * without subscriptions. The functions run as the caller: RLS applies (the worker's system
 * sessions see every organization, a request's session its own, which is the row's).
 */
export class Migration20261125130000_event_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "event_subscriptions" ("id" uuid not null, "organization_id" uuid not null, "url" text not null, "description" text null, "event_types" text[] not null, "workflow_ids" uuid[] null, "enabled" boolean not null default true, "disabled_reason" text null, "failing_since" timestamptz null, "secret_enc" text not null, "created_by" uuid null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "event_subscriptions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "event_subscriptions" add constraint "event_subscriptions_organization_id_fk" foreign key ("organization_id") references "organizations" ("id") on delete cascade;`,
    );
    this.addSql(
      `create index "event_subscriptions_organization_id_index" on "event_subscriptions" ("organization_id");`,
    );
    this.addSql(
      `create index "event_subscriptions_enabled_org_idx" on "event_subscriptions" ("organization_id") where "enabled";`,
    );
    this.addSql(
      `create table "event_deliveries" ("id" uuid not null default gen_random_uuid(), "organization_id" uuid not null, "subscription_id" uuid not null, "event_id" uuid not null, "event_type" text not null, "data" jsonb not null, "event_created_at" timestamptz not null, "status" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_attempt_at" timestamptz null, "last_status_code" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "event_deliveries_pkey" primary key ("id"), constraint "event_deliveries_status_check" check ("status" in ('pending', 'delivered', 'failed')));`,
    );
    this.addSql(
      `alter table "event_deliveries" add constraint "event_deliveries_subscription_id_fk" foreign key ("subscription_id") references "event_subscriptions" ("id") on delete cascade;`,
    );
    this.addSql(
      `create index "event_deliveries_organization_id_index" on "event_deliveries" ("organization_id");`,
    );
    this.addSql(
      `create index "event_deliveries_subscription_created_idx" on "event_deliveries" ("subscription_id", "created_at" desc);`,
    );
    this.addSql(
      `create index "event_deliveries_due_idx" on "event_deliveries" ("next_attempt_at") where "status" = 'pending';`,
    );
    for (const table of TABLES) {
      this.addSql(`grant select, insert, update, delete on "${table}" to maestro_app;`);
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy "${table}_org_isolation" on "${table}" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
      );
    }
    // ISO 8601 in UTC, as the API writes times (JSON of a timestamptz follows the session's zone).
    this.addSql(`create or replace function maestro_iso_time(t timestamptz) returns text
      language sql immutable as $fn$ select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $fn$;`);
    // The insert is written out in each trigger function (not a shared SQL function): PL/pgSQL
    // caches its plan, where calling a SQL function re-plans it every time (~40x the cost).
    this.addSql(`create or replace function maestro_execution_event() returns trigger
language plpgsql as $fn$
begin
  if exists (select 1 from event_subscriptions s where s.organization_id = new.organization_id and s.enabled) then
    insert into event_deliveries (organization_id, subscription_id, event_id, event_type, data, event_created_at, next_attempt_at)
    select s.organization_id, s.id, e.id, e.type,
           jsonb_build_object('executionId', new.id, 'workflowId', new.workflow_id, 'status', new.status,
             'trigger', new.trigger_kind, 'attempt', new.attempt, 'createdAt', maestro_iso_time(new.created_at),
             'startedAt', maestro_iso_time(new.started_at), 'finishedAt', maestro_iso_time(new.finished_at)),
           now(), now()
      from (select gen_random_uuid() as id,
                   case new.status when 'success' then 'execution.succeeded'
                     when 'failed' then 'execution.failed' else 'execution.canceled' end as type) e
      join event_subscriptions s on s.organization_id = new.organization_id and s.enabled
       and e.type = any(s.event_types)
       and (s.workflow_ids is null or new.workflow_id = any(s.workflow_ids));
  end if;
  return null;
end $fn$;`);
    this.addSql(`create trigger "executions_finished_event" after update of "status" on "executions"
      for each row when (old.status is distinct from new.status and new.status in ('success', 'failed', 'canceled'))
      execute function maestro_execution_event();`);
    this.addSql(`create or replace function maestro_workflow_event() returns trigger
language plpgsql as $fn$
begin
  insert into event_deliveries (organization_id, subscription_id, event_id, event_type, data, event_created_at, next_attempt_at)
  select s.organization_id, s.id, e.id, e.type,
         jsonb_build_object('workflowId', new.id, 'name', new.name, 'enabled', new.enabled,
           'reason', case when new.enabled then null else new.disabled_reason end),
         now(), now()
    from (select gen_random_uuid() as id,
                 case when new.enabled then 'workflow.enabled' else 'workflow.disabled' end as type) e
    join event_subscriptions s on s.organization_id = new.organization_id and s.enabled
     and e.type = any(s.event_types)
     and (s.workflow_ids is null or new.id = any(s.workflow_ids));
  return null;
end $fn$;`);
    this.addSql(`create trigger "workflows_enabled_event" after update of "enabled" on "workflows"
      for each row when (old.enabled is distinct from new.enabled)
      execute function maestro_workflow_event();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "workflows_enabled_event" on "workflows";`);
    this.addSql(`drop trigger if exists "executions_finished_event" on "executions";`);
    this.addSql(`drop function if exists maestro_workflow_event();`);
    this.addSql(`drop function if exists maestro_execution_event();`);
    this.addSql(`drop function if exists maestro_iso_time(timestamptz);`);
    for (const table of [...TABLES].reverse())
      this.addSql(`drop table if exists "${table}" cascade;`);
  }
}
