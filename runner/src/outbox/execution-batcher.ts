import type { MikroORM } from '@mikro-orm/postgresql';
import { newId } from '../db/ids';
import { withOrgContext } from '../db/org-context';
import { systemSqlFor, type SqlQuery } from '../db/system-sql';
import { COUNT_USAGE_CTE, reserveExecutions } from '../modules/quotas/execution-quota';
import { createMicroBatcher } from '../worker/micro-batcher';
import type { ExecutionMessage } from '../queue/execution-message';
import type { ExecutionPublisher } from '../queue/execution-publisher';
import { EXECUTION_START_TOPIC, OUTBOX_CHANNEL } from './channels';
import {
  createExecution,
  type CreateExecutionInput,
  type CreateExecutionResult,
} from './create-execution';

export interface ExecutionBatcher {
  create(input: CreateExecutionInput): Promise<CreateExecutionResult>;
  /** Writes the "sent" marks still waiting (at shutdown). */
  drain(): Promise<void>;
}

/**
 * How long "published" marks of outbox rows wait to be written together. The relay leaves
 * these rows alone for RELAY_TAKEOVER_MS (5 s), so a mark written this much later changes
 * nothing, and one update per interval replaces one per webhook batch: at a steady 1,000
 * webhooks/s that was a quarter of the hot path's statements.
 */
const SENT_MARK_DELAY_MS = 100;

/**
 * Group commit for the webhook hot path: executions started by concurrent
 * requests within a couple of milliseconds share one transaction (executions +
 * outbox rows + one NOTIFY), instead of one transaction each. Every request
 * still gets its reply only after its row is committed. Requests with an
 * idempotency or dedupe key take the one-at-a-time path, whose conflict
 * handling needs its own statements. The batch runs in the system context:
 * the organization of each row comes from the server-side trigger lookup,
 * never from the caller.
 *
 * With a `publisher`, the process publishes the batch itself right after the
 * commit (the replies do not wait for it) and marks its outbox rows sent, many
 * batches in one update: no NOTIFY, no relay transaction, no relay wake-up on
 * the hot path. The rows are
 * written with `attempts = 1` (this attempt), which the relay leaves alone
 * until they are RELAY_TAKEOVER_MS old: if this process dies or the broker
 * refuses, the relay publishes them then — nothing accepted is lost.
 */
export function createExecutionBatcher(
  orm: MikroORM,
  options: {
    maxSize?: number;
    maxDelayMs?: number;
    publisher?: ExecutionPublisher;
    onPublishError?(error: unknown): void;
  } = {},
): ExecutionBatcher {
  const sql = systemSqlFor(orm);
  const { publisher } = options;
  // Several published batches' rows marked sent in one statement (see SENT_MARK_DELAY_MS).
  const sentMarks = createMicroBatcher<string[], void>(
    async (batches) => {
      await sql.query('update outbox set sent_at = now() where id = any($1::bigint[])', [
        batches.flat(),
      ]);
      return batches.map(() => undefined);
    },
    { maxSize: 1_000, maxDelayMs: SENT_MARK_DELAY_MS, maxInFlight: 1 },
  );
  const publishAfterCommit = async (batch: InsertedBatch) => {
    if (!publisher || batch.outboxIds.length === 0) return;
    try {
      await publisher.publish(batch.messages);
      await sentMarks.add(batch.outboxIds);
    } catch (error) {
      options.onPublishError?.(error);
    }
  };
  const batcher = createMicroBatcher<CreateExecutionInput, CreateExecutionResult>(
    async (inputs) => {
      const batch = await insertBatch(sql.query, inputs, publisher !== undefined);
      void publishAfterCommit(batch);
      return batch.results;
    },
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
    async drain() {
      await batcher.drain();
      await sentMarks.drain();
    },
  };
}

interface InsertedBatch {
  results: CreateExecutionResult[];
  messages: ExecutionMessage[];
  outboxIds: string[];
}

/**
 * One statement (its own transaction): the executions, their outbox rows, the
 * usage count, and — when the relay is to publish them — the NOTIFY.
 */
async function insertBatch(
  query: SqlQuery,
  inputs: CreateExecutionInput[],
  publishedHere: boolean,
): Promise<InsertedBatch> {
  const rows = inputs.map((input) => ({
    id: newId(),
    organization_id: input.orgId,
    workflow_id: input.workflowId,
    version_id: input.versionId,
    trigger_kind: input.trigger,
    input: input.input ?? null,
  }));
  const [inserted] = await query<{ outbox_ids: string[] | null }>(
    `with x as (
       select * from jsonb_to_recordset($1::jsonb)
         as x(id uuid, organization_id uuid, workflow_id uuid, version_id uuid, trigger_kind text, input jsonb)
     ), e as (
       insert into executions (id, organization_id, workflow_id, version_id, status, trigger_kind, input, attempt, created_at)
       select id, organization_id, workflow_id, version_id, 'pending', trigger_kind, input, 0, now() from x
       returning id, organization_id
     ), o as (
       insert into outbox (organization_id, topic, payload, created_at, attempts)
       select organization_id, $2, jsonb_build_object('executionId', id, 'organizationId', organization_id), now(), $4 from e
       returning id
     ), ${COUNT_USAGE_CTE}
     select (select array_agg(id) from o) as outbox_ids, case when $4 = 0 then pg_notify($3, '') end`,
    [JSON.stringify(rows), EXECUTION_START_TOPIC, OUTBOX_CHANNEL, publishedHere ? 1 : 0],
  );
  return {
    results: rows.map((row) => ({ id: row.id, created: true })),
    messages: rows.map((row) => ({ executionId: row.id, organizationId: row.organization_id })),
    outboxIds: inserted?.outbox_ids ?? [],
  };
}
