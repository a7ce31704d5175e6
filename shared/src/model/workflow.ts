import { z } from 'zod';

/** The format tag of a v1 workflow document. */
export const WORKFLOW_FORMAT = 'maestro/workflow@1';
/** Business rules (workflow-v1.md). */
export const MAX_STEPS = 25;
export const MAX_RUN_TIMEOUT_MS = 900_000;
export const DEFAULT_STEP_TIMEOUT_MS = 30_000;
export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const RetryPolicy = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).default(1),
  backoffMs: z.number().int().min(0).default(1000),
  factor: z.number().min(1).default(2),
  maxBackoffMs: z.number().int().min(0).default(60_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const Position = z.strictObject({ x: z.number(), y: z.number() });

/**
 * One node as written in the document. `config` is checked against the node
 * type's own schema by the validator (nodes/registry.ts), so it is open here.
 */
export const WorkflowNode = z.strictObject({
  id: z.string().regex(NODE_ID_PATTERN, 'must match ^[A-Za-z_][A-Za-z0-9_]*$'),
  type: z.string(),
  name: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  position: Position.optional(),
  retry: RetryPolicy.optional(),
  timeoutMs: z.number().int().min(1).max(MAX_RUN_TIMEOUT_MS).optional(),
  forEach: z.string().optional(),
  concurrency: z.number().int().min(1).max(50).optional(),
  dedupeKey: z.string().optional(),
  dedupeWindowSeconds: z.number().int().min(1).optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNode>;

export const WorkflowEdge = z.strictObject({
  from: z.string(),
  to: z.string(),
  port: z.string().optional(),
});
export type WorkflowEdge = z.infer<typeof WorkflowEdge>;

export const WorkflowSettings = z.strictObject({
  timeoutMs: z.number().int().min(1).max(MAX_RUN_TIMEOUT_MS).optional(),
});

/** A workflow v1 document (workflow-v1.md "File"). */
export const Workflow = z.strictObject({
  format: z.literal(WORKFLOW_FORMAT),
  name: z.string().min(1),
  description: z.string().optional(),
  settings: WorkflowSettings.optional(),
  nodes: z.array(WorkflowNode),
  edges: z.array(WorkflowEdge),
});
export type Workflow = z.infer<typeof Workflow>;
