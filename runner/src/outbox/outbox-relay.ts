import type { MikroORM } from '@mikro-orm/postgresql';
import { systemSqlFor } from '../db/system-sql';
import type { ExecutionPublisher } from '../queue/execution-publisher';
import type { ExecutionMessage } from '../queue/execution-message';
import { OUTBOX_CHANNEL } from './channels';
import { pgArray } from './pg-array';
import { createPgListener, type PgListener } from './pg-listener';

/** How long a row whose publish was attempted is left alone before the relay publishes it. */
export const RELAY_TAKEOVER_MS = 5_000;

export interface OutboxRelayOptions {
  orm: MikroORM;
  publisher: ExecutionPublisher;
  /** For LISTEN; without it the relay only polls. */
  listenUrl?: string;
  batchSize?: number;
  /** Polling fallback when no NOTIFY arrives (and the retry delay after a failed publish). */
  pollIntervalMs?: number;
  onError?(error: unknown): void;
}

export interface OutboxRelay {
  start(): void;
  /** Publishes everything unsent now; resolves with how many rows were sent. */
  drain(): Promise<number>;
  /** Finishes the batch in flight, then stops. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  payload: ExecutionMessage;
}

/**
 * Publishes outbox rows. Each batch is claimed with FOR UPDATE SKIP LOCKED, so
 * several relays share the work without sending a row twice at the same time;
 * rows are marked sent only after the broker confirmed them. A relay that dies
 * between the confirm and the commit leaves its rows unsent: they are published
 * again, and the worker's claim makes the duplicate harmless.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { orm, publisher, batchSize = 500, pollIntervalMs = 1_000 } = options;
  let running = false;
  let wake: (() => void) | undefined;
  let pending = false;
  let loop: Promise<void> | undefined;
  let listener: PgListener | undefined;

  const poke = () => {
    pending = true;
    wake?.();
  };

  async function relayBatch(): Promise<number> {
    const outcome = await systemSqlFor(orm).transaction(async (query) => {
      // Rows someone already tried (attempts > 0: the API publishing its own batch, or an earlier
      // failed relay pass) are left to that attempt for RELAY_TAKEOVER_MS, then taken over.
      const rows = await query<OutboxRow>(
        `select id, payload from outbox
          where sent_at is null and (attempts = 0 or created_at < now() - make_interval(secs => $2))
          order by id limit $1 for update skip locked`,
        [batchSize, RELAY_TAKEOVER_MS / 1000],
      );
      if (rows.length === 0) return { sent: 0 };
      const ids = pgArray(rows.map((row) => row.id));
      try {
        await publisher.publish(rows.map((row) => row.payload));
      } catch (error) {
        // Commit the attempt count (operators see stuck rows), then report the failure.
        await query('update outbox set attempts = attempts + 1 where id = any($1::bigint[])', [
          ids,
        ]);
        return { sent: 0, error };
      }
      await query(
        'update outbox set sent_at = now(), attempts = attempts + 1 where id = any($1::bigint[])',
        [ids],
      );
      return { sent: rows.length };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.sent;
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await relayBatch();
      total += sent;
      if (sent < batchSize) return total;
    }
  }

  async function run() {
    while (running) {
      pending = false;
      let delay = pollIntervalMs;
      try {
        await drain();
      } catch (error) {
        options.onError?.(error);
        pending = false;
        delay = pollIntervalMs;
      }
      if (!running) break;
      if (pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      if (options.listenUrl) {
        listener = createPgListener({
          connectionString: options.listenUrl,
          channels: [OUTBOX_CHANNEL],
          onNotification: poke,
          onConnected: poke,
          onError: options.onError,
        });
      }
      loop = run();
    },
    drain,
    async stop() {
      running = false;
      wake?.();
      await listener?.close();
      await loop;
    },
  };
}
