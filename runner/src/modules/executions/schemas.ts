import { z } from 'zod';
import { StepResult } from '../../../../shared/src/model/run-result';
import { EXECUTION_STATUSES, EXECUTION_TRIGGERS } from '../../db/entities/execution';

export const ExecutionParams = z.object({ id: z.string().describe('execution id') });

export const StartBody = z.strictObject({
  input: z.unknown().optional().describe("the trigger node's output"),
});

export const Started = z
  .object({ id: z.string(), status: z.literal('pending') })
  .meta({ id: 'StartedExecution' });

const ErrorInfo = z.object({ code: z.string(), message: z.string(), step: z.string().optional() });

export const ExecutionSummary = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    version: z.number().int(),
    status: z.enum(EXECUTION_STATUSES),
    trigger: z.enum(EXECUTION_TRIGGERS),
    attempt: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ExecutionSummary' });

/** The run result (workflow-v1.md) plus ids; while running, `steps` holds the steps finished so far. */
export const ExecutionDetail = ExecutionSummary.extend({
  versionId: z.string(),
  steps: z.record(z.string(), StepResult),
  error: ErrorInfo.optional(),
  cancelRequestedAt: z.string().nullable(),
}).meta({ id: 'Execution' });

export const ExecutionListQuery = z.strictObject({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  status: z.enum(EXECUTION_STATUSES).optional(),
});

export const ExecutionList = z.object({
  items: z.array(ExecutionSummary),
  nextCursor: z.string().nullable(),
});

export const OrgExecutionListQuery = ExecutionListQuery.extend({
  workflowId: z.uuid('must be a workflow id').optional(),
});

const DAY_MS = 24 * 60 * 60 * 1000;
export const ExecutionStatsQuery = z.strictObject({
  since: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
    .optional()
    .describe('start of the window (default: 24 hours ago; at most 31 days ago)')
    .refine((v) => !v || Date.now() - new Date(v).getTime() <= 31 * DAY_MS, {
      message: 'must be at most 31 days ago',
    }),
});

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

export const LogQuery = z.strictObject({
  cursor: z.string().regex(/^\d+$/, 'must be a log id').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

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

export const CancelReply = z.object({
  id: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  cancelRequestedAt: z.string().nullable(),
});
