import { Migration } from '@mikro-orm/migrations';

// Same policy as Migration20261125050000_tenancy (see there for why NULLIF).
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;

/** Organization variables: `env` of runs on the runner (runner/src/modules/variables). */
export class Migration20261125070503_organization_variables extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "organization_variables" ("id" uuid not null, "organization_id" uuid not null, "key" varchar(100) not null, "value" text not null, "secret" boolean not null default false, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "updated_by" uuid null, constraint "organization_variables_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "organization_variables_organization_id_index" on "organization_variables" ("organization_id");`,
    );
    this.addSql(
      `alter table "organization_variables" add constraint "organization_variables_organization_id_key_unique" unique ("organization_id", "key");`,
    );
    this.addSql(
      `alter table "organization_variables" add constraint "organization_variables_organization_id_fk" foreign key ("organization_id") references "organizations" ("id") on delete cascade deferrable initially deferred;`,
    );
    this.addSql(`grant select, insert, update, delete on "organization_variables" to maestro_app;`);
    this.addSql(`alter table "organization_variables" enable row level security;`);
    this.addSql(`alter table "organization_variables" force row level security;`);
    this.addSql(
      `create policy "organization_variables_org_isolation" on "organization_variables" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "organization_variables" cascade;`);
  }
}
