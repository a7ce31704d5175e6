import { ConsumerStatus, type AsyncMessage, type Consumer } from 'rabbitmq-client';
import type { Broker } from './broker';
import { executionsQueueDeclaration } from './topology';
import { parseExecutionMessage, type ExecutionMessage } from './execution-message';

/** What the worker decides for one delivery. */
export type Disposition = 'ack' | 'requeue' | 'drop';

export interface ExecutionConsumerOptions {
  /** Messages handled at the same time by this process. */
  concurrency: number;
  /** Messages the broker may push ahead of acks (bounded; ≥ concurrency). */
  prefetch: number;
}

export type ExecutionHandler = (
  message: ExecutionMessage,
  delivery: AsyncMessage,
) => Promise<Disposition>;

const STATUS: Record<Disposition, ConsumerStatus> = {
  ack: ConsumerStatus.ACK,
  requeue: ConsumerStatus.REQUEUE,
  drop: ConsumerStatus.DROP,
};

/**
 * Consumes the executions queue with manual acks: a message is acked only
 * after its handler settles; a handler that throws puts the message back.
 */
export function createExecutionConsumer(
  broker: Broker,
  options: ExecutionConsumerOptions,
  handler: ExecutionHandler,
  onError: (error: unknown) => void = () => {},
): Consumer {
  const consumer = broker.connection.createConsumer(
    {
      queue: broker.topology.executionsQueue,
      queueOptions: executionsQueueDeclaration(broker.topology),
      qos: { prefetchCount: Math.max(options.prefetch, options.concurrency) },
      concurrency: options.concurrency,
      requeue: true,
    },
    async (delivery) => {
      const message = parseExecutionMessage(delivery.body);
      // A body we cannot read will never become readable: drop it instead of looping.
      if (!message) return ConsumerStatus.DROP;
      return STATUS[await handler(message, delivery)];
    },
  );
  consumer.on('error', onError);
  return consumer;
}
