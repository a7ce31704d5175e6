/**
 * What a PostgreSQL-counted rate limit costs per request (runner/src/http/rate-limits.ts):
 * the upsert on the UNLOGGED `rate_limit_hits` table, against the same upsert on a logged copy
 * and against counting in memory. Printed per hit: wall time and CPU (this process + the
 * PostgreSQL backends, from /proc), sequentially and 16 at a time on one hot key (the
 * webhook case: every request of a busy webhook hits the same row).
 *   npm run bench -- rate-limit
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase } from '../runner/test/support/test-db';

/** CPU seconds of a process (utime + stime from /proc, 100 ticks/s), or undefined once gone. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

const HITS = Number(process.env.HITS ?? 4000);
const UPSERT = (table: string) => `
insert into ${table} as r (key, window_start, hits) values (?, now(), 1)
on conflict (key) do update set
  hits = case when r.window_start <= now() - make_interval(secs => 60) then 1 else r.hits + 1 end,
  window_start = case when r.window_start <= now() - make_interval(secs => 60) then now() else r.window_start end
returning hits`;

const db = await createTestDatabase();
const connection = db.orm.em.getConnection();
// The app role may not create tables: make the logged copy as the database owner.
const owner = await MikroORM.init({
  clientUrl: db.url,
  entities: [],
  discovery: { warnWhenNoEntities: false },
});
await owner.em
  .getConnection()
  .execute(
    'create table logged_hits (like rate_limit_hits including all); grant all on logged_hits to maestro_app',
  );
await owner.close(true);
const backends = async () =>
  (
    await connection.execute<{ pid: number }[]>(
      `select pid from pg_stat_activity where datname = current_database()`,
    )
  ).map((r) => r.pid);

async function measure(label: string, hit: (key: string) => Promise<unknown>, parallel: number) {
  for (let i = 0; i < 200; i++) await hit('warm'); // JIT, plans, pool
  const pids = await backends();
  const pgBefore = pids.map((pid) => processCpuSeconds(pid) ?? 0);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < HITS) {
        next++;
        await hit('hook:hot-token');
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const pgSeconds = pids.reduce(
    (sum, pid, i) => sum + ((processCpuSeconds(pid) ?? 0) - pgBefore[i]!),
    0,
  );
  const us = (seconds: number) => ((seconds * 1e6) / HITS).toFixed(0).padStart(5);
  console.log(
    `${label.padEnd(34)} x${String(parallel).padEnd(3)} wall ${us(wallMs / 1000)} µs/hit  ` +
      `node CPU ${us((cpu.user + cpu.system) / 1e6)} µs/hit  PostgreSQL CPU ${us(pgSeconds)} µs/hit  ` +
      `(${Math.round(HITS / (wallMs / 1000))} hits/s)`,
  );
}

const memory = new Map<string, number>();
try {
  console.log(`${HITS} hits per line; synchronous_commit as configured (on by default)`);
  for (const parallel of [1, 16]) {
    await measure(
      'unlogged rate_limit_hits (shipped)',
      (key) => connection.execute(UPSERT('rate_limit_hits'), [key]),
      parallel,
    );
    await measure(
      'logged copy',
      (key) => connection.execute(UPSERT('logged_hits'), [key]),
      parallel,
    );
    await measure(
      'in memory (webhooks)',
      async (key) => memory.set(key, (memory.get(key) ?? 0) + 1),
      parallel,
    );
  }
} finally {
  await db.drop();
}
