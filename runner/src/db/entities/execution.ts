import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';
import type { RunResult, StepErrorInfo } from '../../../../shared/src/model/run-result';
import {
  EXECUTION_STATUSES,
  EXECUTION_TRIGGERS,
} from '../../../../shared/src/contracts/runner-api/executions';

// The API contract's lists (shared with the desktop), so a new status cannot miss either side.
export { EXECUTION_STATUSES, EXECUTION_TRIGGERS };
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export type ExecutionTrigger = (typeof EXECUTION_TRIGGERS)[number];

export const Execution = defineEntity({
  name: 'Execution',
  tableName: 'executions',
  indexes: [
    {
      name: 'executions_workflow_created_idx',
      expression:
        'create index "executions_workflow_created_idx" on "executions" ("workflow_id", "created_at" desc, "id" desc)',
    },
    {
      name: 'executions_org_created_idx',
      expression:
        'create index "executions_org_created_idx" on "executions" ("organization_id", "created_at" desc, "id" desc)',
    },
    { properties: ['status', 'createdAt'] },
    {
      // A claim's count of the organization's running executions (migration running_executions_index).
      name: 'executions_running_org_idx',
      expression:
        'create index "executions_running_org_idx" on "executions" ("organization_id") where "status" = \'running\'',
    },
    {
      // Failure alerts (notifications/failure-alerts.ts) scan recent failures by finish time.
      name: 'executions_failed_finished_idx',
      expression:
        'create index "executions_failed_finished_idx" on "executions" ("finished_at", "workflow_id", "organization_id") where "status" = \'failed\'',
    },
    {
      // SLA alerts (notifications/sla-breaches.ts): runs that took 10 s or more, by workflow.
      name: 'executions_slow_turnaround_idx',
      expression:
        'create index "executions_slow_turnaround_idx" on "executions" ("workflow_id", "finished_at") where "finished_at" - "created_at" >= interval \'10 seconds\'',
    },
  ],
  uniques: [
    {
      name: 'executions_org_idempotency_key_unique',
      expression:
        'create unique index "executions_org_idempotency_key_unique" on "executions" ("organization_id", "idempotency_key") where "idempotency_key" is not null',
    },
  ],
  properties: {
    id: generatedId(),
    organizationId: p.uuid(),
    workflowId: p.uuid(),
    versionId: p.uuid(),
    status: p.enum([...EXECUTION_STATUSES]).default('pending'),
    triggerKind: p.enum([...EXECUTION_TRIGGERS]),
    input: p.json<unknown>().nullable(),
    /** The engine's run result (workflow-v1.md "Run result"). */
    result: p.json<RunResult>().nullable(),
    error: p.json<StepErrorInfo & { step?: string }>().nullable(),
    attempt: p.integer().default(0),
    idempotencyKey: p.string().nullable(),
    dedupeKey: p.string().nullable(),
    createdAt: insertedAt(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    claimedBy: p.string().nullable(),
    heartbeatAt: p.datetime().nullable(),
    cancelRequestedAt: p.datetime().nullable(),
  },
});

export const ExecutionStep = defineEntity({
  name: 'ExecutionStep',
  tableName: 'execution_steps',
  uniques: [{ properties: ['executionId', 'stepId'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    executionId: p.uuid(),
    stepId: p.string(),
    status: p.string().length(16),
    attempts: p.integer().default(0),
    output: p.json<unknown>().nullable(),
    port: p.string().nullable(),
    error: p.json<StepErrorInfo>().nullable(),
    durationMs: p.integer().nullable(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});

export const ExecutionLog = defineEntity({
  name: 'ExecutionLog',
  tableName: 'execution_logs',
  indexes: [{ properties: ['executionId', 'id'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    organizationId: p.uuid().index(),
    executionId: p.uuid(),
    stepId: p.string().nullable(),
    level: p.string().length(8),
    message: p.text(),
    at: insertedAt(),
  },
});

/** A webhook dedupe key seen within its window → the first run's execution id. */
export const WebhookDedupe = defineEntity({
  name: 'WebhookDedupe',
  tableName: 'webhook_dedupes',
  properties: {
    triggerId: p.uuid().primary(),
    key: p.string().primary(),
    organizationId: p.uuid().index(),
    executionId: p.uuid(),
    expiresAt: p.datetime().index(),
  },
});

/** The first response to a mutation sent with an Idempotency-Key, replayed for repeats. */
export const IdempotencyRecord = defineEntity({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_records',
  properties: {
    organizationId: p.uuid().primary(),
    /** Scoped by the caller: `<method> <route>` + the client's key. */
    key: p.string().primary(),
    requestHash: p.string().length(64),
    statusCode: p.integer(),
    response: p.json<unknown>().nullable(),
    createdAt: insertedAt(),
  },
});

/** Rows written in the same transaction as their Execution; the relay publishes then marks them sent. */
export const Outbox = defineEntity({
  name: 'Outbox',
  tableName: 'outbox',
  indexes: [
    {
      name: 'outbox_unsent_idx',
      expression: 'create index "outbox_unsent_idx" on "outbox" ("id") where "sent_at" is null',
    },
  ],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    organizationId: p.uuid().index(),
    topic: p.string(),
    payload: p.json<Record<string, unknown>>(),
    createdAt: insertedAt(),
    sentAt: p.datetime().nullable(),
    attempts: p.integer().default(0),
  },
});
