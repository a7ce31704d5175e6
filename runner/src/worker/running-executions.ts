import type { MikroORM } from '@mikro-orm/postgresql';
import { StepError } from '../../../shared/src/engine/step-error';
import { systemSqlFor } from '../db/system-sql';
import { EXECUTION_CANCEL_CHANNEL } from '../outbox/channels';
import { createPgListener, type PgListener } from '../outbox/pg-listener';
import type { Log } from './logger';

export interface RunningExecutionsOptions {
  orm: MikroORM;
  workerId: string;
  /** How often leases are renewed and cancel requests looked for. */
  tickMs: number;
  listenUrl?: string;
  log: Log;
}

/**
 * The executions this worker is running: renews their leases (heartbeat_at)
 * and aborts the ones whose cancel was requested. A LISTEN on the cancel
 * channel makes a cancel immediate; the tick catches the ones it missed.
 */
export interface RunningExecutions {
  add(executionId: string): AbortController;
  remove(executionId: string): void;
  start(): void;
  stop(): Promise<void>;
}

export function createRunningExecutions(options: RunningExecutionsOptions): RunningExecutions {
  const running = new Map<string, AbortController>();
  let timer: NodeJS.Timeout | undefined;
  let listener: PgListener | undefined;
  let ticking: Promise<void> | undefined;

  const cancel = (id: string) => {
    const controller = running.get(id);
    if (controller && !controller.signal.aborted) {
      controller.abort(
        new StepError('CANCELED', 'the execution was canceled', { retryable: false }),
      );
    }
  };

  async function tick() {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    try {
      const rows = await systemSqlFor(options.orm).query<{ id: string; cancel: boolean }>(
        `update executions set heartbeat_at = now()
          where id = any($1::uuid[]) and claimed_by = $2 and status = 'running'
          returning id, cancel_requested_at is not null as cancel`,
        [ids, options.workerId],
      );
      for (const row of rows) if (row.cancel) cancel(row.id);
    } catch (error) {
      options.log.warn({ err: error }, 'heartbeat failed; leases may lapse');
    }
  }

  const loop = () => {
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = undefined;
        if (timer) loop();
      });
    }, options.tickMs);
  };

  return {
    add(id) {
      const controller = new AbortController();
      running.set(id, controller);
      return controller;
    },
    remove(id) {
      running.delete(id);
    },
    start() {
      loop();
      if (options.listenUrl) {
        listener = createPgListener({
          connectionString: options.listenUrl,
          channels: [EXECUTION_CANCEL_CHANNEL],
          onNotification: (_channel, payload) => cancel(payload),
          onError: (error) => options.log.warn({ err: error }, 'cancel listener error'),
        });
      }
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await ticking;
      await listener?.close();
    },
  };
}
