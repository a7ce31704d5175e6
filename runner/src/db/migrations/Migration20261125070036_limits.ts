import { Migration } from '@mikro-orm/migrations';

const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

/**
 * Plan quotas and shared rate-limit counters (runner/src/modules/quotas, runner/src/http/rate-limits.ts):
 * `plans.max_executions_per_month` (renamed from the unused `executions_per_month`; null =
 * unlimited), `execution_usage` (org-owned: RLS like the tenancy tables) and the UNLOGGED
 * `rate_limit_hits`.
 */
export class Migration20261125070036_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "plans" rename column "executions_per_month" to "max_executions_per_month";`,
    );
    this.addSql(
      `create table "execution_usage" ("organization_id" uuid not null, "month" date not null, "shard" smallint not null, "executions" int not null, constraint "execution_usage_pkey" primary key ("organization_id", "month", "shard"));`,
    );
    this.addSql(
      `alter table "execution_usage" add constraint "execution_usage_organization_id_fk" foreign key ("organization_id") references "organizations" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(`alter table "execution_usage" enable row level security;`);
    this.addSql(`alter table "execution_usage" force row level security;`);
    this.addSql(
      `create policy "execution_usage_org_isolation" on "execution_usage" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
    );
    this.addSql(`grant select, insert, update, delete on "execution_usage" to maestro_app;`);

    this.addSql(
      `create unlogged table "rate_limit_hits" ("key" varchar(300) not null, "window_start" timestamptz not null, "hits" int not null, constraint "rate_limit_hits_pkey" primary key ("key"));`,
    );
    this.addSql(
      `create index "rate_limit_hits_window_start_index" on "rate_limit_hits" ("window_start");`,
    );
    this.addSql(`grant select, insert, update, delete on "rate_limit_hits" to maestro_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_hits" cascade;`);
    this.addSql(`drop table if exists "execution_usage" cascade;`);
    this.addSql(
      `alter table "plans" rename column "max_executions_per_month" to "executions_per_month";`,
    );
  }
}
