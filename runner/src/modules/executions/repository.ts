import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunResult, StepResult } from '../../../../shared/src/model/run-result';
import type { ExecutionEntity, ExecutionStatus } from '../../db/entities';
import { Execution, ExecutionLog, ExecutionStep } from '../../db/entities/execution';
import { WorkflowVersion } from '../../db/entities/workflow';
import { badRequest, notFound } from '../../http/problem';
import { EXECUTION_CANCEL_CHANNEL, EXECUTION_FINISHED_CHANNEL } from '../../outbox/channels';
import { pgArray } from '../../outbox/pg-array';
import { isUuid } from '../workflows/repository';

export async function getExecution(em: EntityManager, id: string): Promise<ExecutionEntity> {
  const execution = isUuid(id) ? await em.findOne(Execution, { id }) : null;
  if (!execution) throw notFound('execution');
  return execution;
}

/** Cursor: base64url of `<createdAt ISO>|<id>`, matching the (workflow_id, created_at desc, id desc) index. */
export function encodeCursor(e: { createdAt: Date; id: string }): string {
  return Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) {
    throw badRequest('invalid cursor', [
      { path: 'query.cursor', message: 'use nextCursor from a previous page' },
    ]);
  }
  return { createdAt, id };
}

/**
 * A page of executions, newest first: of one workflow (a workflow id), or of the organization
 * in scope limited to the workflows a viewer may see (a list of ids; `undefined` = all).
 */
export async function listExecutions(
  em: EntityManager,
  workflows: string | string[] | undefined,
  q: { cursor?: string; limit: number; status?: ExecutionStatus },
) {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await em.find(
    Execution,
    {
      ...(workflows === undefined
        ? {}
        : { workflowId: typeof workflows === 'string' ? workflows : { $in: workflows } }),
      ...(q.status ? { status: q.status } : {}),
      ...(after
        ? {
            $or: [
              { createdAt: { $lt: after.createdAt } },
              { createdAt: after.createdAt, id: { $lt: after.id } },
            ],
          }
        : {}),
    },
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: q.limit + 1 },
  );
  const page = rows.slice(0, q.limit);
  return { page, nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null };
}

export async function versionNumberMap(
  em: EntityManager,
  versionIds: string[],
): Promise<Map<string, number>> {
  const unique = [...new Set(versionIds)];
  if (unique.length === 0) return new Map();
  const rows = await em.find(
    WorkflowVersion,
    { id: { $in: unique } },
    { fields: ['id', 'version'] },
  );
  return new Map(rows.map((v) => [v.id, v.version]));
}

/** The stored run result, or while it runs, one assembled from the steps finished so far. */
export async function runResultOf(
  em: EntityManager,
  e: ExecutionEntity,
): Promise<Pick<RunResult, 'steps' | 'error'>> {
  if (e.result) return { steps: e.result.steps, error: e.result.error ?? e.error ?? undefined };
  const rows = await em.find(ExecutionStep, { executionId: e.id });
  const steps: Record<string, StepResult> = {};
  for (const s of rows) {
    steps[s.stepId] = {
      status: s.status as StepResult['status'],
      attempts: s.attempts,
      ...(s.output !== null && s.output !== undefined ? { output: s.output } : {}),
      ...(s.port ? { port: s.port } : {}),
      ...(s.error ? { error: s.error } : {}),
      durationMs: s.durationMs ?? 0,
    };
  }
  return { steps, error: e.error ?? undefined };
}

export async function listLogs(
  em: EntityManager,
  executionId: string,
  q: { cursor?: string; limit: number },
) {
  const rows = await em.find(
    ExecutionLog,
    { executionId, ...(q.cursor ? { id: { $gt: q.cursor } } : {}) },
    { orderBy: { id: 'asc' }, limit: q.limit + 1 },
  );
  const page = rows.slice(0, q.limit);
  return { page, nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null };
}

/**
 * A pending execution is canceled at once (its queued message will find it finished); a
 * running one gets cancel_requested_at and a NOTIFY the worker running it listens for.
 */
export async function requestCancel(
  em: EntityManager,
  e: ExecutionEntity,
): Promise<ExecutionEntity> {
  const now = new Date();
  if (e.status === 'pending') {
    e.status = 'canceled';
    e.cancelRequestedAt = now;
    e.finishedAt = now;
    e.error = { code: 'CANCELED', message: 'canceled before it started' };
    e.result = {
      status: 'canceled',
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      steps: {},
      error: e.error,
    };
    await em.flush();
    await em.execute('select pg_notify(?, ?)', [EXECUTION_FINISHED_CHANNEL, e.id]);
  } else if (e.status === 'running') {
    e.cancelRequestedAt ??= now;
    await em.flush();
    await em.execute('select pg_notify(?, ?)', [EXECUTION_CANCEL_CHANNEL, e.id]);
  }
  return e;
}

/** Executions of the organization created since `since`, counted by status (RLS applies too). */
export async function countExecutionsByStatus(
  em: EntityManager,
  orgId: string,
  workflows: string[] | undefined,
  since: Date,
): Promise<Record<ExecutionStatus, number>> {
  const rows = await em.execute<{ status: ExecutionStatus; n: string }[]>(
    `select status, count(*) as n from executions
      where organization_id = ? and created_at >= ?
        ${workflows ? 'and workflow_id = any(?::uuid[])' : ''}
      group by status`,
    workflows ? [orgId, since, pgArray(workflows)] : [orgId, since],
  );
  const counts = { pending: 0, running: 0, success: 0, failed: 0, canceled: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
