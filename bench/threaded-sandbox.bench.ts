// code.js through the runner's threaded sandbox (`npm run bench -- threaded`): what a call
// pays for the worker-thread hop (post the call, relay the result) on top of QuickJS itself,
// sequentially and with two calls in flight on the pool of 2. Process CPU covers all threads.
import { loadavg } from 'node:os';
import type { SandboxLimits } from '../shared/src/index';
import { createQuickJsSandbox } from '../shared/src/sandbox/index';
import { createThreadedSandbox } from '../runner/src/sandbox/index';

const limits: SandboxLimits = { cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 };
const signal = new AbortController().signal;
const ITERATIONS = 2000;
const CODE = 'return input.x + 1';

interface Runner {
  run(code: string, input: unknown, limits: SandboxLimits, signal: AbortSignal): Promise<unknown>;
}

async function measure(name: string, sandbox: Runner, inFlight: number) {
  const lane = async (n: number) => {
    for (let i = 0; i < n; i++) await sandbox.run(CODE, { x: i }, limits, signal);
  };
  await Promise.all(Array.from({ length: inFlight }, () => lane(100))); // warm-up
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, () => lane(ITERATIONS / inFlight)));
  const wallUs = Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / ITERATIONS;
  return {
    case: name,
    'µs/call (wall)': Math.round(wallUs),
    'µs/call (CPU, all threads)': Math.round(cpuUs),
    'calls/s (wall)': Math.round(1e6 / wallUs),
  };
}

const inProcess = await createQuickJsSandbox();
const createdAt = process.hrtime.bigint();
const threaded = await createThreadedSandbox({ poolSize: 2 });
const startMs = Number(process.hrtime.bigint() - createdAt) / 1e6;
try {
  console.table([
    await measure('in-process QuickJS, 1 in flight', inProcess, 1),
    await measure('threaded pool of 2, 1 in flight', threaded, 1),
    await measure('threaded pool of 2, 2 in flight', threaded, 2),
  ]);
} finally {
  await threaded.close();
}
console.log(
  `createThreadedSandbox (2 threads: tsx + QuickJS load + warm-up each): ${startMs.toFixed(0)} ms wall; ` +
    `load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on this machine.`,
);
