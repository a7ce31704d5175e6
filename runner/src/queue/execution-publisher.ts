import type { Publisher } from 'rabbitmq-client';
import type { Broker } from './broker';
import { delayQueueDeclaration, executionsQueueDeclaration } from './topology';
import type { ExecutionMessage } from './execution-message';

/**
 * Publishes execution messages with publisher confirms: `publish` resolves only
 * once the broker has taken responsibility for every message (quorum queue:
 * replicated and written), so the relay may then mark its outbox rows sent.
 */
export interface ExecutionPublisher {
  publish(messages: ExecutionMessage[]): Promise<void>;
  /** Puts a message in the delay queue; it comes back to the executions queue later. */
  publishDelayed(message: ExecutionMessage): Promise<void>;
  close(): Promise<void>;
}

export function createExecutionPublisher(broker: Broker): ExecutionPublisher {
  const { topology } = broker;
  const publisher: Publisher = broker.connection.createPublisher({
    confirm: true,
    // One retry covers a publish that raced a reconnect; the relay retries anything else later.
    maxAttempts: 2,
    queues: [executionsQueueDeclaration(topology), delayQueueDeclaration(topology, broker.delayMs)],
  });
  const send = (queue: string, message: ExecutionMessage) =>
    publisher.send(
      {
        routingKey: queue,
        durable: true,
        contentType: 'application/json',
        messageId: message.executionId,
      },
      message,
    );
  return {
    async publish(messages) {
      await Promise.all(messages.map((message) => send(topology.executionsQueue, message)));
    },
    publishDelayed: (message) => send(topology.delayQueue, message),
    close: () => publisher.close(),
  };
}
