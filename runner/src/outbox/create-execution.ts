import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExecutionTrigger } from '../db/entities';
import { newId } from '../db/ids';
import { COUNT_USAGE_CTE, queryIn, reserveExecutions } from '../modules/quotas/execution-quota';
import { EXECUTION_START_TOPIC, OUTBOX_CHANNEL } from './channels';

export interface CreateExecutionInput {
  orgId: string;
  workflowId: string;
  versionId: string;
  input: unknown;
  trigger: ExecutionTrigger;
  /** Client-chosen key (Idempotency-Key): the same key in the same organization gives the same execution. */
  idempotencyKey?: string;
  /** A trigger's dedupe key: within `dedupeWindowSeconds` the same key on the same trigger gives the same execution. */
  dedupeKey?: string;
  /** Needed with `dedupeKey` to scope it. */
  triggerId?: string;
  dedupeWindowSeconds?: number;
}

export interface CreateExecutionResult {
  id: string;
  /** False when an idempotency or dedupe key matched an existing execution. */
  created: boolean;
}

const DEFAULT_DEDUPE_WINDOW_SECONDS = 86_400;

/**
 * Starts an execution: the Execution row (`pending`) and its outbox row are
 * written in one transaction, and a NOTIFY wakes the relay when it commits. A
 * crash after the commit loses nothing (the relay publishes the row later); a
 * crash before it leaves nothing behind. Runs inside `em`'s transaction when
 * there is one (withOrgContext / withSystemContext), else opens its own. Over the
 * organization's monthly quota it throws QuotaExceeded (429) before writing anything.
 * @example await createExecution(em, { orgId, workflowId, versionId, input: {}, trigger: 'api' })
 */
export async function createExecution(
  em: EntityManager,
  input: CreateExecutionInput,
): Promise<CreateExecutionResult> {
  if (!em.isInTransaction()) return em.transactional((tx) => createExecution(tx, input));
  const reservation = await reserveExecutions(queryIn(em), input.orgId);
  const result = await insertExecution(em, input).catch((error: unknown) => {
    reservation.release();
    throw error;
  });
  if (!result.created) reservation.release();
  return result;
}

async function insertExecution(
  em: EntityManager,
  input: CreateExecutionInput,
): Promise<CreateExecutionResult> {
  const id = newId();
  if (input.dedupeKey !== undefined && input.triggerId) {
    const existing = await claimDedupeKey(em, input, id);
    if (existing) return { id: existing, created: false };
  }
  const inserted = await em.execute<{ id: string }[]>(INSERT_EXECUTION, [
    id,
    input.orgId,
    input.workflowId,
    input.versionId,
    input.trigger,
    JSON.stringify(input.input ?? null),
    input.idempotencyKey ?? null,
    input.dedupeKey ?? null,
    EXECUTION_START_TOPIC,
    OUTBOX_CHANNEL,
  ]);
  if (inserted.length > 0) return { id, created: true };
  const [first] = await em.execute<{ id: string }[]>(
    'select id from executions where organization_id = ? and idempotency_key = ?',
    [input.orgId, input.idempotencyKey ?? null],
  );
  if (!first) throw new Error('createExecution: idempotency conflict but no existing execution');
  return { id: first.id, created: false };
}

/**
 * One statement: the execution (skipped when its idempotency key exists), its
 * outbox row, its count in the monthly usage and the NOTIFY, so the hot path
 * costs a single round trip.
 */
const INSERT_EXECUTION = `
with e as (
  insert into executions (id, organization_id, workflow_id, version_id, status, trigger_kind, input, attempt, idempotency_key, dedupe_key, created_at)
  values (?, ?, ?, ?, 'pending', ?, ?::jsonb, 0, ?, ?, now())
  on conflict (organization_id, idempotency_key) where idempotency_key is not null do nothing
  returning id, organization_id
), o as (
  insert into outbox (organization_id, topic, payload, created_at, attempts)
  select organization_id, ?, jsonb_build_object('executionId', id, 'organizationId', organization_id), now(), 0 from e
), ${COUNT_USAGE_CTE}
select id, pg_notify(?, '') from e`;

/**
 * Takes the dedupe key for `executionId` unless a live one exists. Concurrent
 * callers serialise on the primary key: the loser sees the winner's row once
 * it commits, and gets the winner's execution id.
 */
async function claimDedupeKey(em: EntityManager, input: CreateExecutionInput, executionId: string) {
  const windowSeconds = input.dedupeWindowSeconds ?? DEFAULT_DEDUPE_WINDOW_SECONDS;
  const claimed = await em.execute<{ execution_id: string }[]>(
    `insert into webhook_dedupes (trigger_id, key, organization_id, execution_id, expires_at)
     values (?, ?, ?, ?, now() + make_interval(secs => ?))
     on conflict (trigger_id, key) do update
       set execution_id = excluded.execution_id, expires_at = excluded.expires_at, organization_id = excluded.organization_id
       where webhook_dedupes.expires_at <= now()
     returning execution_id`,
    [input.triggerId, input.dedupeKey, input.orgId, executionId, windowSeconds],
  );
  if (claimed.length > 0) return undefined;
  const [live] = await em.execute<{ execution_id: string }[]>(
    'select execution_id from webhook_dedupes where trigger_id = ? and key = ?',
    [input.triggerId, input.dedupeKey],
  );
  return live?.execution_id;
}
