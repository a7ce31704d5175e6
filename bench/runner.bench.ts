/**
 * Runner load test: a light load generator (bench/http-load.ts) sends webhooks
 * to a real API process on 127.0.0.1 while 2 worker processes run the
 * executions (webhook → transform: a single-step workflow), in two phases:
 *
 * 1. capacity — closed loop: BENCH_WEBHOOKS (20,000) over BENCH_CONNECTIONS (32)
 *    sockets, each sending again as soon as it is answered: the most the
 *    runner completes per second.
 * 2. target rate — open loop: BENCH_RATE_WEBHOOKS (15,000) due at BENCH_RATE
 *    (1,000) per second over up to BENCH_RATE_CONNECTIONS (128) sockets, latency
 *    counted from each webhook's due time: what senders see at the target rate,
 *    and whether the workers keep up with it (accept→finish).
 *
 * Each phase prints accepted/s, completed executions/s, webhook latency and
 * accept→finish percentiles, the CPU each process spent per execution (the
 * load-independent figure: 1,000 executions/s on 2 cores is a 2 ms budget for
 * all of them), then checks that every accepted webhook has a finished
 * execution. A 120 s cap on draining each phase. Figures only, no assertions on
 * timing. Needs the local PostgreSQL and RabbitMQ. BENCH_CPU_PROF=<dir> makes
 * the runner processes write V8 CPU profiles there (with window-<phase>.json:
 * each phase's window in the profiles' clock).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrateDatabase } from '../runner/src/db/migrate';
import { openOrm } from '../runner/src/db/orm';
import { withSystemContext } from '../runner/src/db/org-context';
import { createBroker, prepareBroker } from '../runner/src/queue/broker';
import { deleteTopology } from '../runner/src/queue/topology';
import { echoWorkflow, seedOrg, seedWorkflow } from '../runner/test/support/execution-fixtures';
import { spawnRunner } from '../runner/test/support/runner-process';
import { runHttpLoad } from './http-load';
import { createCpuMeter, pidsNamed, type CpuMeter } from './process-cpu';

const TOTAL = Number(process.env.BENCH_WEBHOOKS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const RATE_TOTAL = Number(process.env.BENCH_RATE_WEBHOOKS ?? 15_000);
const RATE_CONNECTIONS = Number(process.env.BENCH_RATE_CONNECTIONS ?? 128);
const BASE_URL = process.env.MAESTRO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main() {
  const dbName = `maestro_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const prefix = `bench_${randomBytes(3).toString('hex')}`;
  await migrateDatabase({ databaseUrl });
  const orm = await openOrm({ databaseUrl, poolSize: 4 });
  const broker = createBroker({ url: AMQP_URL, prefix: `${prefix}.` });
  await prepareBroker(broker);
  const monitor = new pg.Client({ connectionString: BASE_URL });
  await monitor.connect();
  // BENCH_LOG_SQL=1: PostgreSQL logs every statement of the bench database (count them per execution).
  if (process.env.BENCH_LOG_SQL)
    await monitor.query(`alter database "${dbName}" set log_statement = 'all'`);
  const loadBefore = loadAverage();
  const { orgId } = await seedOrg(orm, { concurrencyLimit: 10_000 });
  const saturating = await seedWorkflow(orm, orgId, echoWorkflow('Bench saturating'));
  const steady = await seedWorkflow(orm, orgId, echoWorkflow('Bench steady rate'));

  const env = {
    DATABASE_URL: databaseUrl,
    AMQP_URL,
    MAESTRO_QUEUE_PREFIX: prefix,
    MAESTRO_LOG_LEVEL: 'warn',
    MAESTRO_DB_POOL_SIZE: '10',
    MAESTRO_WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '128',
    MAESTRO_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  // BENCH_CPU_PROF=<dir>: each runner process writes a V8 CPU profile there when it stops.
  const nodeArgs = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
    : [];
  const api = spawnRunner('api', env, nodeArgs);
  const workers = [spawnRunner('worker', env, nodeArgs), spawnRunner('worker', env, nodeArgs)];
  try {
    const [{ port }] = await Promise.all([api.ready, ...workers.map((w) => w.ready)]);
    const rabbitPids = pidsNamed('beam.smp');
    const phase = (options: PhaseOptions) =>
      measurePhase({
        ...options,
        orm,
        monitor,
        dbName,
        port: port!,
        meterGroups: {
          'API process': () => [api.pid],
          'worker process 1': () => [workers[0]!.pid],
          'worker process 2': () => [workers[1]!.pid],
          'load generator (this process)': () => [process.pid],
          'PostgreSQL backends (bench db)': () => backendPids(monitor, dbName),
          'PostgreSQL background (shared)': () => backgroundPids(monitor),
          'RabbitMQ beam.smp (shared)': () => rabbitPids,
        },
      });
    console.log(
      `runner bench: 1 API + 2 worker processes, 2 cores; load average before ${loadBefore}`,
    );
    // Warm-up (JIT, pools, caches), not counted.
    await runHttpLoad({
      ...webhookRequest(port!, saturating.token, '{"warm":true}'),
      connections: 8,
      total: 500,
    });
    await waitForAll(orm, saturating.workflowId, 500, 60_000);
    await withSystemContext(orm, (em) =>
      em.execute('delete from executions where workflow_id = ?', [saturating.workflowId]),
    );

    const capacityOk = await phase({
      title: `phase 1 — capacity: ${TOTAL} webhooks, closed loop, ${CONNECTIONS} connections (each sends its next webhook when the last one is answered)`,
      workflow: saturating,
      total: TOTAL,
      connections: CONNECTIONS,
    });
    const steadyOk = await phase({
      title: `phase 2 — target rate: ${RATE_TOTAL} webhooks, open loop at ${RATE}/s over up to ${RATE_CONNECTIONS} connections (latency from each webhook's due time)`,
      workflow: steady,
      total: RATE_TOTAL,
      connections: RATE_CONNECTIONS,
      ratePerSecond: RATE,
    });
    console.log(
      `  targets             ≥ 1000 completed/s, p99 webhook accept ≤ 50 ms (measured above, not asserted)`,
    );
    console.log(
      `  assumes             PostgreSQL ${await setting(monitor, 'server_version')}, synchronous_commit=${await setting(monitor, 'synchronous_commit')}, fsync=${await setting(monitor, 'fsync')}, commit_delay=${await setting(monitor, 'commit_delay')}; quorum queues with publisher confirms; load average after ${loadAverage()}`,
    );
    if (!capacityOk || !steadyOk) process.exitCode = 1;
  } finally {
    await Promise.all([api.stop(), ...workers.map((w) => w.stop())]);
    await deleteTopology(broker.connection, broker.topology).catch(() => {});
    await broker.close();
    await orm.close(true);
    await monitor.end();
    await dropDatabase(dbName);
  }
}

interface PhaseOptions {
  title: string;
  workflow: { workflowId: string; token: string };
  total: number;
  connections: number;
  ratePerSecond?: number;
}

interface PhaseContext extends PhaseOptions {
  orm: MikroORM;
  monitor: pg.Client;
  dbName: string;
  port: number;
  meterGroups: Parameters<typeof createCpuMeter>[0];
}

function webhookRequest(port: number, token: string, body: string) {
  return {
    port,
    method: 'POST',
    path: `/v1/hooks/${token}`,
    headers: { 'content-type': 'application/json' },
    body,
  };
}

/**
 * Sends one phase's webhooks, waits until every accepted one has finished,
 * prints its figures and CPU per execution; true when every accepted webhook
 * has a successful execution.
 */
