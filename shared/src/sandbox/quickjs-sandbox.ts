import type { CodeSandbox, SandboxHooks, SandboxLimits } from '../engine/host';
import { StepError } from '../engine/step-error';
import type { CappedModule } from './capped-module-pool';
import { CappedModulePool, hasGrownHeavily } from './capped-module-pool';
import { resolveLimits } from './sandbox-limits';
import { runVmCall } from './vm-call';

export interface QuickJsSandboxOptions {
  /** Fill in what a call's limits leave out (built-in: 1000 ms CPU, 64 MiB memory). */
  defaultLimits?: Partial<SandboxLimits>;
}

/**
 * The `code.js` sandbox: QuickJS compiled to WebAssembly, the same in Node,
 * Electron and the browser. Each call gets a fresh runtime and context (no
 * state survives a call); the WebAssembly module is reused per memory limit,
 * and replaced after a memory failure. Only JSON text crosses the boundary.
 * See docs/decisions/0003-code-sandbox.md.
 *
 * @example
 * const sandbox = await createQuickJsSandbox();
 * await sandbox.run('return input.x + 1', { x: 1 }, { cpuMs: 1000, memoryBytes: 64 << 20 }, signal); // 2
 */
export async function createQuickJsSandbox(
  options: QuickJsSandboxOptions = {},
): Promise<CodeSandbox> {
  const pool = new CappedModulePool();
  const sandbox: CodeSandbox = {
    async run(code, input, limits, signal, hooks) {
      const resolved = resolveLimits(options.defaultLimits, limits);
      const inputJson = inputAsJson(input, resolved);
      throwIfCanceled(signal);
      const capped = await pool.acquire(resolved.memoryBytes);
      throwIfCanceled(signal);
      return parseResult(
        runGuarded(pool, capped, { code, inputJson, limits: resolved, signal, hooks }),
      );
    },
  };
  // Load and run once now: a broken install fails at start-up, and V8 compiles the
  // WebAssembly lazily, so without this the first real call would pay for it in its CPU time.
  await sandbox.run(
    WARM_UP_CODE,
    { x: [1, 'a'] },
    { ...resolveLimits(options.defaultLimits, undefined), cpuMs: 60_000 },
    new AbortController().signal,
  );
  return sandbox;
}

/** Touches the paths every call uses: parse, a promise, console, stringify. */
const WARM_UP_CODE = 'console.log(input.x); return await Promise.resolve({ y: input.x.length });';

/** Runs one call; decides whether the module may serve the next one. */
function runGuarded(
  pool: CappedModulePool,
  capped: CappedModule,
  request: {
    code: string;
    inputJson: string;
    limits: SandboxLimits;
    signal: AbortSignal;
    hooks: SandboxHooks | undefined;
  },
): string {
  try {
    return runVmCall(capped, request);
  } catch (error) {
    if (error instanceof StepError) {
      if (error.code === 'MEMORY') pool.retire(capped); // QuickJS after an allocation failure is not worth trusting
      throw error;
    }
    pool.retire(capped); // the instance stopped mid-way: its memory is in an unknown state
    throw hostLevelError(error);
  } finally {
    // WebAssembly memory never shrinks: after a heavy call, let a fresh module give the RAM back.
    if (!capped.retired && hasGrownHeavily(capped)) pool.retire(capped);
  }
}

/** A failure the VM could not turn into a JS exception. */
function hostLevelError(error: unknown): StepError {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new StepError('CODE', 'RangeError: stack overflow (recursion too deep)', {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StepError('INTERNAL', `the code sandbox failed: ${message}`, {
    retryable: false,
    cause: error,
  });
}

/** Input allowance: 1 character of JSON per 8 bytes of memory limit (8 Mi characters at 64 MiB). */
const MAX_INPUT_BYTES_PER_CHAR = 8;

function inputAsJson(input: unknown, limits: SandboxLimits): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch (error) {
    throw new StepError(
      'INTERNAL',
      `the input of code.js is not JSON-serialisable: ${String(error)}`,
      {
        retryable: false,
        cause: error,
      },
    );
  }
  json ??= 'null';
  // Copied into the VM as UTF-8 (up to 3 bytes a character), then as a string, then parsed into
  // objects: refuse what cannot fit rather than fail inside. Worse, quickjs-emscripten writes the
  // UTF-8 copy without checking that malloc succeeded, so this must never be left to chance.
  if (json.length > limits.memoryBytes / MAX_INPUT_BYTES_PER_CHAR) {
    throw new StepError(
      'MEMORY',
      `the input of code.js (${json.length} characters of JSON) is too large for its memory limit (at most 1 character per ${MAX_INPUT_BYTES_PER_CHAR} bytes)`,
      { retryable: false },
    );
  }
  return json;
}

function parseResult(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    // Only QuickJS's own JSON.stringify output gets here: failing to parse it is a bug.
    throw new StepError(
      'INTERNAL',
      `the result of code.js could not be read back: ${String(error)}`,
      {
        retryable: false,
        cause: error,
      },
    );
  }
}

function throwIfCanceled(signal: AbortSignal): void {
  if (signal.aborted)
    throw new StepError('CANCELED', 'code.js was cancelled', { retryable: false });
}
