import { Migration } from '@mikro-orm/migrations';

/**
 * The organization-wide execution list (`GET /v1/executions`, newest first) and its counts
 * read `(organization_id, created_at desc, id desc)`. It replaces the single-column
 * organization index, which it covers as a prefix, so executions keep the same number of
 * indexes to maintain on the hot path.
 */
export class Migration20261125085904_org_executions_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "executions_org_created_idx" on "executions" ("organization_id", "created_at" desc, "id" desc);`,
    );
    this.addSql(`drop index if exists "executions_organization_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create index "executions_organization_id_index" on "executions" ("organization_id");`,
    );
    this.addSql(`drop index if exists "executions_org_created_idx";`);
  }
}
