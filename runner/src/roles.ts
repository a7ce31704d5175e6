import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createCircuitBreaker } from '../../shared/src/engine/circuit-breaker';
import type { RunnerConfig } from './config/config';
import { createSecretBox } from './crypto/secret-box';
import { createFailureStreakHandler } from './notifications/failure-streak';
import { createHooksRoutes } from './modules/hooks/routes';
import { createMailer } from './notifications/mailer';
import { createRunEnvCache } from './modules/variables/run-env';
import { loggerOptions } from './observability/logger';
import { getMetrics } from './observability/metrics';
import { createOutboxRelay } from './outbox/outbox-relay';
import { checkBroker, executionsQueueDepth, type Broker } from './queue/broker';
import { createExecutionPublisher } from './queue/execution-publisher';
import { createThreadedSandbox } from './sandbox';
import { createScheduler } from './scheduler/scheduler';
import { createAddressPolicy } from './worker/address-policy';
import { createGuardedHttpClient } from './worker/guarded-http-client';
import { createResultWriter } from './worker/result-writer';
import { createWorker } from './worker/worker';
import { createWorkerHostFactory } from './worker/worker-step-host';
import { createWorkflowCache } from './worker/workflow-cache';

export const ROLES = ['api', 'worker', 'scheduler', 'all'] as const;
export type RunnerRole = (typeof ROLES)[number];

/** Worker settings read from the environment beside the validated config (all optional). */
export interface WorkerTuning {
  concurrency: number;
  leaseMs: number;
  shutdownGraceMs: number;
}

export function workerTuning(env: Record<string, string | undefined> = process.env): WorkerTuning {
  const int = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new Error(`${name} must be a positive integer (got ${JSON.stringify(value)})`);
    return parsed;
  };
  return {
    concurrency: int('MAESTRO_WORKER_CONCURRENCY', 32),
    leaseMs: int('MAESTRO_LEASE_MS', 30_000),
    shutdownGraceMs: int('MAESTRO_SHUTDOWN_GRACE_MS', 25_000),
  };
}

/** Something that runs until stopped; stops run in reverse start order. */
interface Part {
  name: string;
  stop(): Promise<void>;
}

export interface RunningRoles {
  server?: FastifyInstance;
  stop(): Promise<void>;
}

/**
 * Starts the parts of a role against one ORM and one broker connection:
 * api = HTTP API + webhook entry + outbox relay; worker = consumer + runs;
 * scheduler = schedules, polls, pruning + outbox relay; all = everything.
 */
export async function startRoles(
  role: RunnerRole,
  config: RunnerConfig,
  orm: MikroORM,
  broker: Broker,
): Promise<RunningRoles> {
  const log = pino(loggerOptions(config.logLevel, { role, workerId: config.workerId }));
  const tuning = workerTuning();
  const metrics = getMetrics();
  const secretBox = createSecretBox(config.encryptionKeys, config.encryptionKeyId);
  const parts: Part[] = [];
  const has = (r: RunnerRole) => role === 'all' || role === r;
  const publisher = createExecutionPublisher(broker);
  parts.push({ name: 'publisher', stop: () => publisher.close() });
  let server: FastifyInstance | undefined;

  if (has('api') || has('scheduler')) {
    const relay = createOutboxRelay({
      orm,
      publisher,
      listenUrl: config.databaseUrl,
      onError: (error) => log.warn({ err: error }, 'outbox relay: publish failed, will retry'),
    });
    relay.start();
    parts.push({ name: 'relay', stop: () => relay.stop() });
  }
  if (has('worker')) {
    // Worker threads: untrusted code.js stopped at a wall-clock deadline, never blocking this loop.
    // Threads load in the background (seconds each): the worker takes messages meanwhile and
    // a code.js step waits for a thread. A broken sandbox install is still logged at start.
    const sandbox = await createThreadedSandbox({ waitForThreads: false });
    sandbox.ready.then(
      () => log.info('code sandbox ready'),
      (error: unknown) =>
        log.error({ err: error }, 'code sandbox threads cannot start: code.js steps will fail'),
    );
    const hosts = createWorkerHostFactory({ sandbox, circuit: createCircuitBreaker() });
    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log });
    const variables = createRunEnvCache({
      orm,
      box: secretBox,
      listenUrl: config.databaseUrl,
      onError: (error) => log.warn({ err: error }, 'variables: cache invalidation listener error'),
    });
    const worker = createWorker({
      orm,
      broker,
      publisher,
      workerId: config.workerId,
      concurrency: tuning.concurrency,
      prefetch: Math.max(config.workerPrefetch, tuning.concurrency),
      leaseMs: tuning.leaseMs,
      listenUrl: config.databaseUrl,
      writer: createResultWriter(orm),
      workflows: createWorkflowCache(orm),
      hosts,
      secretBox,
      variables,
      log,
      metrics,
      onFailureStreak: createFailureStreakHandler({
        orm,
        mailer,
        log,
        publicUrl: config.publicUrl,
      }),
    });
    worker.start();
    const depth = setInterval(() => {
      void executionsQueueDepth(broker).then(
        (n) =>
          n !== undefined && metrics.queueDepth.set({ queue: broker.topology.executionsQueue }, n),
      );
    }, 5_000);
    parts.push({
      name: 'worker',
      async stop() {
        clearInterval(depth);
        await worker.stop(tuning.shutdownGraceMs);
        await hosts.close();
        await variables.close();
        await sandbox.close();
        mailer.close();
      },
    });
  }
  if (has('scheduler')) {
    const strict = createGuardedHttpClient({ policy: createAddressPolicy() });
    const open = createGuardedHttpClient({
      policy: createAddressPolicy({ allowPrivateNetwork: true }),
    });
    const alertMailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log });
    const scheduler = createScheduler({
      orm,
      log,
      http: { strict, open },
      secretBox,
      retentionDays: config.executionRetentionDays,
      alerts: { mailer: alertMailer, publicUrl: config.publicUrl },
      connections: { mailer: alertMailer, publicUrl: config.publicUrl },
    });
    scheduler.start();
    parts.push({
      name: 'scheduler',
      async stop() {
        await scheduler.stop();
        await Promise.all([strict.close(), open.close()]);
        alertMailer.close();
      },
    });
  }
  if (has('api')) {
    // Verification and password-reset emails go over SMTP (or the log transport when unset).
    const apiMailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log });
    parts.push({ name: 'api-mailer', stop: async () => apiMailer.close() });
    // Imported here: Fastify, its plugins and every route module are seconds of a worker's or
    // scheduler's start on a busy machine (bench/runner-startup.bench.ts), for nothing.
    const { buildServer } = await import('./server');
    server = await buildServer({
      config,
      orm,
      // Webhook executions are published by this process right after their commit.
      webhooks: createHooksRoutes({ publisher }),
      metrics,
      secretBox,
      mailer: apiMailer,
      checkBroker: async () => {
        const status = await checkBroker(broker);
        if (!status.ok) throw new Error(status.detail ?? 'broker not ready');
      },
    });
    await server.listen({ host: config.host, port: config.port });
    const api = server;
    // Closing the server first: it stops accepting and lets requests in flight finish.
    parts.push({ name: 'api', stop: () => api.close() });
  }
  return {
    server,
    async stop() {
      for (const part of parts.reverse()) {
        await part
          .stop()
          .catch((error: unknown) =>
            log.error({ err: error, part: part.name }, 'error while stopping'),
          );
      }
    },
  };
}
