import { z } from 'zod';
import {
  EXECUTION_STATS_MAX_DAYS,
  ExecutionStatus,
} from '../../../../shared/src/contracts/runner-api/executions';

// Answers are the shared contract (the desktop parses the same schemas); queries stay here.
export {
  CancelReply,
  ExecutionDetail,
  ExecutionList,
  ExecutionStats,
  LogList,
  StartedExecution as Started,
} from '../../../../shared/src/contracts/runner-api/executions';

export const ExecutionParams = z.object({ id: z.string().describe('execution id') });

export const StartBody = z.strictObject({
  input: z.unknown().optional().describe("the trigger node's output"),
});

export const ExecutionListQuery = z.strictObject({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  status: ExecutionStatus.optional(),
});

export const OrgExecutionListQuery = ExecutionListQuery.extend({
  workflowId: z.uuid('must be a workflow id').optional(),
});

const DAY_MS = 24 * 60 * 60 * 1000;
export const ExecutionStatsQuery = z.strictObject({
  since: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
    .optional()
    .describe(
      `start of the window (default: 24 hours ago; at most ${EXECUTION_STATS_MAX_DAYS} days ago)`,
    )
    .refine((v) => !v || Date.now() - new Date(v).getTime() <= EXECUTION_STATS_MAX_DAYS * DAY_MS, {
      message: `must be at most ${EXECUTION_STATS_MAX_DAYS} days ago`,
    }),
});

export const LogQuery = z.strictObject({
  cursor: z.string().regex(/^\d+$/, 'must be a log id').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
