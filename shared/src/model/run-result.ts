import { z } from 'zod';

/** Status of a whole run. @example RunStatus.parse('success') */
export const RunStatus = z.enum(['pending', 'running', 'success', 'failed', 'canceled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** Status of one step (node) of a run. */
export const StepStatus = z.enum([
  'pending',
  'running',
  'success',
  'failed',
  'skipped',
  'canceled',
]);
export type StepStatus = z.infer<typeof StepStatus>;

/**
 * Every error code a step or a run can end with. Switches over it end in an
 * exhaustiveness check (`assertNever`).
 */
export const ErrorCode = z.enum([
  'EXPRESSION', // a template failed to evaluate (user error, never retried)
  'VALIDATION', // a node's evaluated config is not acceptable (user error, never retried)
  'HTTP_STATUS', // the response status is outside okStatus (429/5xx are retried)
  'NETWORK', // connection refused, DNS failure, reset... (retried)
  'TIMEOUT', // an attempt, a code.js CPU limit or the whole run ran out of time
  'MEMORY', // code.js passed its memory limit
  'CODE', // code.js threw or returned something not JSON-serialisable (retried)
  'CSV', // csv.parse/csv.format could not read or write its data
  'CIRCUIT_OPEN', // calls to this host fail fast after repeated failures
  'BLOCKED_ADDRESS', // the runner's SSRF guard refused the target address
  'FAIL', // flow.fail
  'CANCELED', // the run was cancelled
  'INTERNAL', // a bug in Maestro itself
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const StepErrorInfo = z.object({ code: ErrorCode, message: z.string() });
export type StepErrorInfo = z.infer<typeof StepErrorInfo>;

/** One step's result, as stored and served. */
export const StepResult = z.object({
  status: StepStatus,
  attempts: z.number().int().min(0),
  output: z.unknown().optional(),
  port: z.string().optional(),
  error: StepErrorInfo.optional(),
  durationMs: z.number().min(0),
});
export type StepResult = z.infer<typeof StepResult>;

/** The run result (workflow-v1.md "Run result"): the engine returns it, the CLI prints it, the runner stores it. */
export const RunResult = z.object({
  status: RunStatus,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  steps: z.record(z.string(), StepResult),
  error: StepErrorInfo.extend({ step: z.string().optional() }).optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** Exhaustiveness check for switches over the enums above. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
