// code.js sandbox cost per call (`npm run bench -- sandbox`). Every call gets a
// fresh QuickJS runtime and context in a reused WebAssembly module, so this is
// the per-step price of isolation. CPU time (process.cpuUsage) is the figure to
// trust on a shared 2-core machine; wall time is shown beside it.
import { loadavg } from 'node:os';
import { createQuickJsSandbox } from '../shared/src/sandbox/index';
import type { SandboxLimits } from '../shared/src/index';

const TARGET_US_PER_TRIVIAL_CALL = 1000;
const limits: SandboxLimits = { cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 };
const signal = new AbortController().signal;

/** About 10 KB of JSON: 100 rows of a typical API record. */
const input10k = {
  rows: Array.from({ length: 100 }, (_, i) => ({
    id: i,
    name: `Customer ${i}`,
    email: `customer${i}@example.com`,
    total: i * 12.5,
    tags: ['a', 'b'],
  })),
};

interface Case {
  name: string;
  code: string;
  input: unknown;
  iterations: number;
  onLog?: () => void;
}

const cases: Case[] = [
  {
    name: 'trivial: return input.x + 1',
    code: 'return input.x + 1',
    input: { x: 1 },
    iterations: 2000,
  },
  {
    name: 'async trivial (await)',
    code: 'return await Promise.resolve(input.x + 1)',
    input: { x: 1 },
    iterations: 2000,
  },
  {
    name: '10 KB input, small result',
    code: 'return input.rows.length',
    input: input10k,
    iterations: 1000,
  },
  {
    name: '10 KB input, mapped 10 KB result',
    code: 'return input.rows.map((r) => ({ ...r, total: r.total * 2 }))',
    input: input10k,
    iterations: 1000,
  },
  {
    name: 'one console.log line',
    code: 'console.log("row", input.x); return 1',
    input: { x: 1 },
    iterations: 2000,
    onLog: () => {},
  },
];

async function measure(sandbox: Awaited<ReturnType<typeof createQuickJsSandbox>>, c: Case) {
  const hooks = c.onLog ? { onLog: c.onLog } : undefined;
  for (let i = 0; i < Math.min(200, c.iterations); i++)
    await sandbox.run(c.code, c.input, limits, signal, hooks);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < c.iterations; i++) await sandbox.run(c.code, c.input, limits, signal, hooks);
  const wallUs = Number(process.hrtime.bigint() - started) / 1000 / c.iterations;
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / c.iterations;
  return {
    case: c.name,
    'µs/call (CPU)': Math.round(cpuUs),
    'µs/call (wall)': Math.round(wallUs),
    'calls/s (CPU)': Math.round(1e6 / cpuUs),
  };
}

const createdAt = process.hrtime.bigint();
const sandbox = await createQuickJsSandbox();
const createMs = Number(process.hrtime.bigint() - createdAt) / 1e6;

const rows = [];
for (const c of cases) rows.push(await measure(sandbox, c));
console.table(rows);

const trivial = rows[0]!['µs/call (CPU)'];
console.log(
  `createQuickJsSandbox (load + compile + warm-up call): ${createMs.toFixed(1)} ms wall; ` +
    `a module is built again only after a MEMORY failure or a heavy call.`,
);
console.log(
  `trivial call: ${trivial} µs CPU (target < ${TARGET_US_PER_TRIVIAL_CALL} µs: ${trivial < TARGET_US_PER_TRIVIAL_CALL ? 'met' : 'NOT met'}); ` +
    `load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on this machine.`,
);
