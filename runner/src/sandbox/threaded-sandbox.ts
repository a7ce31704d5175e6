import type { CodeSandbox, SandboxHooks, SandboxLimits } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import { resolveLimits } from '../../../shared/src/sandbox/sandbox-limits';
import { SandboxThread } from './sandbox-thread';

export interface ThreadedSandboxOptions {
  /** Worker threads, each running one call at a time (default 2). */
  poolSize?: number;
  /** Wall-clock allowance past `limits.cpuMs` before the thread is terminated (default 250 ms). */
  graceMs?: number;
  /** V8 old-generation cap of each thread, in MiB (default 512); also caps a call's input (1 character of JSON per 32 bytes). QuickJS's own memory is capped apart. */
  heapMb?: number;
  /** Tests only: another thread entry script (one that can crash on demand). */
  threadEntry?: URL;
  /**
   * false: return at once and start the threads in the background (calls wait for a thread;
   * `ready` tells how the start went). A thread takes seconds to load tsx and QuickJS, which
   * a worker process need not wait for before taking messages. Default true.
   */
  waitForThreads?: boolean;
}

export interface ThreadedSandbox extends CodeSandbox {
  /** Settles once every first thread has loaded (rejects with the first that cannot). */
  ready: Promise<void>;
  /** Terminates every thread; calls waiting for one fail with CANCELED. */
  close(): Promise<void>;
}

const RESTART_DELAY_MS = 1000;
const DEFAULT_HEAP_MB = 512;
const MiB = 1024 * 1024;
/** The in-process sandbox's input allowance: 1 character of JSON per 8 bytes of memory limit. */
const MEMORY_BYTES_PER_INPUT_CHAR = 8;
/**
 * The thread parses the input into V8 objects (several bytes a character) before QuickJS copies
 * it: keep that well inside the thread's heap. Measured: a worker whose heap fills inside
 * JSON.parse does not fail alone, V8 aborts the whole process ("Reached heap limit").
 */
const HEAP_BYTES_PER_INPUT_CHAR = 32;

interface Waiter {
  resolve(thread: SandboxThread): void;
  reject(error: StepError): void;
}

/**
 * The `code.js` sandbox for untrusted code: QuickJS in a small pool of worker
 * threads, with a wall-clock deadline of `cpuMs + graceMs` per call. QuickJS
 * only checks its CPU limit between bytecodes, so a loop of slow native
 * built-ins can outlive it; past the deadline the thread is terminated (the
 * host's event loop never blocks) and replaced. See docs/decisions/0003-code-sandbox.md.
 *
 * @example
 * const sandbox = await createThreadedSandbox({ poolSize: 2 });
 * await sandbox.run('return input.x + 1', { x: 1 }, { cpuMs: 1000, memoryBytes: 64 << 20 }, signal); // 2
 * await sandbox.close();
 */
export async function createThreadedSandbox(
  options: ThreadedSandboxOptions = {},
): Promise<ThreadedSandbox> {
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  const pool = new ThreadPool(
    options.poolSize ?? 2,
    () => new SandboxThread(heapMb, options.threadEntry),
  );
  let ready: Promise<void>;
  if (options.waitForThreads === false) {
    ready = pool.startInBackground();
    ready.catch(() => {}); // the owner awaits `ready` if it cares; calls see the failure anyway
  } else {
    await pool.start();
    ready = Promise.resolve();
  }
  const graceMs = options.graceMs ?? 250;
  return {
    ready,
    async run(code, input, limits, signal, hooks) {
      const resolved = resolveLimits(undefined, limits);
      const inputJson = inputAsJson(input, maxInputChars(resolved, heapMb));
      throwIfCanceled(signal);
      const thread = await pool.acquire(signal);
      return runOnThread(
        pool,
        thread,
        { code, inputJson, limits: resolved },
        {
          deadlineMs: resolved.cpuMs + graceMs,
          signal,
          hooks,
        },
      );
    },
    close: () => pool.close(),
  };
}

