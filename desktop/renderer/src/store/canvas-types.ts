import type { Edge, Node } from '@xyflow/react';
import type { RetryPolicy, WorkflowNode } from '../../../../shared/src/model/workflow';

/**
 * What a canvas node carries: everything of a workflow node except its id
 * (the React Flow node id) and position (the React Flow position).
 */
export interface StepNodeData extends Record<string, unknown> {
  nodeType: string;
  name?: string;
  config?: Record<string, unknown>;
  retry?: RetryPolicy;
  timeoutMs?: number;
  forEach?: string;
  concurrency?: number;
  dedupeKey?: string;
  dedupeWindowSeconds?: number;
}

export type StepNode = Node<StepNodeData, 'step'>;

/** `port` is kept only when the document wrote one, so that a round trip is exact. */
export interface StepEdgeData extends Record<string, unknown> {
  explicitPort?: boolean;
}

export type StepEdge = Edge<StepEdgeData>;

/** The document-level fields that are not nodes or edges. */
export interface WorkflowMeta {
  name: string;
  description?: string;
  settings?: { timeoutMs?: number };
}

/** Keys of a workflow node that live in `StepNodeData` (all but id, type, position). */
export const NODE_DATA_KEYS = [
  'name',
  'config',
  'retry',
  'timeoutMs',
  'forEach',
  'concurrency',
  'dedupeKey',
  'dedupeWindowSeconds',
] as const satisfies readonly (keyof WorkflowNode)[];

export const DEFAULT_PORT = 'out';
export const INPUT_HANDLE = 'in';
