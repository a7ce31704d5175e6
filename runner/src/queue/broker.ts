import { Connection } from 'rabbitmq-client';
import { createTopology, declareTopology, type Topology } from './topology';

export interface BrokerOptions {
  url: string;
  /** Queue name prefix (tests isolate with unique prefixes). */
  prefix?: string;
  connectionName?: string;
  /** Milliseconds a waiting execution sits in the delay queue. */
  delayMs?: number;
}

/** One AMQP connection per process, shared by the relay's publisher and the worker's consumer. */
export interface Broker {
  connection: Connection;
  topology: Topology;
  delayMs: number | undefined;
  close(): Promise<void>;
}

export function createBroker(options: BrokerOptions): Broker {
  const connection = new Connection({
    url: options.url,
    connectionName: options.connectionName ?? `maestro-runner-${process.pid}`,
    // Reconnect quickly: a broker restart should cost seconds, not the 30 s default backoff.
    retryLow: 200,
    retryHigh: 2_000,
    heartbeat: 10,
    noDelay: true,
  });
  // The connection reconnects by itself; an unhandled 'error' event would crash the process.
  connection.on('error', () => {});
  return {
    connection,
    topology: createTopology(options.prefix),
    delayMs: options.delayMs,
    close: () => connection.close(),
  };
}

/** Declares the queues once the broker answers (the consumer and publisher re-declare after reconnects). */
export async function prepareBroker(broker: Broker, timeoutMs = 10_000): Promise<void> {
  await broker.connection.onConnect(timeoutMs, true);
  await declareTopology(broker.connection, broker.topology, broker.delayMs);
}

/** For /readyz: is the connection up and does the executions queue exist? */
export async function checkBroker(broker: Broker): Promise<{ ok: boolean; detail?: string }> {
  if (!broker.connection.ready) return { ok: false, detail: 'not connected to RabbitMQ' };
  try {
    await broker.connection.queueDeclare({ queue: broker.topology.executionsQueue, passive: true });
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Messages waiting in the executions queue (for the queue-depth gauge). */
export async function executionsQueueDepth(broker: Broker): Promise<number | undefined> {
  if (!broker.connection.ready) return undefined;
  try {
    const ok = await broker.connection.queueDeclare({
      queue: broker.topology.executionsQueue,
      passive: true,
    });
    return ok.messageCount;
  } catch {
    return undefined;
  }
}
