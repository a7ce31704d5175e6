import type { StepEdge, StepNode, WorkflowMeta } from './canvas-types';

/** What undo/redo restores: the graph and the document fields, not the selection or run. */
export interface Snapshot {
  meta: WorkflowMeta;
  nodes: StepNode[];
  edges: StepEdge[];
}

export interface History {
  past: Snapshot[];
  future: Snapshot[];
  /** Typing in one field makes one undo step, not one per key. */
  coalesceKey?: string;
  coalesceAt?: number;
}

export const HISTORY_LIMIT = 100;
const COALESCE_MS = 1000;

export const EMPTY_HISTORY: History = { past: [], future: [] };

/** Records `before` as an undo step, unless it continues the same coalesced edit. */
export function record(
  history: History,
  before: Snapshot,
  coalesceKey?: string,
  now = Date.now(),
): History {
  if (
    coalesceKey !== undefined &&
    coalesceKey === history.coalesceKey &&
    now - (history.coalesceAt ?? 0) < COALESCE_MS
  ) {
    return { ...history, coalesceAt: now };
  }
  return {
    past: [...history.past, before].slice(-HISTORY_LIMIT),
    future: [],
    coalesceKey,
    coalesceAt: now,
  };
}

export function undo(
  history: History,
  current: Snapshot,
): { history: History; snapshot: Snapshot } | null {
  const snapshot = history.past.at(-1);
  if (!snapshot) return null;
  return {
    history: { past: history.past.slice(0, -1), future: [current, ...history.future] },
    snapshot,
  };
}

export function redo(
  history: History,
  current: Snapshot,
): { history: History; snapshot: Snapshot } | null {
  const [snapshot, ...rest] = history.future;
  if (!snapshot) return null;
  return { history: { past: [...history.past, current], future: rest }, snapshot };
}
