import type { ExecutionTrigger } from '../db/entities';
import type { SqlQuery } from '../db/system-sql';

/** An execution this worker now owns until it finishes or its lease lapses. */
export interface ClaimedExecution {
  id: string;
  organizationId: string;
  workflowId: string;
  versionId: string;
  input: unknown;
  attempt: number;
  triggerKind: ExecutionTrigger;
  cancelRequested: boolean;
  allowPrivateNetwork: boolean;
}

/**
 * Why a message did not lead to a run:
 * - `finished`: already success/failed/canceled (a duplicate delivery) → ack;
 * - `held`: another worker holds a live lease → wait (its lease may lapse if it died);
 * - `limited`: the organization is at its concurrency limit → wait;
 * - `missing`: no such execution (pruned, or a foreign message) → ack.
 */
export type ClaimOutcome =
  | { kind: 'claimed'; execution: ClaimedExecution }
  | { kind: 'finished' | 'held' | 'limited' | 'missing' };

export interface ClaimRequest {
  executionId: string;
  organizationId: string;
}

interface ClaimedRow {
  id: string;
  organization_id: string;
  workflow_id: string;
  version_id: string;
  input: unknown;
  attempt: number;
  trigger_kind: ExecutionTrigger;
  cancel_requested_at: Date | null;
  allow_private_network: boolean | null;
}

/**
 * Claims a batch of executions in one transaction (run it in systemSqlFor(orm).transaction).
 * Per organization, a transaction-scoped advisory lock serialises claimers so
 * that counting running executions and claiming new ones cannot interleave:
 * the concurrency limit holds across any number of workers.
 */
export async function claimExecutions(
  query: SqlQuery,
  requests: ClaimRequest[],
  workerId: string,
  leaseMs: number,
): Promise<ClaimOutcome[]> {
  const orgIds = [...new Set(requests.map((r) => r.organizationId))].sort();
  // Sorted lock order: two workers locking overlapping sets cannot deadlock.
  await query(
    `select pg_advisory_xact_lock(hashtext('maestro-claim:' || org)) from unnest($1::uuid[]) as org order by org`,
    [orgIds],
  );
  const free = await freeSlots(query, orgIds, leaseMs);
  const attempt: string[] = [];
  const limited = new Set<string>();
  for (const request of dedupe(requests)) {
    const slots = free.get(request.organizationId) ?? 0;
    if (slots > 0) {
      attempt.push(request.executionId);
      free.set(request.organizationId, slots - 1);
    } else {
      limited.add(request.executionId);
    }
  }
  const claimed = new Map<string, ClaimedRow>();
  if (attempt.length > 0) {
    const rows = await query<ClaimedRow>(
      `update executions e
         set status = 'running', attempt = e.attempt + 1, claimed_by = $1,
             started_at = coalesce(e.started_at, now()), heartbeat_at = now()
       where e.id = any($2::uuid[])
         and (e.status = 'pending' or (e.status = 'running' and e.heartbeat_at < now() - make_interval(secs => $3)))
       returning e.id, e.organization_id, e.workflow_id, e.version_id, e.input, e.attempt, e.trigger_kind,
                 e.cancel_requested_at,
                 (select o.allow_private_network from organizations o where o.id = e.organization_id) as allow_private_network`,
      [workerId, attempt, leaseMs / 1000],
    );
    for (const row of rows) claimed.set(row.id, row);
  }
  const states = await currentStates(
    query,
    requests.filter((r) => !claimed.has(r.executionId)).map((r) => r.executionId),
  );
  return requests.map((request) => {
    const row = claimed.get(request.executionId);
    if (row) {
      claimed.delete(request.executionId); // a duplicate id in the same batch must not run twice
      return { kind: 'claimed', execution: toClaimed(row) };
    }
    const status = states.get(request.executionId);
    if (status === undefined) return { kind: 'missing' };
    if (status === 'success' || status === 'failed' || status === 'canceled')
      return { kind: 'finished' };
    return { kind: limited.has(request.executionId) && status === 'pending' ? 'limited' : 'held' };
  });
}

/** Slots left per organization: its limit (override, else plan, else 10) minus executions with a live lease. */
async function freeSlots(
  query: SqlQuery,
  orgIds: string[],
  leaseMs: number,
): Promise<Map<string, number>> {
  const rows = await query<{ id: string; free: number }>(
    `select o.id,
            coalesce(o.concurrency_limit, p.max_concurrent_executions, 10)
            - (select count(*) from executions e
                where e.organization_id = o.id and e.status = 'running'
                  and e.heartbeat_at >= now() - make_interval(secs => $1))::int as free
       from organizations o left join plans p on p.id = o.plan_id
      where o.id = any($2::uuid[])`,
    [leaseMs / 1000, orgIds],
  );
  return new Map(rows.map((row) => [row.id, Number(row.free)]));
}

async function currentStates(query: SqlQuery, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await query<{ id: string; status: string }>(
    'select id, status from executions where id = any($1::uuid[])',
    [[...new Set(ids)]],
  );
  return new Map(rows.map((row) => [row.id, row.status]));
}

function dedupe(requests: ClaimRequest[]): ClaimRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => !seen.has(r.executionId) && seen.add(r.executionId));
}

function toClaimed(row: ClaimedRow): ClaimedExecution {
  return {
    id: row.id,
    organizationId: row.organization_id,
    workflowId: row.workflow_id,
    versionId: row.version_id,
    input: row.input,
    attempt: row.attempt,
    triggerKind: row.trigger_kind,
    cancelRequested: row.cancel_requested_at !== null,
    allowPrivateNetwork: row.allow_private_network === true,
  };
}
