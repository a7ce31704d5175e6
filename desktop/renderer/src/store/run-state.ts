/**
 * The live view of one dry-run, folded from the engine's event stream
 * (dryRun.events). Pure: the store applies it, tests feed it events.
 */
import type { EngineEvent } from '../../../../shared/src/engine/events';
import type {
  RunResult,
  RunStatus,
  StepErrorInfo,
  StepStatus,
} from '../../../../shared/src/model/run-result';

export interface StepRunView {
  status: StepStatus;
  attempts: number;
  input?: unknown;
  output?: unknown;
  port?: string;
  error?: StepErrorInfo;
  durationMs?: number;
  /** The error of the last failed attempt while a retry waits. */
  retryError?: StepErrorInfo;
}

export interface RunState {
  runId: string | null;
  status: 'idle' | 'starting' | RunStatus;
  steps: Record<string, StepRunView>;
  input?: unknown;
  result?: RunResult;
  /** A failure to start or to follow the run (transport, validation...). */
  problem?: string;
  logs: { level: string; message: string; stepId?: string; at: string }[];
}

export const IDLE_RUN: RunState = { runId: null, status: 'idle', steps: {}, logs: [] };

export function applyEngineEvent(run: RunState, event: EngineEvent): RunState {
  switch (event.type) {
    case 'run.started':
      return { ...run, status: 'running' };
    case 'step.started':
      return {
        ...run,
        steps: {
          ...run.steps,
          [event.stepId]: { status: 'running', attempts: event.attempt, input: event.input },
        },
      };
    case 'step.retrying': {
      const previous = run.steps[event.stepId] ?? { status: 'running', attempts: event.attempt };
      return {
        ...run,
        steps: {
          ...run.steps,
          [event.stepId]: { ...previous, attempts: event.attempt, retryError: event.error },
        },
      };
    }
    case 'step.finished': {
      const previous = run.steps[event.stepId];
      return { ...run, steps: { ...run.steps, [event.stepId]: { ...previous, ...event.result } } };
    }
    case 'log':
      return {
        ...run,
        logs: [
          ...run.logs,
          { level: event.level, message: event.message, stepId: event.stepId, at: event.at },
        ],
      };
    case 'run.finished':
      return {
        ...run,
        status: event.result.status,
        result: event.result,
        steps: mergeResultSteps(run.steps, event.result),
      };
  }
}

/** The final result knows every step (skipped and canceled ones too); keep the inputs we saw live. */
function mergeResultSteps(
  steps: Record<string, StepRunView>,
  result: RunResult,
): Record<string, StepRunView> {
  const merged: Record<string, StepRunView> = { ...steps };
  for (const [id, step] of Object.entries(result.steps)) merged[id] = { ...steps[id], ...step };
  return merged;
}

export function isRunActive(run: RunState): boolean {
  return run.status === 'starting' || run.status === 'running' || run.status === 'pending';
}

/** A stored run (dryRun.get) as a run view, to inspect it again. */
export function runFromRecord(record: {
  runId: string;
  input?: unknown;
  result?: unknown;
  stepInputs: Record<string, unknown>;
}): RunState {
  const result = record.result as RunResult | undefined;
  const steps: Record<string, StepRunView> = {};
  for (const [id, step] of Object.entries(result?.steps ?? {}))
    steps[id] = { ...step, input: record.stepInputs[id] };
  return {
    runId: record.runId,
    status: result?.status ?? 'running',
    steps,
    input: record.input,
    result,
    logs: [],
  };
}
