import type { MikroORM } from '@mikro-orm/postgresql';
import type { RunResult, StepResult } from '../../../shared/src/model/run-result';
import { withSystemContext } from '../db/org-context';
import { EXECUTION_FINISHED_CHANNEL } from '../outbox/channels';
import { pgArray } from '../outbox/pg-array';
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
 * transaction. Within a batch, steps and logs are written before the final
 * statuses, so a finished execution never lacks its steps.
 */
export function createResultWriter(
  orm: MikroORM,
  options: { maxSize?: number; maxDelayMs?: number } = {},
): ResultWriter {
  const batcher: MicroBatcher<ResultWrite, FinishOutcome | undefined> = createMicroBatcher(
    (ops) => retryOnConflict(() => withSystemContext(orm, (em) => writeBatch(em, ops))),
    { maxSize: options.maxSize ?? 500, maxDelayMs: options.maxDelayMs ?? 3, maxInFlight: 2 },
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

type Em = Parameters<Parameters<typeof withSystemContext>[1]>[0];

async function writeBatch(em: Em, ops: ResultWrite[]): Promise<(FinishOutcome | undefined)[]> {
  const steps = latestSteps(ops.filter((op): op is StepWrite => op.kind === 'step'));
  const logs = ops.filter((op): op is LogWrite => op.kind === 'log');
  const finishes = ops.filter((op): op is FinishWrite => op.kind === 'finish');
  if (steps.length > 0) await writeSteps(em, steps);
  if (logs.length > 0) await writeLogs(em, logs);
  const outcomes =
    finishes.length > 0 ? await writeFinishes(em, finishes) : new Map<FinishWrite, FinishOutcome>();
  return ops.map((op) => (op.kind === 'finish' ? outcomes.get(op) : undefined));
}

/** The same step twice in one batch (a retry's result after an earlier one): the last wins. */
function latestSteps(steps: StepWrite[]): StepWrite[] {
  const byKey = new Map<string, StepWrite>();
  for (const step of steps) byKey.set(`${step.executionId}\u0000${step.stepId}`, step);
  return [...byKey.values()];
}

async function writeSteps(em: Em, steps: StepWrite[]) {
  const rows = steps.map((s) => ({
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
  }));
  await em.execute(
    `insert into execution_steps (id, organization_id, execution_id, step_id, status, attempts, output, port, error, duration_ms, started_at, finished_at)
     select gen_random_uuid(), x.organization_id, x.execution_id, x.step_id, x.status, x.attempts, x.output, x.port, x.error, x.duration_ms,
            x.finished_at - make_interval(secs => x.duration_ms / 1000.0), x.finished_at
       from jsonb_to_recordset(?::jsonb) as x(organization_id uuid, execution_id uuid, step_id text, status text, attempts int,
            output jsonb, port text, error jsonb, duration_ms int, finished_at timestamptz)
     on conflict (execution_id, step_id) do update
       set status = excluded.status, attempts = excluded.attempts, output = excluded.output, port = excluded.port,
           error = excluded.error, duration_ms = excluded.duration_ms, started_at = excluded.started_at,
           finished_at = excluded.finished_at`,
    [JSON.stringify(rows)],
  );
}

async function writeLogs(em: Em, logs: LogWrite[]) {
  const rows = logs.map((l) => ({
    organization_id: l.organizationId,
    execution_id: l.executionId,
    step_id: l.stepId ?? null,
    level: l.level.slice(0, 8),
    message: l.message,
    at: l.at,
  }));
  await em.execute(
    `insert into execution_logs (organization_id, execution_id, step_id, level, message, at)
     select x.organization_id, x.execution_id, x.step_id, x.level, x.message, x.at
       from jsonb_to_recordset(?::jsonb) as x(organization_id uuid, execution_id uuid, step_id text, level text, message text, at timestamptz)`,
    [JSON.stringify(rows)],
  );
}

async function writeFinishes(
  em: Em,
  finishes: FinishWrite[],
): Promise<Map<FinishWrite, FinishOutcome>> {
  const rows = finishes.map((f) => ({
    id: f.executionId,
    status: f.result.status,
    result: f.result,
    error: f.result.error ?? null,
    finished_at: f.result.finishedAt ?? new Date().toISOString(),
    claimed_by: f.claimedBy,
    attempt: f.attempt,
  }));
  const written = await em.execute<{ id: string }[]>(
    `update executions e
        set status = x.status, result = x.result, error = x.error, finished_at = x.finished_at, heartbeat_at = null
       from jsonb_to_recordset(?::jsonb) as x(id uuid, status text, result jsonb, error jsonb, finished_at timestamptz, claimed_by text, attempt int)
      where e.id = x.id and e.status = 'running' and e.claimed_by = x.claimed_by and e.attempt = x.attempt
      returning e.id, pg_notify(?, e.id::text)`,
    [JSON.stringify(rows), EXECUTION_FINISHED_CHANNEL],
  );
  const writtenIds = new Set(written.map((row) => row.id));
  const streaks = await updateFailureStreaks(
    em,
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
async function updateFailureStreaks(em: Em, finishes: FinishWrite[]) {
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
  // A success on a workflow with no failure streak changes nothing: skip the row lock on the hot path.
  const successes = rows.filter((r) => r.reset && r.tail === 0).map((r) => r.id);
  if (successes.length > 0) {
    await em.execute(
      'update workflows set consecutive_failures = 0 where id = any(?::uuid[]) and consecutive_failures <> 0',
      [pgArray(successes.sort())],
    );
  }
  const streaked = rows.filter((r) => !(r.reset && r.tail === 0));
  if (streaked.length === 0) return new Map<string, { failures: number; enabled: boolean }>();
  // Lock in id order first: two writers updating the same workflows then cannot deadlock.
  await em.execute('select id from workflows where id = any(?::uuid[]) order by id for update', [
    pgArray(streaked.map((r) => r.id)),
  ]);
  const updated = await em.execute<
    { id: string; consecutive_failures: number; enabled: boolean }[]
  >(
    `update workflows w
        set consecutive_failures = case when x.reset then x.tail else w.consecutive_failures + x.tail end
       from jsonb_to_recordset(?::jsonb) as x(id uuid, reset boolean, tail int)
      where w.id = x.id
      returning w.id, w.consecutive_failures, w.enabled`,
    [JSON.stringify(streaked)],
  );
  return new Map(
    updated.map((row) => [row.id, { failures: row.consecutive_failures, enabled: row.enabled }]),
  );
}
