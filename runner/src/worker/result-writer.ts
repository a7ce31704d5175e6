import type { MikroORM } from '@mikro-orm/postgresql';
import type { RunResult, StepResult } from '../../../shared/src/model/run-result';
import { systemSqlFor, type SqlQuery, type SystemSql } from '../db/system-sql';
import { EXECUTION_FINISHED_CHANNEL } from '../outbox/channels';
import { createMicroBatcher, type MicroBatcher } from './micro-batcher';

export interface StepWrite {
  kind: 'step';
  organizationId: string;
  executionId: string;
  stepId: string;
  result: StepResult;
  finishedAt: string;
}

export interface LogWrite {
  kind: 'log';
  organizationId: string;
  executionId: string;
  stepId?: string;
  level: string;
  message: string;
  at: string;
}

export interface FinishWrite {
  kind: 'finish';
  organizationId: string;
  executionId: string;
  workflowId: string;
  /** Fencing: only the claim that is still current may write the final status. */
  claimedBy: string;
  attempt: number;
  result: RunResult;
}

export type ResultWrite = StepWrite | LogWrite | FinishWrite;

/** What a finish changed: whether it was still ours to write, and the workflow's failure streak. */
export interface FinishOutcome {
  written: boolean;
  consecutiveFailures?: number;
  workflowEnabled?: boolean;
}

export interface ResultWriter {
  write(op: ResultWrite): Promise<FinishOutcome | undefined>;
  drain(): Promise<void>;
}

/**
 * Stores step results, logs and final statuses, many executions per
 * transaction. Batches are written one after another, in the order the writes
 * were made: a run can hand in its last step results and its final status
 * together, and the steps still land in the same transaction as the status or
 * an earlier one. Within a batch, steps and logs are written before the final
 * statuses; a finish whose execution had a step or log write fail is not
 * written (`written: false`; the failed step write rejects, the run is given
 * back), so a finished execution never lacks its steps. A batch without a
 * failed run is one statement (its own transaction, one round trip).
 */
export function createResultWriter(
  orm: MikroORM,
  options: { maxSize?: number; maxDelayMs?: number } = {},
): ResultWriter {
  const sql = systemSqlFor(orm);
  const lostWrites = new Set<string>();
  const batcher: MicroBatcher<ResultWrite, FinishOutcome | undefined> = createMicroBatcher(
    async (ops) => {
      const writable = ops.filter(
        (op) => !(op.kind === 'finish' && lostWrites.has(op.executionId)),
      );
      for (const op of ops) if (op.kind === 'finish') lostWrites.delete(op.executionId);
      try {
        const outcomes = await retryOnConflict(() => writeBatch(sql, writable));
        const byOp = new Map(writable.map((op, i) => [op, outcomes[i]]));
        return ops.map((op) =>
          op.kind === 'finish' ? (byOp.get(op) ?? { written: false }) : undefined,
        );
      } catch (error) {
        for (const op of writable) if (op.kind !== 'finish') lostWrites.add(op.executionId);
        throw error;
      }
    },
    { maxSize: options.maxSize ?? 500, maxDelayMs: options.maxDelayMs ?? 3, maxInFlight: 1 },
  );
  return { write: (op) => batcher.add(op), drain: () => batcher.drain() };
}

/** Deadlocks and serialization failures are the database asking for a retry. */
async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '40001')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}

async function writeBatch(
  sql: SystemSql,
  ops: ResultWrite[],
): Promise<(FinishOutcome | undefined)[]> {
  const steps = latestSteps(ops.filter((op): op is StepWrite => op.kind === 'step'));
  const logs = ops.filter((op): op is LogWrite => op.kind === 'log');
  const finishes = ops.filter((op): op is FinishWrite => op.kind === 'finish');
  // A failure moves a workflow's failure streak (row locks taken in order): the multi-statement path.
  const outcomes = finishes.some((f) => f.result.status === 'failed')
    ? await sql.transaction((query) => writeWithStreaks(query, steps, logs, finishes))
    : await writeInOneStatement(sql.query, steps, logs, finishes);
  return ops.map((op) => (op.kind === 'finish' ? outcomes.get(op) : undefined));
}

