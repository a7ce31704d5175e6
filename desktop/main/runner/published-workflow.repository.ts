import type { Database } from '../storage/database';

/** Where a local workflow was published: per runner profile and organization. */
export interface PublishedWorkflow {
  profileId: string;
  organizationId: string;
  workflowId: string;
  runnerWorkflowId: string;
  version: number;
  webhookUrl: string | null;
  webhookMethod: string | null;
  publishedAt: string;
}

interface Row {
  profile_id: string;
  organization_id: string;
  workflow_id: string;
  runner_workflow_id: string;
  version: number;
  webhook_url: string | null;
  webhook_method: string | null;
  published_at: string;
}

const fromRow = (row: Row): PublishedWorkflow => ({
  profileId: row.profile_id,
  organizationId: row.organization_id,
  workflowId: row.workflow_id,
  runnerWorkflowId: row.runner_workflow_id,
  version: row.version,
  webhookUrl: row.webhook_url,
  webhookMethod: row.webhook_method,
  publishedAt: row.published_at,
});

export class PublishedWorkflowRepository {
  constructor(private readonly db: Database) {}

  find(
    profileId: string,
    organizationId: string,
    workflowId: string,
  ): PublishedWorkflow | undefined {
    const row = this.db
      .prepare(
        'SELECT * FROM published_workflows WHERE profile_id = ? AND organization_id = ? AND workflow_id = ?',
      )
      .get(profileId, organizationId, workflowId) as Row | undefined;
    return row && fromRow(row);
  }

  /** Every local workflow published to this organization, to name runner workflows in the dashboard. */
  listForOrganization(profileId: string, organizationId: string): PublishedWorkflow[] {
    const rows = this.db
      .prepare('SELECT * FROM published_workflows WHERE profile_id = ? AND organization_id = ?')
      .all(profileId, organizationId) as Row[];
    return rows.map(fromRow);
  }

  save(record: PublishedWorkflow): void {
    this.db
      .prepare(
        `INSERT INTO published_workflows (profile_id, organization_id, workflow_id, runner_workflow_id, version, webhook_url, webhook_method, published_at)
         VALUES (@profileId, @organizationId, @workflowId, @runnerWorkflowId, @version, @webhookUrl, @webhookMethod, @publishedAt)
         ON CONFLICT (profile_id, organization_id, workflow_id) DO UPDATE SET
           runner_workflow_id = excluded.runner_workflow_id, version = excluded.version,
           webhook_url = excluded.webhook_url, webhook_method = excluded.webhook_method,
           published_at = excluded.published_at`,
      )
      .run(record);
  }
}
