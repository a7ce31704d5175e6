import type { Clock } from './host';

/** Calls `fn` after `ms` with the clock's cheap timer when it has one; returns the cancel function. */
export function startTimer(clock: Clock, ms: number, fn: () => void): () => void {
  if (clock.setTimer) return clock.setTimer(ms, fn);
  const controller = new AbortController();
  clock.sleep(ms, controller.signal).then(fn, () => undefined);
  return () => controller.abort(TIMER_CANCELED);
}

/** Cancels without building an AbortError (and its stack) each time. */
const TIMER_CANCELED = Symbol('timer canceled');