/** The same step twice in one batch (a retry's result after an earlier one): the last wins. */
function latestSteps(steps: StepWrite[]): StepWrite[] {
  const byKey = new Map<string, StepWrite>();
  for (const step of steps) byKey.set(`${step.executionId}\u0000${step.stepId}`, step);
  return [...byKey.values()];
}

const stepRows = (steps: StepWrite[]) =>
  JSON.stringify(
    steps.map((s) => ({
      organization_id: s.organizationId,
      execution_id: s.executionId,
      step_id: s.stepId,
      status: s.result.status,
      attempts: s.result.attempts,
      output: s.result.output ?? null,
      port: s.result.port ?? null,
      error: s.result.error ?? null,
      duration_ms: Math.round(s.result.durationMs),
      finished_at: s.finishedAt,
    })),
  );

const logRows = (logs: LogWrite[]) =>
  JSON.stringify(
    logs.map((l) => ({
      organization_id: l.organizationId,
      execution_id: l.executionId,
      step_id: l.stepId ?? null,
      level: l.level.slice(0, 8),
      message: l.message,
      at: l.at,
    })),
  );

const finishRows = (finishes: FinishWrite[]) =>
  JSON.stringify(
    finishes.map((f) => ({
      id: f.executionId,
      status: f.result.status,
      result: f.result,
      error: f.result.error ?? null,
      finished_at: f.result.finishedAt ?? new Date().toISOString(),
      claimed_by: f.claimedBy,
      attempt: f.attempt,
    })),
  );

const UPSERT_STEPS = (param: string) => `
  insert into execution_steps (id, organization_id, execution_id, step_id, status, attempts, output, port, error, duration_ms, started_at, finished_at)
  select gen_random_uuid(), x.organization_id, x.execution_id, x.step_id, x.status, x.attempts, x.output, x.port, x.error, x.duration_ms,
         x.finished_at - make_interval(secs => x.duration_ms / 1000.0), x.finished_at
    from jsonb_to_recordset(${param}::jsonb) as x(organization_id uuid, execution_id uuid, step_id text, status text, attempts int,
         output jsonb, port text, error jsonb, duration_ms int, finished_at timestamptz)
  on conflict (execution_id, step_id) do update
    set status = excluded.status, attempts = excluded.attempts, output = excluded.output, port = excluded.port,
        error = excluded.error, duration_ms = excluded.duration_ms, started_at = excluded.started_at,
        finished_at = excluded.finished_at`;

const INSERT_LOGS = (param: string) => `
  insert into execution_logs (organization_id, execution_id, step_id, level, message, at)
  select x.organization_id, x.execution_id, x.step_id, x.level, x.message, x.at
    from jsonb_to_recordset(${param}::jsonb) as x(organization_id uuid, execution_id uuid, step_id text, level text, message text, at timestamptz)`;

/** Fenced: only the claim that is still current (worker and attempt) may write the final status. */
const UPDATE_FINISHES = (param: string, channel: string, ids: string) => `
  update executions e
     set status = x.status, result = x.result, error = x.error, finished_at = x.finished_at, heartbeat_at = null
    from jsonb_to_recordset(${param}::jsonb) as x(id uuid, status text, result jsonb, error jsonb, finished_at timestamptz, claimed_by text, attempt int)
   where e.id = any(${ids}::uuid[]) -- by primary key: the status index range 'running' fills with dead entries
     and e.id = x.id and e.status = 'running' and e.claimed_by = x.claimed_by and e.attempt = x.attempt
  returning e.id, e.workflow_id, e.status, pg_notify(${channel}, e.id::text)`;

/**
 * Steps, logs, final statuses and the streak reset of workflows that succeeded
 * — one statement. All parts see the same snapshot and commit together, so
 * "steps before the final status" holds trivially.
 */
