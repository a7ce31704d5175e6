import type { RetryPolicy } from '../model/workflow';
import type { Clock } from './host';
import { StepError, toStepError } from './step-error';

export type AttemptsResult<T> =
  { ok: true; value: T; attempts: number } | { ok: false; error: StepError; attempts: number };

/** One attempt, and what to do before the next one. */
export interface Attempts<T> {
  run(attempt: number): Promise<T>;
  onRetry(nextAttempt: number, delayMs: number, error: StepError): void;
}

/** Backoff before attempt `attempt + 1`: exponential, capped by maxBackoffMs; a server's Retry-After wins. */
export function retryDelay(policy: RetryPolicy, attempt: number, error: StepError): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  return Math.min(policy.backoffMs * policy.factor ** (attempt - 1), policy.maxBackoffMs);
}

/** Runs attempts until one succeeds, one fails with a non-retryable error, or maxAttempts is reached. */
export async function runWithRetry<T>(
  policy: RetryPolicy,
  clock: Clock,
  signal: AbortSignal,
  attempts: Attempts<T>,
): Promise<AttemptsResult<T>> {
  for (let n = 1; ; n++) {
    try {
      return { ok: true, value: await attempts.run(n), attempts: n };
    } catch (thrown) {
      const error = toStepError(thrown);
      if (!error.retryable || n >= policy.maxAttempts || signal.aborted)
        return { ok: false, error, attempts: n };
      const delayMs = retryDelay(policy, n, error);
      attempts.onRetry(n + 1, delayMs, error);
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        return { ok: false, error: cancellation(signal), attempts: n };
      }
    }
  }
}

/** The reason a signal carries, as a StepError. */
export function cancellation(signal: AbortSignal): StepError {
  const reason: unknown = signal.reason;
  return reason instanceof StepError
    ? reason
    : new StepError('CANCELED', 'the run was canceled', { retryable: false });
}
