import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process, shared by the API and the worker/scheduler roles when they run
 * together, served at /metrics. Runner-execution code increments the execution, step,
 * webhook and queue series; the API records HTTP latency.
 */
export interface RunnerMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  executionsTotal: Counter<'status' | 'trigger'>;
  executionsInDb: Gauge<'status'>;
  stepDuration: Histogram<'type' | 'status'>;
  webhookLatency: Histogram<'respond'>;
  queueDepth: Gauge<'queue'>;
}

let shared: RunnerMetrics | undefined;

/** The process-wide metrics (created on first use). */
export function getMetrics(): RunnerMetrics {
  shared ??= createMetrics();
  return shared;
}

/** A fresh registry (tests, or a process that wants its own). */
export function createMetrics(): RunnerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'maestro_' });
  const seconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'maestro_http_request_duration_seconds',
      help: 'API request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: seconds,
      registers: [registry],
    }),
    executionsTotal: new Counter({
      name: 'maestro_executions_total',
      help: 'Executions that reached a status in this process',
      labelNames: ['status', 'trigger'],
      registers: [registry],
    }),
    executionsInDb: new Gauge({
      name: 'maestro_executions',
      help: 'Executions in the database by status (sampled at scrape time by the API)',
      labelNames: ['status'],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'maestro_step_duration_seconds',
      help: 'Step durations by node type and status',
      labelNames: ['type', 'status'],
      buckets: seconds,
      registers: [registry],
    }),
    webhookLatency: new Histogram({
      name: 'maestro_webhook_latency_seconds',
      help: 'Webhook request to reply latency',
      labelNames: ['respond'],
      buckets: seconds,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'maestro_queue_depth',
      help: 'Messages waiting in a queue (sampled by the worker)',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}
