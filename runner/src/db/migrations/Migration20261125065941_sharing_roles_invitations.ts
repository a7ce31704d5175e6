import { Migration } from '@mikro-orm/migrations';

// Same policy as Migration20261125050000_tenancy (see there for why NULLIF).
const ORG_SETTING = `nullif(current_setting('maestro.org_id', true), '')::uuid`;
const SYSTEM_SETTING = `current_setting('maestro.system', true) = 'on'`;
const NEW_ORG_TABLES = ['roles', 'invitations', 'workflow_grants'];

const FOREIGN_KEYS: [table: string, column: string, target: string, onDelete: string][] = [
  ['roles', 'organization_id', 'organizations', 'cascade'],
  ['invitations', 'organization_id', 'organizations', 'cascade'],
  // A role in use cannot be deleted (the API answers 409 first; this is the backstop).
  ['invitations', 'role_id', 'roles', 'restrict'],
  ['memberships', 'role_id', 'roles', 'restrict'],
  ['workflow_grants', 'organization_id', 'organizations', 'cascade'],
  ['workflow_grants', 'workflow_id', 'workflows', 'cascade'],
  ['workflow_grants', 'user_id', 'users', 'cascade'],
];

/** Custom roles, invitations by email, and workflow sharing (docs/decisions/0007). */
export class Migration20261125065941_sharing_roles_invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "roles" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(100) not null, "permissions" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "roles_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "roles_organization_id_index" on "roles" ("organization_id");`);
    this.addSql(
      `alter table "roles" add constraint "roles_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "invitations" ("id" uuid not null, "organization_id" uuid not null, "email" varchar(255) not null, "role" text check ("role" in ('owner', 'admin', 'member')) not null, "role_id" uuid null, "invited_by" uuid null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "accepted_by" uuid null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "invitations_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "invitations_organization_id_index" on "invitations" ("organization_id");`,
    );

    this.addSql(
      `create table "workflow_grants" ("id" uuid not null, "organization_id" uuid not null, "workflow_id" uuid not null, "user_id" uuid not null, "access" text check ("access" in ('view', 'run', 'edit')) not null, "created_at" timestamptz not null default now(), constraint "workflow_grants_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "workflow_grants_organization_id_index" on "workflow_grants" ("organization_id");`,
    );
    this.addSql(`create index "workflow_grants_user_id_index" on "workflow_grants" ("user_id");`);
    this.addSql(
      `alter table "workflow_grants" add constraint "workflow_grants_workflow_id_user_id_unique" unique ("workflow_id", "user_id");`,
    );

    this.addSql(`alter table "memberships" add column "role_id" uuid null;`);
    this.addSql(`alter table "workflows" add column "restricted" boolean not null default false;`);

    for (const [table, column, target, onDelete] of FOREIGN_KEYS) {
      this.addSql(
        `alter table "${table}" add constraint "${table}_${column}_fk" foreign key ("${column}") references "${target}" ("id") on delete ${onDelete} deferrable initially deferred;`,
      );
    }
    for (const table of NEW_ORG_TABLES) {
      this.addSql(`grant select, insert, update, delete on "${table}" to maestro_app;`);
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy "${table}_org_isolation" on "${table}" using ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING}) with check ("organization_id" = ${ORG_SETTING} or ${SYSTEM_SETTING});`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "memberships" drop constraint if exists "memberships_role_id_fk";`);
    this.addSql(`alter table "memberships" drop column if exists "role_id";`);
    this.addSql(`alter table "workflows" drop column if exists "restricted";`);
    this.addSql(`drop table if exists "workflow_grants" cascade;`);
    this.addSql(`drop table if exists "invitations" cascade;`);
    this.addSql(`drop table if exists "roles" cascade;`);
  }
}
