import type { MikroORM } from '@mikro-orm/postgresql';
import { createCircuitBreaker } from '../../../shared/src/engine/circuit-breaker';
import type { CodeSandbox } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import { createSecretBox, type SecretBox } from '../../src/crypto/secret-box';
import { createRunEnvCache } from '../../src/modules/variables/run-env';
import { createOutboxRelay, type OutboxRelay } from '../../src/outbox/outbox-relay';
import type { Broker } from '../../src/queue/broker';
import {
  createExecutionPublisher,
  type ExecutionPublisher,
} from '../../src/queue/execution-publisher';
import { silentLog } from '../../src/worker/logger';
import { createResultWriter } from '../../src/worker/result-writer';
import { createWorker, type Worker } from '../../src/worker/worker';
import { createWorkerHostFactory, type WorkerHostFactory } from '../../src/worker/worker-step-host';
import { createWorkflowCache } from '../../src/worker/workflow-cache';

export const TEST_KEY = Buffer.alloc(32, 7);

export function testSecretBox(): SecretBox {
  return createSecretBox(new Map([['test', TEST_KEY]]), 'test');
}

/** Workflows in these tests have no code.js step; a run that reaches one fails loudly. */
const noSandbox: CodeSandbox = {
  run: () => Promise.reject(new StepError('CODE', 'no sandbox in this test', { retryable: false })),
};

export interface ExecutionStack {
  relay: OutboxRelay;
  worker: Worker;
  publisher: ExecutionPublisher;
  hosts: WorkerHostFactory;
  stop(): Promise<void>;
}

/** A relay and a worker in this process, as the `all` role runs them. */
export function startExecutionStack(options: {
  orm: MikroORM;
  broker: Broker;
  listenUrl: string;
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  onFailureStreak?: Parameters<typeof createWorker>[0]['onFailureStreak'];
  /** The app's box when the API sealed the secrets (createTestApp). */
  secretBox?: SecretBox;
}): ExecutionStack {
  const publisher = createExecutionPublisher(options.broker);
  const relay = createOutboxRelay({
    orm: options.orm,
    publisher,
    listenUrl: options.listenUrl,
    pollIntervalMs: 200,
  });
  const hosts = createWorkerHostFactory({ sandbox: noSandbox, circuit: createCircuitBreaker() });
  const writer = createResultWriter(options.orm);
  const secretBox = options.secretBox ?? testSecretBox();
  const variables = createRunEnvCache({
    orm: options.orm,
    box: secretBox,
    listenUrl: options.listenUrl,
  });
  const worker = createWorker({
    orm: options.orm,
    broker: options.broker,
    publisher,
    workerId: options.workerId ?? 'test-worker',
    concurrency: options.concurrency ?? 8,
    prefetch: (options.concurrency ?? 8) * 2,
    leaseMs: options.leaseMs ?? 5_000,
    tickMs: 200,
    listenUrl: options.listenUrl,
    writer,
    workflows: createWorkflowCache(options.orm),
    hosts,
    secretBox,
    variables,
    log: silentLog,
    onFailureStreak: options.onFailureStreak,
  });
  relay.start();
  worker.start();
  return {
    relay,
    worker,
    publisher,
    hosts,
    async stop() {
      await worker.stop(5_000);
      await relay.stop();
      await publisher.close();
      await hosts.close();
      await variables.close();
    },
  };
}
