import type { Connection } from 'rabbitmq-client';

/**
 * Names of everything the runner declares on the broker. A prefix lets test
 * files (and side-by-side deployments) share one broker without sharing queues.
 */
export interface Topology {
  /** Durable quorum queue of executions to run. */
  executionsQueue: string;
  /**
   * Where executions that must wait (the organization is at its concurrency
   * limit, or another worker still holds the lease) sit for a while; expired
   * messages are dead-lettered back to `executionsQueue`, so nothing is dropped.
   */
  delayQueue: string;
}

export function createTopology(prefix = ''): Topology {
  return { executionsQueue: `${prefix}executions`, delayQueue: `${prefix}executions.delay` };
}

/** How long a message waits in the delay queue before it is offered again. */
export const DEFAULT_DELAY_MS = 1_000;

export function executionsQueueDeclaration(topology: Topology) {
  return {
    queue: topology.executionsQueue,
    durable: true,
    arguments: { 'x-queue-type': 'quorum' as const },
  };
}

export function delayQueueDeclaration(topology: Topology, delayMs = DEFAULT_DELAY_MS) {
  return {
    queue: topology.delayQueue,
    durable: true,
    arguments: {
      'x-queue-type': 'quorum' as const,
      'x-message-ttl': delayMs,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': topology.executionsQueue,
      // Quorum queues dead-letter at-most-once by default; at-least-once needs reject-publish.
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish' as const,
    },
  };
}

/** Declares the queues (idempotent); publishers and consumers also re-declare them on reconnect. */
export async function declareTopology(
  connection: Connection,
  topology: Topology,
  delayMs?: number,
): Promise<void> {
  await connection.queueDeclare(executionsQueueDeclaration(topology));
  await connection.queueDeclare(delayQueueDeclaration(topology, delayMs));
}

/** Removes the queues; tests call it to leave the broker as they found it. */
export async function deleteTopology(connection: Connection, topology: Topology): Promise<void> {
  await connection.queueDelete({ queue: topology.delayQueue });
  await connection.queueDelete({ queue: topology.executionsQueue });
}
