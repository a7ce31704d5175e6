import pg from 'pg';

export interface PgListener {
  close(): Promise<void>;
}

export interface PgListenerOptions {
  connectionString: string;
  channels: string[];
  onNotification(channel: string, payload: string): void;
  /** Called after (re)connecting: notifications sent while disconnected are lost, so callers catch up. */
  onConnected?(): void;
  onError?(error: unknown): void;
}

/**
 * A dedicated connection that LISTENs on some channels and reconnects when it
 * drops. Notifications are hints: callers also poll, so a gap while
 * reconnecting costs latency, not correctness.
 */
export function createPgListener(options: PgListenerOptions): PgListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: options.connectionString });
    next.on('notification', (message) =>
      options.onNotification(message.channel, message.payload ?? ''),
    );
    next.on('error', (error) => {
      options.onError?.(error);
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    try {
      await next.connect();
      for (const channel of options.channels)
        await next.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      options.onConnected?.();
    } catch (error) {
      options.onError?.(error);
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (closed || retry || (client && client !== failed)) return;
    client = undefined;
    failed.end().catch(() => {});
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 1_000);
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
