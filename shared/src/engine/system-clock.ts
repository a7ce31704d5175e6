import type { Clock } from './host';
import { StepError } from './step-error';

/** Shared: a run ends by aborting its timer, and an error (with its stack) per run showed in profiles. */
const SLEEP_CANCELED = new StepError('CANCELED', 'the wait was canceled', { retryable: false });

/**
 * The real clock (Date.now and timers), for every host.
 * @example await createSystemClock().sleep(100, AbortSignal.timeout(1000))
 */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(ms, fn) {
      const timer = setTimeout(fn, Math.max(0, ms));
      return () => clearTimeout(timer);
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const abort = () => {
          clearTimeout(timer);
          const reason: unknown = signal.reason;
          reject(reason instanceof StepError ? reason : SLEEP_CANCELED);
        };
        const timer = setTimeout(
          () => {
            signal.removeEventListener('abort', abort);
            resolve();
          },
          Math.max(0, ms),
        );
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
    },
  };
}
