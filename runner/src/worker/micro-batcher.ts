export interface MicroBatcherOptions {
  /** Flush as soon as this many items wait. */
  maxSize: number;
  /** Flush at the latest this long after the first item arrived. */
  maxDelayMs: number;
  /** Flushes allowed at the same time (1 = strictly one after another, in order). */
  maxInFlight?: number;
}

export interface MicroBatcher<I, O> {
  add(item: I): Promise<O>;
  /** Resolves once everything added so far has been flushed. */
  drain(): Promise<void>;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Groups small database writes into one transaction ("group commit"): at a
 * thousand executions a second, one round trip per claim or per step result
 * would be the bottleneck. `flush` receives a batch and returns one result per
 * item, in order; if it throws, every item of that batch is rejected.
 */
export function createMicroBatcher<I, O>(
  flush: (items: I[]) => Promise<O[]>,
  options: MicroBatcherOptions,
): MicroBatcher<I, O> {
  const maxInFlight = options.maxInFlight ?? 1;
  const queue: Waiting<I, O>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  const idle: (() => void)[] = [];

  const settleIdle = () => {
    if (inFlight === 0 && queue.length === 0) idle.splice(0).forEach((resolve) => resolve());
  };

  const run = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 || inFlight >= maxInFlight) return;
    const batch = queue.splice(0, options.maxSize);
    inFlight++;
    flush(batch.map((w) => w.item))
      .then(
        (results) => batch.forEach((w, i) => w.resolve(results[i] as O)),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        inFlight--;
        // Whatever arrived during the flush goes out now: it has waited long enough.
        if (queue.length > 0) run();
        else settleIdle();
      });
  };

  return {
    add(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= options.maxSize) run();
        else if (!timer && inFlight < maxInFlight) timer = setTimeout(run, options.maxDelayMs);
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        run();
      });
    },
  };
}
