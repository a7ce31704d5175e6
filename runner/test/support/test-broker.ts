import { randomBytes } from 'node:crypto';
import { createBroker, prepareBroker, type Broker } from '../../src/queue/broker';
import { deleteTopology } from '../../src/queue/topology';

export const TEST_AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface TestBroker {
  broker: Broker;
  url: string;
  prefix: string;
  /** Deletes this test's queues and closes the connection. */
  drop(): Promise<void>;
}

/**
 * A broker connection whose queues carry a unique prefix, so test files can
 * run in parallel against the one local RabbitMQ without seeing each other's
 * messages.
 */
export async function createTestBroker(
  options: { delayMs?: number; url?: string } = {},
): Promise<TestBroker> {
  const prefix = `t_${randomBytes(5).toString('hex')}.`;
  const url = options.url ?? TEST_AMQP_URL;
  const broker = createBroker({
    url,
    prefix,
    delayMs: options.delayMs ?? 300,
    connectionName: `test ${prefix}`,
  });
  await prepareBroker(broker);
  return {
    broker,
    url,
    prefix,
    async drop() {
      await deleteTopology(broker.connection, broker.topology).catch(() => {});
      await broker.close();
    },
  };
}
