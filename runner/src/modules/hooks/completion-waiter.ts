import type { MikroORM } from '@mikro-orm/postgresql';
import { withSystemContext } from '../../db/org-context';
import { EXECUTION_FINISHED_CHANNEL } from '../../outbox/channels';
import { pgArray } from '../../outbox/pg-array';
import { createPgListener, type PgListener } from '../../outbox/pg-listener';

export interface CompletionWaiter {
  /** Resolves true when the execution reached a final status, false after `timeoutMs`. */
  wait(executionId: string, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Lets webhook requests with `respond: "onCompletion"` wait for their
 * execution: the worker's NOTIFY wakes them at once; a poll every
 * `pollMs` catches any notification lost while the listener reconnected.
 */
export function createCompletionWaiter(options: {
  orm: MikroORM;
  listenUrl?: string;
  pollMs?: number;
}): CompletionWaiter {
  const waiting = new Map<string, Set<(done: boolean) => void>>();
  let listener: PgListener | undefined;
  let poller: NodeJS.Timeout | undefined;

  const settle = (id: string, done: boolean) => {
    const callbacks = waiting.get(id);
    if (!callbacks) return;
    waiting.delete(id);
    callbacks.forEach((callback) => callback(done));
  };

  async function poll() {
    const ids = [...waiting.keys()];
    if (ids.length === 0) return;
    const rows = await withSystemContext(options.orm, (em) =>
      em.execute<{ id: string }[]>(
        `select id from executions where id = any(?::uuid[]) and status in ('success', 'failed', 'canceled')`,
        [pgArray(ids)],
      ),
    ).catch(() => []);
    rows.forEach((row) => settle(row.id, true));
  }

  const ensureStarted = () => {
    if (poller) return;
    poller = setInterval(() => void poll(), options.pollMs ?? 500);
    poller.unref();
    if (options.listenUrl && !listener) {
      listener = createPgListener({
        connectionString: options.listenUrl,
        channels: [EXECUTION_FINISHED_CHANNEL],
        onNotification: (_channel, id) => settle(id, true),
        onConnected: () => void poll(),
      });
    }
  };

  return {
    wait(executionId, timeoutMs) {
      ensureStarted();
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiting.get(executionId)?.delete(done);
          if (waiting.get(executionId)?.size === 0) waiting.delete(executionId);
          resolve(false);
        }, timeoutMs);
        const done = (finished: boolean) => {
          clearTimeout(timer);
          resolve(finished);
        };
        const set = waiting.get(executionId) ?? new Set();
        set.add(done);
        waiting.set(executionId, set);
        // It may have finished before we started waiting (fast runs, deduplicated requests).
        void poll();
      });
    },
    async close() {
      if (poller) clearInterval(poller);
      poller = undefined;
      await listener?.close();
      for (const id of [...waiting.keys()]) settle(id, false);
    },
  };
}