async function measurePhase(context: PhaseContext): Promise<boolean> {
  const { orm, monitor, dbName, workflow } = context;
  console.log(`\n  ${context.title}`);
  const stats0 = await databaseStats(monitor, dbName);
  const meter = await createCpuMeter(context.meterGroups);
  const sampler = setInterval(() => void meter.sample(), 250);
  const started = Date.now();
  const windowStartUs = Number(process.hrtime.bigint() / 1000n);
  const result = await runHttpLoad({
    ...webhookRequest(context.port, workflow.token, JSON.stringify({ order: 42, total: 150 })),
    connections: context.connections,
    total: context.total,
    ratePerSecond: context.ratePerSecond,
  });
  const latencies = result.latenciesMs;
  const accepted = result.statuses.get(202) ?? 0;
  const other = [...result.statuses]
    .filter(([status]) => status !== 202)
    .map(([status, n]) => `${n}×${status}`)
    .join(', ');
  const sendSeconds = (Date.now() - started) / 1000;
  const finished = await waitForAll(orm, workflow.workflowId, accepted, 120_000);
  const drainSeconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  await meter.sample();
  if (process.env.BENCH_CPU_PROF) {
    const window = { startUs: windowStartUs, endUs: Number(process.hrtime.bigint() / 1000n) };
    const file = `window-${context.ratePerSecond ? 'rate' : 'capacity'}.json`;
    writeFileSync(`${process.env.BENCH_CPU_PROF}/${file}`, JSON.stringify(window));
  }
  // Backends report their counters about once a second: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const stats1 = await databaseStats(monitor, dbName);

  const stats = await withSystemContext(orm, (em) =>
    em.execute<
      { n: number; success: number; p50: number; p95: number; p99: number; span: number }[]
    >(
      `select count(*)::int as n, count(*) filter (where status = 'success')::int as success,
              percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at)) * 1000 as p50,
              percentile_cont(0.95) within group (order by extract(epoch from finished_at - created_at)) * 1000 as p95,
              percentile_cont(0.99) within group (order by extract(epoch from finished_at - created_at)) * 1000 as p99,
              extract(epoch from max(finished_at) - min(created_at)) as span
         from executions where workflow_id = ?`,
      [workflow.workflowId],
    ),
  );
  const s = stats[0];
  latencies.sort((a, b) => a - b);
  console.log(
    `  accepted webhooks   ${accepted} (other statuses: ${other || 'none'}, connection errors: ${result.errors})`,
  );
  console.log(
    `  accepted/s          ${(accepted / sendSeconds).toFixed(0)}  (over ${sendSeconds.toFixed(1)} s)`,
  );
  console.log(
    `  webhook latency     p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(latencies.at(-1) ?? NaN)}`,
  );
  console.log(
    `  completed/s         ${((s?.n ?? 0) / Number(s?.span ?? NaN)).toFixed(0)}  (${s?.n} executions, first accept → last finish ${Number(s?.span).toFixed(1)} s; all done ${drainSeconds.toFixed(1)} s after start)`,
  );
  console.log(
    `  accept→finish       p50 ${ms(Number(s?.p50))}  p95 ${ms(Number(s?.p95))}  p99 ${ms(Number(s?.p99))}`,
  );
  const ok = finished && s?.n === accepted && s?.success === accepted;
  console.log(
    `  check               ${ok ? 'OK' : 'MISMATCH'}: ${s?.success} successful executions for ${accepted} accepted webhooks`,
  );
  printCpuBreakdown(meter, s?.n ?? 0, drainSeconds);
  const executions = Math.max(1, s?.n ?? 0);
  console.log(
    `  database            ${((stats1.commits - stats0.commits) / executions).toFixed(2)} commits, ${((stats1.rollbacks - stats0.rollbacks) / executions).toFixed(2)} rollbacks per execution (pg_stat_database; includes the bench's own polling)`,
  );
  return ok;
}

