import type { MikroORM } from '@mikro-orm/postgresql';
import { newId } from '../db/ids';
import { withOrgContext, withSystemContext } from '../db/org-context';
import { COUNT_USAGE_CTE, reserveExecutions } from '../modules/quotas/execution-quota';
import { createMicroBatcher } from '../worker/micro-batcher';
import { EXECUTION_START_TOPIC, OUTBOX_CHANNEL } from './channels';
import {
  createExecution,
  type CreateExecutionInput,
  type CreateExecutionResult,
} from './create-execution';

export interface ExecutionBatcher {
  create(input: CreateExecutionInput): Promise<CreateExecutionResult>;
}

/**
 * Group commit for the webhook hot path: executions started by concurrent
 * requests within a couple of milliseconds share one transaction (executions +
 * outbox rows + one NOTIFY), instead of one transaction each. Every request
 * still gets its reply only after its row is committed. Requests with an
 * idempotency or dedupe key take the one-at-a-time path, whose conflict
 * handling needs its own statements. The batch runs in the system context:
 * the organization of each row comes from the server-side trigger lookup,
 * never from the caller.
 */
export function createExecutionBatcher(
  orm: MikroORM,
  options: { maxSize?: number; maxDelayMs?: number } = {},
): ExecutionBatcher {
  const batcher = createMicroBatcher<CreateExecutionInput, CreateExecutionResult>(
    (inputs) => withSystemContext(orm, (em) => insertBatch(em, inputs)),
    { maxSize: options.maxSize ?? 200, maxDelayMs: options.maxDelayMs ?? 2, maxInFlight: 2 },
  );
  return {
    create(input) {
      if (input.idempotencyKey !== undefined || input.dedupeKey !== undefined) {
        return withOrgContext(orm, input.orgId, (em) => createExecution(em, input));
      }
      // The quota is taken before the row joins a batch, so one refused request cannot fail the others.
      return reserveExecutions(
        (sql, params) => withOrgContext(orm, input.orgId, (em) => em.execute(sql, params)),
        input.orgId,
      ).then((reservation) =>
        batcher.add(input).catch((error: unknown) => {
          reservation.release();
          throw error;
        }),
      );
    },
  };
}

type Em = Parameters<Parameters<typeof withSystemContext>[1]>[0];

async function insertBatch(
  em: Em,
  inputs: CreateExecutionInput[],
): Promise<CreateExecutionResult[]> {
  const rows = inputs.map((input) => ({
    id: newId(),
    organization_id: input.orgId,
    workflow_id: input.workflowId,
    version_id: input.versionId,
    trigger_kind: input.trigger,
    input: input.input ?? null,
  }));
  await em.execute(
    `with x as (
       select * from jsonb_to_recordset(?::jsonb)
         as x(id uuid, organization_id uuid, workflow_id uuid, version_id uuid, trigger_kind text, input jsonb)
     ), e as (
       insert into executions (id, organization_id, workflow_id, version_id, status, trigger_kind, input, attempt, created_at)
       select id, organization_id, workflow_id, version_id, 'pending', trigger_kind, input, 0, now() from x
       returning id, organization_id
     ), o as (
       insert into outbox (organization_id, topic, payload, created_at, attempts)
       select organization_id, ?, jsonb_build_object('executionId', id, 'organizationId', organization_id), now(), 0 from e
     ), ${COUNT_USAGE_CTE}
     select pg_notify(?, '')`,
    [JSON.stringify(rows), EXECUTION_START_TOPIC, OUTBOX_CHANNEL],
  );
  return rows.map((row) => ({ id: row.id, created: true }));
}
