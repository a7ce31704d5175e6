import type { StepResult } from '../model/run-result';
import type { EngineEvent } from './events';
import type { StepHost } from './host';

/** How one run is started (common.md "Engine API"). */
export interface RunOptions {
  /** The trigger node's output: the host builds the trigger payload. */
  input: unknown;
  env?: Record<string, string>;
  executionId: string;
  host: StepHost;
  /** Aborting it cancels the run (status `canceled`). */
  signal?: AbortSignal;
  /** Receives every event, already redacted. Exceptions it throws are ignored. */
  onEvent?: (event: EngineEvent) => void;
  /** Values the user marked as secret: redacted everywhere. */
  secretValues?: string[];
  /** Resume: steps already settled in an earlier attempt of this run, not run again. */
  completedSteps?: Record<string, StepResult>;
}