/** CPU ms per execution for each process group, and the total against the 2-core budget. */
function printCpuBreakdown(meter: CpuMeter, executions: number, seconds: number) {
  const totals = meter.totals();
  const n = Math.max(1, executions);
  let sum = 0;
  console.log(
    `  CPU per execution   (CPU seconds over the ${seconds.toFixed(1)} s window / ${executions} executions)`,
  );
  for (const [group, cpu] of totals) {
    sum += cpu;
    console.log(
      `    ${group.padEnd(34)} ${((cpu * 1000) / n).toFixed(3).padStart(7)} ms  (${cpu.toFixed(2)} s, ${((cpu / seconds) * 100).toFixed(0)}% of a core)`,
    );
  }
  console.log(
    `    ${'total'.padEnd(34)} ${((sum * 1000) / n).toFixed(3).padStart(7)} ms  → at most ${(2 / (sum / n)).toFixed(0)} executions/s on 2 cores (budget for 1,000/s: 2 ms)`,
  );
}

async function backendPids(client: pg.Client, dbName: string): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [dbName],
  );
  return rows.map((row) => row.pid);
}

async function backgroundPids(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    `select pid from pg_stat_activity where backend_type in ('walwriter', 'checkpointer', 'background writer', 'autovacuum launcher', 'logical replication launcher')`,
  );
  return rows.map((row) => row.pid);
}

async function databaseStats(client: pg.Client, dbName: string) {
  const { rows } = await client.query<{ commits: string; rollbacks: string }>(
    'select xact_commit as commits, xact_rollback as rollbacks from pg_stat_database where datname = $1',
    [dbName],
  );
  return { commits: Number(rows[0]?.commits ?? 0), rollbacks: Number(rows[0]?.rollbacks ?? 0) };
}

async function setting(client: pg.Client, name: string): Promise<string> {
  const { rows } = await client.query<{ value: string }>('select current_setting($1) as value', [
    name,
  ]);
  return rows[0]?.value ?? '?';
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function waitForAll(
  orm: MikroORM,
  workflowId: string,
  expected: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await withSystemContext(orm, (em) =>
      em.execute<{ n: number }[]>(
        `select count(*)::int as n from executions where workflow_id = ? and status in ('success', 'failed', 'canceled')`,
        [workflowId],
      ),
    );
    if ((row?.n ?? 0) >= expected) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

async function dropDatabase(name: string) {
  const admin = await MikroORM.init({
    clientUrl: BASE_URL,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.close(true);
  }
}

await main();