/** Runs one call; a thread that timed out, was cancelled or died is replaced, others go back. */
async function runOnThread(
  pool: ThreadPool,
  thread: SandboxThread,
  call: { code: string; inputJson: string; limits: SandboxLimits },
  watch: { deadlineMs: number; signal: AbortSignal; hooks: SandboxHooks | undefined },
): Promise<unknown> {
  let stop: ((error: StepError) => void) | undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  const timer = setTimeout(
    () =>
      stop?.(
        new StepError(
          'TIMEOUT',
          `code.js ran past its CPU limit of ${call.limits.cpuMs} ms (stopped at its wall-clock deadline of ${watch.deadlineMs} ms)`,
        ),
      ),
    watch.deadlineMs,
  );
  const onAbort = () =>
    stop?.(new StepError('CANCELED', 'code.js was cancelled', { retryable: false }));
  watch.signal.addEventListener('abort', onAbort, { once: true });
  if (watch.signal.aborted) onAbort(); // aborted while the thread was being handed over
  try {
    return await Promise.race([thread.run(call, watch.hooks), stopped]);
  } finally {
    clearTimeout(timer);
    watch.signal.removeEventListener('abort', onAbort);
    pool.release(thread);
  }
}

class ThreadPool {
  private readonly idle: SandboxThread[] = [];
  private readonly busy = new Set<SandboxThread>();
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly spawn: () => SandboxThread,
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new Error(`createThreadedSandbox: poolSize must be a positive integer, got ${size}`);
    }
  }

  /** Starts every thread; fails if one cannot load its sandbox (a broken install shows at start-up). */
  async start(): Promise<void> {
    const threads = Array.from({ length: this.size }, () => this.spawn());
    try {
      await Promise.all(threads.map((t) => t.ready));
    } catch (error) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw error;
    }
    this.idle.push(...threads);
  }

  /** Starts every thread without waiting: each joins the pool (or a waiting call) once loaded. */
  startInBackground(): Promise<void> {
    return Promise.all(Array.from({ length: this.size }, () => this.replace())).then(() => {});
  }

  acquire(signal: AbortSignal): Promise<SandboxThread> {
    if (this.closed) return Promise.reject(closedError());
    const thread = this.idle.pop();
    if (thread) {
      this.busy.add(thread);
      return Promise.resolve(thread);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (t) => {
          signal.removeEventListener('abort', onAbort);
          resolve(t);
        },
        reject,
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new StepError('CANCELED', 'code.js was cancelled', { retryable: false }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands a healthy thread to the next waiter; anything else is terminated and replaced. */
  release(thread: SandboxThread): void {
    this.busy.delete(thread);
    if (this.closed) {
      void thread.terminate();
      return;
    }
    // A thread still busy with a call it lost the race for (deadline, cancel) is not reusable.
    if (!thread.alive || thread.hasCallInFlight) {
      void thread.terminate();
      void this.replace();
      return;
    }
    this.handOut(thread);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(closedError());
    const all = [...this.idle.splice(0), ...this.busy];
    await Promise.all(all.map((t) => t.terminate()));
  }

  private handOut(thread: SandboxThread): void {
    const waiter = this.waiters.shift();
    if (!waiter) {
      this.idle.push(thread);
      return;
    }
    this.busy.add(thread);
    waiter.resolve(thread);
  }

  /** Returns the new thread's `ready` (already guarded against unhandled rejection). */
  private replace(): Promise<void> {
    const thread = this.spawn();
    thread.ready.then(
      () => (this.closed ? void thread.terminate() : this.handOut(thread)),
      (error: StepError) => {
        // Calls waiting now would wait forever for a thread that cannot start: fail them, retry later.
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
        void thread.terminate();
        if (!this.closed) setTimeout(() => void this.replace(), RESTART_DELAY_MS).unref();
      },
    );
    return thread.ready;
  }
}

function closedError(): StepError {
  return new StepError('CANCELED', 'the code sandbox is closed', { retryable: false });
}

function maxInputChars(limits: SandboxLimits, heapMb: number): number {
  return Math.min(
    limits.memoryBytes / MEMORY_BYTES_PER_INPUT_CHAR,
    (heapMb * MiB) / HEAP_BYTES_PER_INPUT_CHAR,
  );
}

function inputAsJson(input: unknown, maxChars: number): string {
  let json: string;
  try {
    json = JSON.stringify(input) ?? 'null';
  } catch (error) {
    throw new StepError(
      'INTERNAL',
      `the input of code.js is not JSON-serialisable: ${String(error)}`,
      { retryable: false, cause: error },
    );
  }
  if (json.length > maxChars) {
    throw new StepError(
      'MEMORY',
      `the input of code.js (${json.length} characters of JSON) is too large: at most ${Math.floor(maxChars)} characters for its memory limit and the sandbox thread's heap`,
      { retryable: false },
    );
  }
  return json;
}

function throwIfCanceled(signal: AbortSignal): void {
  if (signal.aborted)
    throw new StepError('CANCELED', 'code.js was cancelled', { retryable: false });
}