async function writeInOneStatement(
  query: SqlQuery,
  steps: StepWrite[],
  logs: LogWrite[],
  finishes: FinishWrite[],
): Promise<Map<FinishWrite, FinishOutcome>> {
  const written = await query<{ id: string }>(
    `with s as (${UPSERT_STEPS('$1')}),
          l as (${INSERT_LOGS('$2')}),
          f as (${UPDATE_FINISHES('$3', '$4', '$5')}),
          w as (
            update workflows set consecutive_failures = 0
             where id in (select workflow_id from f where status = 'success') and consecutive_failures <> 0
          )
     select id from f`,
    [
      stepRows(steps),
      logRows(logs),
      finishRows(finishes),
      EXECUTION_FINISHED_CHANNEL,
      finishes.map((f) => f.executionId),
    ],
  );
  const writtenIds = new Set(written.map((row) => row.id));
  return new Map(finishes.map((f) => [f, { written: writtenIds.has(f.executionId) }]));
}

/** The batch has failed runs: statements in one transaction, workflow rows locked in id order. */
async function writeWithStreaks(
  query: SqlQuery,
  steps: StepWrite[],
  logs: LogWrite[],
  finishes: FinishWrite[],
): Promise<Map<FinishWrite, FinishOutcome>> {
  if (steps.length > 0) await query(UPSERT_STEPS('$1'), [stepRows(steps)]);
  if (logs.length > 0) await query(INSERT_LOGS('$1'), [logRows(logs)]);
  const written = await query<{ id: string }>(UPDATE_FINISHES('$1', '$2', '$3'), [
    finishRows(finishes),
    EXECUTION_FINISHED_CHANNEL,
    finishes.map((f) => f.executionId),
  ]);
  const writtenIds = new Set(written.map((row) => row.id));
  const streaks = await updateFailureStreaks(
    query,
    finishes.filter((f) => writtenIds.has(f.executionId)),
  );
  return new Map(
    finishes.map((f) => {
      const streak = streaks.get(f.workflowId);
      return [
        f,
        {
          written: writtenIds.has(f.executionId),
          consecutiveFailures: streak?.failures,
          workflowEnabled: streak?.enabled,
        },
      ];
    }),
  );
}

/**
 * consecutive_failures: a success resets it, a failure adds one, a
 * cancellation leaves it alone. Several finishes of one workflow in a batch
 * are folded in order first.
 */
async function updateFailureStreaks(query: SqlQuery, finishes: FinishWrite[]) {
  const folds = new Map<string, { reset: boolean; tail: number }>();
  for (const f of finishes) {
    const fold = folds.get(f.workflowId) ?? { reset: false, tail: 0 };
    if (f.result.status === 'success') folds.set(f.workflowId, { reset: true, tail: 0 });
    else if (f.result.status === 'failed')
      folds.set(f.workflowId, { ...fold, tail: fold.tail + 1 });
    else folds.set(f.workflowId, fold);
  }
  const rows = [...folds]
    .map(([id, fold]) => ({ id, ...fold }))
    .filter((r) => r.reset || r.tail > 0);
  // A success on a workflow with no failure streak changes nothing: skip the row lock.
  const successes = rows.filter((r) => r.reset && r.tail === 0).map((r) => r.id);
  if (successes.length > 0) {
    await query(
      'update workflows set consecutive_failures = 0 where id = any($1::uuid[]) and consecutive_failures <> 0',
      [successes.sort()],
    );
  }
  const streaked = rows.filter((r) => !(r.reset && r.tail === 0));
  if (streaked.length === 0) return new Map<string, { failures: number; enabled: boolean }>();
  // Lock in id order first: two writers updating the same workflows then cannot deadlock.
  await query('select id from workflows where id = any($1::uuid[]) order by id for update', [
    streaked.map((r) => r.id),
  ]);
  const updated = await query<{ id: string; consecutive_failures: number; enabled: boolean }>(
    `update workflows w
        set consecutive_failures = case when x.reset then x.tail else w.consecutive_failures + x.tail end
       from jsonb_to_recordset($1::jsonb) as x(id uuid, reset boolean, tail int)
      where w.id = x.id
      returning w.id, w.consecutive_failures, w.enabled`,
    [JSON.stringify(streaked)],
  );
  return new Map(
    updated.map((row) => [row.id, { failures: row.consecutive_failures, enabled: row.enabled }]),
  );
}
