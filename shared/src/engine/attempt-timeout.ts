import type { Clock } from './host';
import { cancellation } from './retry';
import { StepError } from './step-error';

/**
 * Runs one attempt with its own signal, aborted after `timeoutMs` (TIMEOUT,
 * retryable) or when `parent` aborts. Settles at once on abort even if the
 * node ignores its signal, so a stuck node cannot hold the run.
 */
export async function withAttemptTimeout<T>(
  clock: Clock,
  timeoutMs: number,
  parent: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  if (parent.aborted) onParentAbort();
  clock.sleep(timeoutMs, timer.signal).then(
    () => controller.abort(new StepError('TIMEOUT', `the attempt timed out after ${timeoutMs} ms`)),
    () => undefined,
  );
  const aborted = new Promise<never>((_, reject) => {
    const rejectWithReason = () => reject(cancellation(controller.signal));
    if (controller.signal.aborted) rejectWithReason();
    else controller.signal.addEventListener('abort', rejectWithReason, { once: true });
  });
  try {
    return await Promise.race([run(controller.signal), aborted]);
  } finally {
    timer.abort();
    parent.removeEventListener('abort', onParentAbort);
  }
}
