import type { RunResult, RunStatus } from '../../../shared/src/model/run-result';
import type { Database } from './database';

export interface DryRunSummary {
  runId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface DryRunRecord {
  runId: string;
  workflowId: string;
  input: unknown;
  result?: RunResult;
  stepInputs: Record<string, unknown>;
}

interface DryRunRow {
  id: string;
  workflow_id: string;
  status: RunStatus;
  input: string;
  result: string | null;
  step_inputs: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

/** Dry-run history: a row when a run starts, completed when it finishes. */
export class DryRunRepository {
  constructor(private readonly db: Database) {}

  start(runId: string, workflowId: string, input: unknown, startedAt: string): void {
    this.db
      .prepare(
        `INSERT INTO dry_runs (id, workflow_id, status, input, started_at) VALUES (?, ?, 'running', ?, ?)`,
      )
      .run(runId, workflowId, JSON.stringify(input ?? null), startedAt);
  }

  finish(
    runId: string,
    result: RunResult,
    stepInputs: Record<string, unknown>,
    durationMs: number,
  ): void {
    this.db
      .prepare(
        `UPDATE dry_runs SET status = ?, result = ?, step_inputs = ?, finished_at = ?, duration_ms = ? WHERE id = ?`,
      )
      .run(
        result.status,
        JSON.stringify(result),
        JSON.stringify(stepInputs),
        result.finishedAt ?? new Date().toISOString(),
        Math.round(durationMs),
        runId,
      );
  }

  /** Runs left `running` by a process that died: they can never finish now. */
  markInterrupted(): number {
    return this.db
      .prepare(
        `UPDATE dry_runs SET status = 'canceled', finished_at = started_at WHERE status IN ('running', 'pending')`,
      )
      .run().changes;
  }

  history(workflowId: string, limit = 100): DryRunSummary[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM dry_runs WHERE workflow_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
      )
      .all(workflowId, limit) as DryRunRow[];
    return rows.map((row) => ({
      runId: row.id,
      status: row.status,
      startedAt: row.started_at,
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
      ...(row.duration_ms !== null ? { durationMs: row.duration_ms } : {}),
    }));
  }

  find(runId: string): DryRunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM dry_runs WHERE id = ?').get(runId) as
      DryRunRow | undefined;
    if (!row) return undefined;
    return {
      runId: row.id,
      workflowId: row.workflow_id,
      input: JSON.parse(row.input) as unknown,
      ...(row.result ? { result: JSON.parse(row.result) as RunResult } : {}),
      stepInputs: JSON.parse(row.step_inputs) as Record<string, unknown>,
    };
  }
}
