/**
 * Runner startup: time from spawning `maestro-runner --role <role>` to its
 * "maestro runner started" line, per role, as an operator (or a test that
 * spawns processes) sees it. Each role starts BENCH_STARTS times (default 3)
 * one after the other; prints every run, the median and the process's own
 * phase breakdown (`startupMs` in the started line, with the CPU time it
 * spent: a figure that hardly depends on how busy the machine is). Figures
 * only. Needs the local PostgreSQL and RabbitMQ.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { migrateDatabase } from '../runner/src/db/migrate';
import { spawnRunner } from '../runner/test/support/runner-process';

const STARTS = Number(process.env.BENCH_STARTS ?? 3);
const BASE_URL = process.env.MAESTRO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ALL_ROLES = ['api', 'worker', 'scheduler', 'all'] as const;
/** BENCH_ROLES=worker,api to time only some. */
const ROLES = ALL_ROLES.filter(
  (role) => !process.env.BENCH_ROLES || process.env.BENCH_ROLES.split(',').includes(role),
);

async function timeStart(role: (typeof ALL_ROLES)[number], env: Record<string, string>) {
  const started = performance.now();
  const child = spawnRunner(role, env);
  try {
    await child.ready;
    const readyMs = performance.now() - started;
    const line = child
      .output()
      .split('\n')
      .find((l) => l.includes('maestro runner started'));
    const phases = line ? (JSON.parse(line) as { startupMs?: Record<string, number> }) : {};
    return { readyMs, phases: phases.startupMs ?? {} };
  } finally {
    await child.stop();
  }
}

async function main() {
  const dbName = `maestro_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  await migrateDatabase({ databaseUrl });
  const env = {
    DATABASE_URL: databaseUrl,
    AMQP_URL,
    MAESTRO_QUEUE_PREFIX: `bench_${randomBytes(3).toString('hex')}`,
    MAESTRO_LOG_LEVEL: 'warn',
  };
  console.log(`runner startup: ${STARTS} starts per role, MAESTRO_AUTO_MIGRATE=false, 2 cores`);
  try {
    for (const role of ROLES) {
      const runs: number[] = [];
      let phases: Record<string, number> = {};
      for (let i = 0; i < STARTS; i++) {
        const run = await timeStart(role, env);
        runs.push(run.readyMs);
        phases = run.phases;
      }
      const sorted = [...runs].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
      const detail = Object.entries(phases)
        .map(([name, value]) => `${name} ${value} ms`)
        .join(', ');
      console.log(
        `  ${role.padEnd(9)} ready in ${median.toFixed(0)} ms (median; runs ${runs.map((r) => r.toFixed(0)).join(', ')})${detail ? `; last run: ${detail}` : ''}`,
      );
    }
  } finally {
    const admin = await MikroORM.init({
      clientUrl: BASE_URL,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      pool: { min: 0, max: 1 },
    });
    await admin.em.getConnection().execute(`drop database if exists "${dbName}" with (force)`);
    await admin.close(true);
  }
}

await main();
