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

interface ClaimRow {
  id: string;
  claimed: boolean;
  limited: boolean;
  /** Current status of an execution not claimed; null when there is no such execution. */
  status: string | null;
  organization_id: string;
  workflow_id: string;
  version_id: string;
  input: unknown;
  attempt: number;
  trigger_kind: ExecutionTrigger;
  cancel_requested_at: string | null;
  allow_private_network: boolean;
}

/**
 * Claims a batch of executions in one round trip: `maestro_claim_executions`
 * (migration claim_function) takes a transaction-scoped advisory lock per
 * organization, in sorted order, then counts each organization's free slots —
 * its limit (override, else plan, else 10) minus executions with a live lease —
 * and claims the requests in message order while slots last, so the
 * concurrency limit holds across any number of workers.
 */
export async function claimExecutions(
  query: SqlQuery,
  requests: ClaimRequest[],
  workerId: string,
  leaseMs: number,
): Promise<ClaimOutcome[]> {
  const rows = await query<ClaimRow>(
    'select * from maestro_claim_executions($1::uuid[], $2::uuid[], $3, $4)',
    [
      requests.map((r) => r.executionId),
      requests.map((r) => r.organizationId),
      workerId,
      leaseMs / 1000,
    ],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return requests.map((request) => {
    const row = byId.get(request.executionId);
    if (row?.claimed) {
      byId.delete(request.executionId); // a duplicate id in the same batch must not run twice
      return { kind: 'claimed', execution: toClaimed(row) };
    }
    const status = row?.status ?? null;
    if (status === null) return { kind: 'missing' };
    if (status === 'success' || status === 'failed' || status === 'canceled')
      return { kind: 'finished' };
    return { kind: row?.limited && status === 'pending' ? 'limited' : 'held' };
  });
}

function toClaimed(row: ClaimRow): ClaimedExecution {
  return {
    id: row.id,
    organizationId: row.organization_id,
    workflowId: row.workflow_id,
    versionId: row.version_id,
    input: row.input,
    attempt: row.attempt,
    triggerKind: row.trigger_kind,
    cancelRequested: row.cancel_requested_at !== null,
    allowPrivateNetwork: row.allow_private_network,
  };
}
