/**
 * Runner load test: autocannon sends webhooks to a real API process on
 * 127.0.0.1 while 2 worker processes run the executions (webhook → transform:
 * a single-step workflow). Prints accepted/s, completed executions/s, webhook
 * latency and accept→finish latency percentiles, then checks that every
 * accepted webhook has a finished execution. Bounded: BENCH_WEBHOOKS requests
 * (default 20000) and a 120 s cap on draining. Figures only, no assertions on
 * timing. Needs the local PostgreSQL and RabbitMQ.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { MikroORM } from '@mikro-orm/postgresql';
import { migrateDatabase } from '../runner/src/db/migrate';
import { openOrm } from '../runner/src/db/orm';
import { withSystemContext } from '../runner/src/db/org-context';
import { createBroker, prepareBroker } from '../runner/src/queue/broker';
import { deleteTopology } from '../runner/src/queue/topology';
import { echoWorkflow, seedOrg, seedWorkflow } from '../runner/test/support/execution-fixtures';
import { spawnRunner } from '../runner/test/support/runner-process';

const TOTAL = Number(process.env.BENCH_WEBHOOKS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
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
  const { orgId } = await seedOrg(orm, { concurrencyLimit: 10_000 });
  const wf = await seedWorkflow(orm, orgId, echoWorkflow('Bench'));

  const env = {
    DATABASE_URL: databaseUrl,
    AMQP_URL,
    MAESTRO_QUEUE_PREFIX: prefix,
    MAESTRO_LOG_LEVEL: 'warn',
    MAESTRO_DB_POOL_SIZE: '10',
    MAESTRO_WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '128',
    MAESTRO_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const api = spawnRunner('api', env);
  const workers = [spawnRunner('worker', env), spawnRunner('worker', env)];
  try {
    const [{ port }] = await Promise.all([api.ready, ...workers.map((w) => w.ready)]);
    const target = `http://127.0.0.1:${port}/v1/hooks/${wf.token}`;
    console.log(
      `runner bench: ${TOTAL} webhooks, ${CONNECTIONS} connections, 1 API + 2 worker processes, 2 cores`,
    );

    // Warm-up (JIT, pools, caches), not counted.
    await autocannon({
      url: target,
      method: 'POST',
      connections: 8,
      amount: 500,
      headers: { 'content-type': 'application/json' },
      body: '{"warm":true}',
    });
    await waitForAll(orm, wf.workflowId, 500, 60_000);
    await withSystemContext(orm, (em) =>
      em.execute('delete from executions where workflow_id = ?', [wf.workflowId]),
    );

    const latencies: number[] = [];
    let accepted = 0;
    let other = 0;
    const started = Date.now();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: target,
          method: 'POST',
          connections: CONNECTIONS,
          amount: TOTAL,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ order: 42, total: 150 }),
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
      instance.on('response', (_client, status, _bytes, responseTime) => {
        latencies.push(responseTime);
        if (status === 202) accepted++;
        else other++;
      });
    });
    const sendSeconds = (Date.now() - started) / 1000;
    const finished = await waitForAll(orm, wf.workflowId, accepted, 120_000);
    const drainSeconds = (Date.now() - started) / 1000;

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
        [wf.workflowId],
      ),
    );
    const s = stats[0];
    latencies.sort((a, b) => a - b);
    console.log(
      `  accepted webhooks   ${accepted} (other statuses: ${other}, errors: ${result.errors}, timeouts: ${result.timeouts})`,
    );
    console.log(
      `  accepted/s          ${(accepted / sendSeconds).toFixed(0)}  (over ${sendSeconds.toFixed(1)} s)`,
    );
    console.log(
      `  webhook latency     p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}`,
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
    console.log(
      `  targets             ≥ 1000 completed/s, p99 webhook accept ≤ 50 ms (measured above, not asserted)`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await Promise.all([api.stop(), ...workers.map((w) => w.stop())]);
    await deleteTopology(broker.connection, broker.topology).catch(() => {});
    await broker.close();
    await orm.close(true);
    await dropDatabase(dbName);
  }
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
