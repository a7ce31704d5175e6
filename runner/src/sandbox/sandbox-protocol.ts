import type { SandboxLimits } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import type { ErrorCode } from '../../../shared/src/model/run-result';

/** Host → thread: one code.js call. The input travels as JSON text so that it is serialised exactly as in-process. */
export interface CallMessage {
  id: number;
  code: string;
  inputJson: string;
  limits: SandboxLimits;
  /** Only relay console lines when someone listens: saves a message per line otherwise. */
  relayLogs: boolean;
}

export interface SerializedStepError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** Thread → host. `ready` once the QuickJS module is loaded and warmed up. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'log'; id: number; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedStepError };

/** A StepError crosses the thread boundary as plain data (structured clone drops the class). */
export function serializeError(error: unknown): SerializedStepError {
  if (error instanceof StepError) {
    return { code: error.code, message: error.message, retryable: error.retryable };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `the code sandbox failed: ${message}`, retryable: false };
}

export function deserializeError(error: SerializedStepError): StepError {
  return new StepError(error.code, error.message, { retryable: error.retryable });
}
