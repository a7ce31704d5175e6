import type { ErrorCode } from '../model/run-result';

/** What templates and `code.js` see (workflow-v1.md "Templates and expressions"). */
export interface ExpressionContext {
  trigger: unknown;
  /** Outputs of the steps that have finished, by node id (a live, null-prototype record). */
  steps: Record<string, unknown>;
  env: Record<string, string>;
  execution: { id: string; workflowName: string; startedAt: string };
  item?: unknown;
  index?: number;
  error?: { message: string; code: ErrorCode; step: string };
}
