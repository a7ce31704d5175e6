import { Worker } from 'node:worker_threads';
import type { SandboxHooks } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import type { CallMessage, ThreadMessage } from './sandbox-protocol';
import { deserializeError } from './sandbox-protocol';

// Named apart from this file: an extensionless import of './sandbox-thread' must not resolve to it.
export const THREAD_ENTRY = new URL('./thread-entry.mjs', import.meta.url);

interface InFlight {
  id: number;
  hooks: SandboxHooks | undefined;
  resolve(value: unknown): void;
  reject(error: StepError): void;
}

/**
 * One worker thread holding one QuickJS sandbox; runs one call at a time.
 * `ready` settles once the thread has loaded and warmed up its sandbox. A
 * thread that dies fails its call; the pool then replaces it.
 */
export class SandboxThread {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private inFlight: InFlight | undefined;
  private nextId = 1;
  private dead = false;

  constructor(
    private readonly heapMb: number,
    entry: URL = THREAD_ENTRY,
  ) {
    this.worker = new Worker(entry, {
      // The parent's flags (vitest's, inspector) are not meant for the sandbox thread.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 },
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onReady = (message: ThreadMessage) => {
        if (message.type !== 'ready') return;
        this.worker.off('message', onReady);
        resolve();
      };
      this.worker.on('message', onReady);
      this.worker.once('error', (error) => reject(startError(error)));
      this.worker.once('exit', (code) => reject(startError(new Error(`exited with code ${code}`))));
    });
    this.ready.catch(() => {}); // whoever awaits it sees the failure; no unhandled rejection meanwhile
    this.worker.on('message', (message: ThreadMessage) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(crashError(error, this.heapMb)));
    this.worker.on('exit', (code) =>
      this.fail(
        new StepError('INTERNAL', `the code sandbox thread exited with code ${code}`, {
          retryable: false,
        }),
      ),
    );
  }

  get alive(): boolean {
    return !this.dead;
  }

  get hasCallInFlight(): boolean {
    return this.inFlight !== undefined;
  }

  /** Posts one call; settles with its result or StepError (or the thread's death). */
  run(
    call: Omit<CallMessage, 'id' | 'relayLogs'>,
    hooks: SandboxHooks | undefined,
  ): Promise<unknown> {
    if (this.inFlight) throw new Error('SandboxThread.run: a call is already in flight');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight = { id, hooks, resolve, reject };
      const message: CallMessage = { ...call, id, relayLogs: hooks?.onLog !== undefined };
      this.worker.postMessage(message);
    });
  }

  /** Stops the thread wherever it is, even inside a native built-in. */
  async terminate(): Promise<void> {
    this.dead = true;
    this.inFlight = undefined;
    await this.worker.terminate();
  }

  private onMessage(message: ThreadMessage): void {
    const call = this.inFlight;
    if (message.type === 'ready' || !call || message.id !== call.id) return;
    if (message.type === 'log') {
      call.hooks?.onLog?.(message.level, message.message);
      return;
    }
    this.inFlight = undefined;
    if (message.type === 'result') call.resolve(message.value);
    else call.reject(deserializeError(message.error));
  }

  private fail(error: StepError): void {
    this.dead = true;
    const call = this.inFlight;
    this.inFlight = undefined;
    call?.reject(error);
  }
}

function startError(error: Error): StepError {
  return new StepError('INTERNAL', `the code sandbox thread failed to start: ${error.message}`, {
    retryable: false,
    cause: error,
  });
}

/** A thread that dies mid-call: out of heap (the input or result was too big for it) or worse. */
function crashError(error: Error, heapMb: number): StepError {
  if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new StepError(
      'MEMORY',
      `code.js exhausted the sandbox thread's heap (${heapMb} MiB) while its input or result was copied`,
      { retryable: false, cause: error },
    );
  }
  return new StepError('INTERNAL', `the code sandbox thread crashed: ${error.message}`, {
    retryable: false,
    cause: error,
  });
}
