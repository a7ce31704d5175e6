import type { RunResult, StepErrorInfo, StepResult } from '../model/run-result';

/**
 * Events the engine emits while it runs, for live views (desktop badges) and
 * stored logs (runner). Every value in them is already redacted.
 */
export type EngineEvent =
  | { type: 'run.started'; executionId: string; at: string }
  | {
      type: 'step.started';
      stepId: string;
      attempt: number;
      at: string;
      /** The node's evaluated config for this attempt (redacted). */
      input: unknown;
    }
  | {
      type: 'step.retrying';
      stepId: string;
      /** The attempt about to start (the one that failed is `attempt - 1`). */
      attempt: number;
      delayMs: number;
      error: StepErrorInfo;
      at: string;
    }
  | { type: 'step.finished'; stepId: string; result: StepResult; at: string }
  | {
      type: 'log';
      level: 'debug' | 'info' | 'warn' | 'error';
      message: string;
      stepId?: string;
      at: string;
    }
  | { type: 'run.finished'; result: RunResult; at: string };

export type EngineEventListener = (event: EngineEvent) => void;
