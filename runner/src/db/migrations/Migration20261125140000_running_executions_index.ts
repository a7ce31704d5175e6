import { Migration } from '@mikro-orm/migrations';

/**
 * A claim counts the organization's running executions to know its free slots
 * (maestro_claim_executions, decision 0008). Without an index made for that count, PostgreSQL
 * ANDed the organization's whole `executions_org_created_idx` range with the `'running'` range
 * of the status index (dead entries of every execution that ever ran included) and rechecked
 * hundreds of heap pages: 6.7 ms per claim at 18,000 rows, growing with the table — the largest
 * share of PostgreSQL's CPU per execution at a steady 1,000 webhooks/s. This partial index holds
 * only running row versions, by organization: one entry per execution, written by the claim's
 * update (which is not a HOT update anyway: its status changes).
 */
export class Migration20261125140000_running_executions_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index if not exists "executions_running_org_idx" on "executions" ("organization_id") where "status" = 'running';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "executions_running_org_idx";`);
  }
}
