import type { Database } from './database';

/** Pinned sample data per workflow node (a trigger's sample input, a step's pinned output). */
export class SampleRepository {
  constructor(private readonly db: Database) {}

  all(workflowId: string): Record<string, unknown> {
    const rows = this.db
      .prepare('SELECT node_id, data FROM pinned_samples WHERE workflow_id = ? ORDER BY node_id')
      .all(workflowId) as { node_id: string; data: string }[];
    return Object.fromEntries(rows.map((row) => [row.node_id, JSON.parse(row.data) as unknown]));
  }

  pin(workflowId: string, nodeId: string, data: unknown, now: string): void {
    this.db
      .prepare(
        `INSERT INTO pinned_samples (workflow_id, node_id, data, pinned_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (workflow_id, node_id) DO UPDATE SET data = excluded.data, pinned_at = excluded.pinned_at`,
      )
      .run(workflowId, nodeId, JSON.stringify(data ?? null), now);
  }

  unpin(workflowId: string, nodeId: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM pinned_samples WHERE workflow_id = ? AND node_id = ?')
        .run(workflowId, nodeId).changes === 1
    );
  }

  copy(fromWorkflowId: string, toWorkflowId: string, now: string): void {
    this.db
      .prepare(
        `INSERT INTO pinned_samples (workflow_id, node_id, data, pinned_at)
         SELECT ?, node_id, data, ? FROM pinned_samples WHERE workflow_id = ?`,
      )
      .run(toWorkflowId, now, fromWorkflowId);
  }
}
