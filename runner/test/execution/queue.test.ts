import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../support/test-broker';
import { createExecutionPublisher } from '../../src/queue/execution-publisher';
import { createExecutionConsumer } from '../../src/queue/execution-consumer';
import { checkBroker, executionsQueueDepth } from '../../src/queue/broker';
import type { ExecutionMessage } from '../../src/queue/execution-message';

let test: TestBroker;
beforeAll(async () => {
  test = await createTestBroker({ delayMs: 200 });
});
afterAll(async () => {
  await test.drop();
});

describe('execution queue', () => {
  it('declares a durable quorum queue and reports ready', async () => {
    expect(await checkBroker(test.broker)).toEqual({ ok: true });
    // Re-declaring as a classic queue must fail if the queue really is quorum.
    await expect(
      test.broker.connection.queueDeclare({
        queue: test.broker.topology.executionsQueue,
        durable: true,
      }),
    ).rejects.toThrow(/PRECONDITION_FAILED|x-queue-type/);
  });

  it('publishes with confirms, redelivers a requeued message and brings delayed ones back', async () => {
    const publisher = createExecutionPublisher(test.broker);
    await publisher.publish([
      { executionId: 'a', organizationId: 'o' },
      { executionId: 'b', organizationId: 'o' },
    ]);
    expect(await executionsQueueDepth(test.broker)).toBe(2);

    const seen: string[] = [];
    let requeuedOnce = false;
    const done = new Promise<void>((resolve) => {
      const consumer = createExecutionConsumer(
        test.broker,
        { concurrency: 2, prefetch: 4 },
        async (message: ExecutionMessage, delivery) => {
          seen.push(`${message.executionId}${delivery.redelivered ? '*' : ''}`);
          if (message.executionId === 'a' && !requeuedOnce) {
            requeuedOnce = true;
            return 'requeue';
          }
          if (message.executionId === 'b') {
            await publisher.publishDelayed({ executionId: 'c', organizationId: 'o' });
          }
          if (message.executionId === 'c')
            setTimeout(() => void consumer.close().then(resolve), 50);
          return 'ack';
        },
      );
    });
    await done;
    expect(seen.sort()).toEqual(['a', 'a*', 'b', 'c']);
    expect(await executionsQueueDepth(test.broker)).toBe(0);
    await publisher.close();
  });
});
