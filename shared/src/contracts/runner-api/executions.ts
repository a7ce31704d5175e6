import { z } from 'zod';
import { RunResult, RunStatus } from '../../model/run-result';

/** An execution's status: the run statuses of workflow-v1.md. @example ExecutionStatus.parse('failed') */
export const ExecutionStatus = RunStatus;
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;
/** @example EXECUTION_STATUSES.includes('running') // true */
export const EXECUTION_STATUSES = RunStatus.options;

/** What started an execution. @example ExecutionTrigger.parse('webhook') */
export const EXECUTION_TRIGGERS = ['api', 'webhook', 'schedule', 'poll'] as const;
export const ExecutionTrigger = z.enum(EXECUTION_TRIGGERS);
export type ExecutionTrigger = z.infer<typeof ExecutionTrigger>;

/** `POST /v1/workflows/{id}/executions` → 202. @example StartedExecution.parse(json).id */
export const StartedExecution = z
  .object({ id: z.string(), status: z.literal('pending') })
  .meta({ id: 'StartedExecution' });
export type StartedExecution = z.infer<typeof StartedExecution>;

/** An execution as listed (no steps). @example ExecutionSummary.parse(json).finishedAt */
export const ExecutionSummary = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    version: z.number().int(),
    status: ExecutionStatus,
    trigger: ExecutionTrigger,
    attempt: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ExecutionSummary' });
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

/**
 * `GET /v1/executions/{id}`: the run result (workflow-v1.md) plus `id`, `workflowId`, `version`;
 * while it runs, `steps` holds the steps finished so far (so `startedAt`/`finishedAt` may be null).
 * @example ExecutionDetail.parse(json).steps.notify?.error?.code
 */
export const ExecutionDetail = ExecutionSummary.extend({
  versionId: z.string(),
  steps: RunResult.shape.steps,
  error: RunResult.shape.error,
  cancelRequestedAt: z.string().nullable(),
}).meta({ id: 'Execution' });
export type ExecutionDetail = z.infer<typeof ExecutionDetail>;

/**
 * `GET /v1/executions` and `GET /v1/workflows/{id}/executions`: newest first, a cursor page.
 * @example ExecutionList.parse(json).items.map((e) => e.status)
 */
export const ExecutionList = z.object({
  items: z.array(ExecutionSummary),
  nextCursor: z.string().nullable(),
});
export type ExecutionList = z.infer<typeof ExecutionList>;

/** How far back `GET /v1/executions/stats?since=` may look. */
export const EXECUTION_STATS_MAX_DAYS = 31;

/**
 * `GET /v1/executions/stats`: executions created since `since`, counted by status.
 * @example ExecutionStats.parse(json).byStatus.failed
 */
export const ExecutionStats = z.object({
  since: z.string(),
  total: z.number().int(),
  byStatus: z.object({
    pending: z.number().int(),
    running: z.number().int(),
    success: z.number().int(),
    failed: z.number().int(),
    canceled: z.number().int(),
  }),
});
export type ExecutionStats = z.infer<typeof ExecutionStats>;

/** `GET /v1/executions/{id}/logs`: oldest first, a cursor page. @example LogList.parse(json).items[0]?.level */
export const LogList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      stepId: z.string().nullable(),
      level: z.string(),
      message: z.string(),
      at: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type LogList = z.infer<typeof LogList>;

/** `POST /v1/executions/{id}/cancel` → 202. @example CancelReply.parse(json).cancelRequestedAt */
export const CancelReply = z.object({
  id: z.string(),
  status: ExecutionStatus,
  cancelRequestedAt: z.string().nullable(),
});
export type CancelReply = z.infer<typeof CancelReply>;
