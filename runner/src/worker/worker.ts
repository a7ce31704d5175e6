import type { Consumer } from 'rabbitmq-client';
import { systemSqlFor } from '../db/system-sql';
import type { Broker } from '../queue/broker';
import { createExecutionConsumer, type Disposition } from '../queue/execution-consumer';
import type { ExecutionMessage } from '../queue/execution-message';
import type { ExecutionPublisher } from '../queue/execution-publisher';
import { claimExecutions, type ClaimOutcome } from './claim';
import { runClaimedExecution, type ExecutionRunnerDeps } from './execution-runner';
import { createMicroBatcher } from './micro-batcher';
import { createRunningExecutions } from './running-executions';

export interface WorkerOptions extends Omit<ExecutionRunnerDeps, 'workerId'> {
  broker: Broker;
  /** Publishes waiting executions to the delay queue. */
  publisher: ExecutionPublisher;
  workerId: string;
  /** Executions run at the same time by this process. */
  concurrency: number;
  /** Messages prefetched from the broker (bounded). */
  prefetch: number;
  /** A claim lapses when its heartbeat is older than this; another worker may then take it over. */
  leaseMs: number;
  /** Heartbeat and cancel-poll period (well under leaseMs). */
  tickMs?: number;
  listenUrl?: string;
}

export interface Worker {
  start(): void;
  /** Stops taking messages and waits up to `graceMs` for the runs in progress; unfinished ones are handed back. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The worker role: consume → claim (batched) → run → store → ack. A message
 * whose execution is finished is acked and ignored; one that cannot run yet
 * (lease held elsewhere, organization at its limit) goes to the delay queue
 * and comes back later — it is never dropped.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { orm, workerId, leaseMs } = options;
  const running = createRunningExecutions({
    orm,
    workerId,
    tickMs: options.tickMs ?? Math.min(1_000, Math.floor(leaseMs / 3)),
    listenUrl: options.listenUrl,
    log: options.log,
  });
  const sql = systemSqlFor(orm);
  const claimer = createMicroBatcher<ExecutionMessage, ClaimOutcome>(
    (messages) => claimExecutions(sql.query, messages, workerId, leaseMs),
    { maxSize: 100, maxDelayMs: 2, maxInFlight: 2 },
  );
  let consumer: Consumer | undefined;

  async function handle(message: ExecutionMessage): Promise<Disposition> {
    const outcome = await claimer.add(message);
    switch (outcome.kind) {
      case 'claimed':
        await runOne(outcome);
        return 'ack';
      case 'finished':
      case 'missing':
        return 'ack';
      case 'held':
      case 'limited':
        await options.publisher.publishDelayed(message);
        return 'ack';
    }
  }

  async function runOne({ execution }: Extract<ClaimOutcome, { kind: 'claimed' }>) {
    const controller = running.add(execution.id);
    try {
      await runClaimedExecution({ ...options, workerId }, execution, controller.signal);
    } catch (error) {
      options.log.error(
        { executionId: execution.id, err: error },
        'could not store the execution; releasing it',
      );
      await release(execution.id).catch(() => {});
      throw error;
    } finally {
      running.remove(execution.id);
    }
  }

  /** Gives a claimed execution back (pending) so the redelivered message can claim it at once. */
  function release(executionId: string) {
    return sql.query(
      `update executions set status = 'pending', claimed_by = null, heartbeat_at = null where id = $1 and claimed_by = $2 and status = 'running'`,
      [executionId, workerId],
    );
  }

  return {
    start() {
      running.start();
      consumer = createExecutionConsumer(
        options.broker,
        { concurrency: options.concurrency, prefetch: options.prefetch },
        handle,
        (error) => options.log.warn({ err: error }, 'consumer error'),
      );
    },
    async stop(graceMs = 30_000) {
      const closing = consumer?.close() ?? Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut)
        options.log.warn(
          { graceMs },
          'runs still in progress at shutdown: their messages go back to the queue',
        );
      await running.stop();
      await options.writer.drain();
    },
  };
}
