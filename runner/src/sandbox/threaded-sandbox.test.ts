import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxLimits } from '../../../shared/src/engine/host';
import { stepErrorOf } from '../../../shared/src/sandbox/sandbox-test-support';
import type { ThreadedSandbox } from './threaded-sandbox';
import { createThreadedSandbox } from './threaded-sandbox';

const MiB = 1024 * 1024;
const generous: SandboxLimits = { cpuMs: 10_000, memoryBytes: 64 * MiB };
const never = () => new AbortController().signal;
/** A loop QuickJS's interrupt handler cannot stop: each iteration is one long native call. */
const SLOW_BUILTIN_LOOP = "const a = Array(1e5).fill('x'); for (;;) a.join('');";
/** Threads start slowly on this shared machine (tsx loads in each). */
const START_TIMEOUT = 60_000;

/** Largest gap between ticks of a 10 ms interval while `work` runs: shows whether the event loop was blocked. */
async function maxTickGap(work: Promise<unknown>): Promise<number> {
  let last = Date.now();
  let maxGap = 0;
  const interval = setInterval(() => {
    const now = Date.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  try {
    await work.catch(() => {});
  } finally {
    clearInterval(interval);
  }
  return Math.max(maxGap, Date.now() - last);
}

describe('createThreadedSandbox (pool of 2)', () => {
  let sandbox: ThreadedSandbox;
  beforeAll(async () => {
    sandbox = await createThreadedSandbox({ poolSize: 2, graceMs: 250 });
  }, START_TIMEOUT);
  afterAll(() => sandbox?.close());

  it('returns results and relays console lines in order', async () => {
    const lines: string[] = [];
    const result = await sandbox.run(
      'console.log("a", input.x); console.warn("b"); return { y: input.x + 1 };',
      { x: 41 },
      generous,
      never(),
      { onLog: (level, message) => lines.push(`${level}:${message}`) },
    );
    expect(result).toEqual({ y: 42 });
    expect(lines).toEqual(['info:a 41', 'warn:b']);
  });

  it('ends a slow-built-in loop with TIMEOUT at its wall-clock deadline, without blocking the host', async () => {
    const started = Date.now();
    const call = sandbox.run(SLOW_BUILTIN_LOOP, {}, { cpuMs: 200, memoryBytes: 64 * MiB }, never());
    const [error, gap] = await Promise.all([
      stepErrorOf(call, 'TIMEOUT', /CPU limit of 200 ms .*wall-clock deadline of 450 ms/),
      maxTickGap(call),
    ]);
    const elapsed = Date.now() - started;
    expect(error.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(440);
    expect(elapsed).toBeLessThan(450 + 1500); // slack for a loaded 2-core machine
    expect(gap).toBeLessThan(300); // blocked, it would be ≥ 450 ms
    // The replacement thread serves the next calls.
    expect(await sandbox.run('return 1', {}, generous, never())).toBe(1);
    expect(await sandbox.run('return 2', {}, generous, never())).toBe(2);
  });

  it('keeps the error codes and retryable flags of the in-process sandbox', async () => {
    const thrown = await stepErrorOf(
      sandbox.run('throw new Error("boom")', {}, generous, never()),
      'CODE',
      /boom/,
    );
    expect(thrown.retryable).toBe(true);
    const memory = await stepErrorOf(
      sandbox.run(
        "let a = []; while (true) a.push('x'.repeat(1e5));",
        {},
        { cpuMs: 10_000, memoryBytes: 8 * MiB },
        never(),
      ),
      'MEMORY',
      /out of memory \(limit 8 MiB\)/,
    );
    expect(memory.retryable).toBe(false);
    const interrupted = await stepErrorOf(
      sandbox.run('for (;;) {}', {}, { cpuMs: 100, memoryBytes: 64 * MiB }, never()),
      'TIMEOUT',
      /CPU limit of 100 ms$/, // QuickJS's own interrupt, before the wall-clock deadline
    );
    expect(interrupted.retryable).toBe(true);
    await stepErrorOf(
      sandbox.run('return 1', {}, { cpuMs: -1, memoryBytes: 64 * MiB }, never()),
      'VALIDATION',
    );
    await stepErrorOf(sandbox.run('return 1', { n: 1n }, generous, never()), 'INTERNAL', /JSON/);
  });

  it('terminates a running call when its signal aborts (CANCELED)', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await stepErrorOf(
      sandbox.run(SLOW_BUILTIN_LOOP, {}, generous, controller.signal),
      'CANCELED',
    );
    expect(error.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000); // not the 10 s deadline
    await stepErrorOf(sandbox.run('return 1', {}, generous, controller.signal), 'CANCELED');
    expect(await sandbox.run('return 3', {}, generous, never())).toBe(3);
  });

  it('runs two calls at once: a trivial call is not held up by a stuck one', async () => {
    const stuck = sandbox.run(
      SLOW_BUILTIN_LOOP,
      {},
      { cpuMs: 3000, memoryBytes: 64 * MiB },
      never(),
    );
    const started = Date.now();
    expect(await sandbox.run('return "quick"', {}, generous, never())).toBe('quick');
    expect(Date.now() - started).toBeLessThan(2500);
    await stepErrorOf(stuck, 'TIMEOUT');
  });
});

describe('createThreadedSandbox (pool of 1)', () => {
  let sandbox: ThreadedSandbox;
  beforeAll(async () => {
    sandbox = await createThreadedSandbox({ poolSize: 1, graceMs: 100, heapMb: 32 });
  }, START_TIMEOUT);
  afterAll(() => sandbox?.close());

  it('queues a call behind a busy thread and runs it on the replacement', async () => {
    const stuck = sandbox.run(
      SLOW_BUILTIN_LOOP,
      {},
      { cpuMs: 100, memoryBytes: 64 * MiB },
      never(),
    );
    const queued = sandbox.run('return input', 'next', generous, never());
    await stepErrorOf(stuck, 'TIMEOUT');
    expect(await queued).toBe('next');
  });

  it('drops a waiting call on abort (CANCELED) and leaves the busy thread alone', async () => {
    const busy = sandbox.run(
      'const end = Date.now() + 300; while (Date.now() < end) {} return "done";',
      {},
      generous,
      never(),
    );
    const controller = new AbortController();
    const waiting = sandbox.run('return 1', {}, generous, controller.signal);
    controller.abort();
    await stepErrorOf(waiting, 'CANCELED');
    expect(await busy).toBe('done');
  });

  it('refuses an input too large for the thread heap with MEMORY, before it reaches the thread', async () => {
    const huge = 'x'.repeat(2 * MiB); // > 32 MiB heap / 32 bytes a character
    const error = await stepErrorOf(
      sandbox.run('return input.length', huge, { cpuMs: 10_000, memoryBytes: 1024 * MiB }, never()),
      'MEMORY',
      /input of code\.js .* too large/,
    );
    expect(error.retryable).toBe(false);
    expect(await sandbox.run('return input.ok', { ok: true }, generous, never())).toBe(true);
  });

  it(
    'replaces a thread that dies mid-call (INTERNAL) and the next call works',
    async () => {
      const crashing = await createThreadedSandbox({
        poolSize: 1,
        threadEntry: new URL('./crashing-thread-entry.test-support.mjs', import.meta.url),
      });
      try {
        const error = await stepErrorOf(
          crashing.run('__crash__', {}, generous, never()),
          'INTERNAL',
          /exited with code 70/,
        );
        expect(error.retryable).toBe(false);
        expect(await crashing.run('return input + 1', 1, generous, never())).toBe(2);
      } finally {
        await crashing.close();
      }
    },
    START_TIMEOUT,
  );

  it(
    'fails calls with CANCELED once closed',
    async () => {
      const other = await createThreadedSandbox({ poolSize: 1 });
      await other.close();
      await stepErrorOf(other.run('return 1', {}, generous, never()), 'CANCELED', /closed/);
    },
    START_TIMEOUT,
  );
});

describe('createThreadedSandbox({ waitForThreads: false })', () => {
  it(
    'returns before its threads load; a call made at once waits for one and runs',
    async () => {
      const sandbox = await createThreadedSandbox({ poolSize: 1, waitForThreads: false });
      try {
        let loaded = false;
        void sandbox.ready.then(() => (loaded = true));
        await new Promise((resolve) => setImmediate(resolve));
        expect(loaded).toBe(false); // a thread needs far longer than one turn of the event loop
        await expect(sandbox.run('return input.n * 2', { n: 21 }, generous, never())).resolves.toBe(
          42,
        );
        await expect(sandbox.ready).resolves.toBeUndefined();
      } finally {
        await sandbox.close();
      }
    },
    START_TIMEOUT,
  );
});
