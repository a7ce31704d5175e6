import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { SandboxHooks, SandboxLimits } from '../engine/host';
import { StepError } from '../engine/step-error';
import type { CappedModule } from './capped-module-pool';
import { hasGrownHeavily } from './capped-module-pool';
import {
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES,
  MAX_OUTPUT_CHARS,
  MAX_STACK_BYTES,
} from './sandbox-limits';
import {
  CODE_FILENAME,
  HARNESS_FILENAME,
  HARNESS_SOURCE,
  RESULT_TAG,
  wrapUserCode,
} from './vm-harness';

type LogLevel = Parameters<NonNullable<SandboxHooks['onLog']>>[0];
const LOG_LEVELS: ReadonlySet<string> = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

export interface VmCallRequest {
  code: string;
  inputJson: string;
  limits: SandboxLimits;
  signal: AbortSignal;
  hooks: SandboxHooks | undefined;
}

/** Why the interrupt handler stopped the VM, if it did. */
type InterruptCause = 'timeout' | 'canceled' | undefined;

/**
 * One `code.js` call in a fresh QuickJS runtime and context of `capped`.
 * Entirely synchronous: nothing else can use the module meanwhile, which is
 * what makes sharing one module between concurrent calls safe. Returns the
 * result as JSON text (a plain string, parsed by the caller) or throws a
 * StepError. A host-level failure (wasm trap, host stack overflow) escapes as
 * is: the caller retires the module.
 */
export function runVmCall(capped: CappedModule, request: VmCallRequest): string {
  const { limits, signal } = request;
  const deadline = Date.now() + limits.cpuMs;
  let cause: InterruptCause;
  let healthy = true;
  const runtime = capped.module.newRuntime();
  try {
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    // Called every few thousand bytecodes: the only way to stop a busy VM.
    runtime.setInterruptHandler(() => {
      if (signal.aborted) cause = 'canceled';
      else if (Date.now() > deadline) cause = 'timeout';
      return cause !== undefined;
    });
    const context = runtime.newContext();
    try {
      const fail = (error: QuickJSHandle) => failureOf(context, error, cause, limits);
      let json: string;
      try {
        json = callInContext(capped, context, runtime, request, fail);
      } catch (error) {
        // Inside an async function an interrupt becomes a catchable rejection, and the
        // code (or the harness) goes on to fail otherwise: the interrupt is the truth.
        if (error instanceof StepError && cause) throw interruption(cause, limits);
        throw error;
      }
      // A long native call (a huge join, a spread) is not interruptible: the limit still holds.
      if (cause || Date.now() > deadline) throw interruption(cause ?? 'timeout', limits);
      return json;
    } catch (error) {
      healthy = error instanceof StepError;
      throw error;
    } finally {
      if (healthy) context.dispose();
    }
  } finally {
    // After a trap or a host stack overflow QuickJS's structures are half-updated:
    // freeing them would abort the module. The caller drops the whole module instead.
    if (healthy) runtime.dispose();
  }
}

function callInContext(
  capped: CappedModule,
  context: QuickJSContext,
  runtime: QuickJSRuntime,
  request: VmCallRequest,
  fail: (error: QuickJSHandle) => StepError,
): string {
  const handles: QuickJSHandle[] = [];
  const keep = (handle: QuickJSHandle) => (handles.push(handle), handle);
  const evaluate = (source: string, filename: string) => {
    const result = context.evalCode(source, filename);
    if (result.error) throw fail(keep(result.error));
    return keep(result.value);
  };
  try {
    const harness = evaluate(HARNESS_SOURCE, HARNESS_FILENAME);
    const log = keep(context.newFunction('log', logBridge(context, request.hooks)));
    const numbers = [MAX_OUTPUT_CHARS, MAX_LOG_LINES, MAX_LOG_LINE_CHARS].map((n) =>
      keep(context.newNumber(n)),
    );
    const call = context.callFunction(harness, context.undefined, log, ...numbers);
    if (call.error) throw fail(keep(call.error));
    keep(call.value);
    const userFunction = evaluate(wrapUserCode(request.code), CODE_FILENAME);
    const input = keep(context.newString(request.inputJson));
    const outcome = context.callFunction(call.value, context.undefined, userFunction, input);
    if (outcome.error) throw fail(keep(outcome.error));
    const tagged = settle(context, runtime, keep(outcome.value), keep, fail);
    return untag(tagged, request.limits, capped);
  } catch (error) {
    if (!(error instanceof StepError)) handles.length = 0; // see runVmCall: nothing is freed after a host-level failure
    throw error;
  } finally {
    for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
  }
}

/** The tagged string, after running promise jobs until the harness's promise settles. */
function settle(
  context: QuickJSContext,
  runtime: QuickJSRuntime,
  value: QuickJSHandle,
  keep: (handle: QuickJSHandle) => QuickJSHandle,
  fail: (error: QuickJSHandle) => StepError,
): string {
  if (context.typeof(value) === 'string') return context.getString(value);
  for (;;) {
    const state = context.getPromiseState(value);
    if (state.type === 'fulfilled') {
      if (state.notAPromise || context.typeof(state.value) !== 'string') {
        if (!state.notAPromise) keep(state.value);
        throw new StepError(
          'CODE',
          'code.js interfered with the sandbox: its result came back as no text',
          {
            retryable: false,
          },
        );
      }
      return context.getString(keep(state.value));
    }
    if (state.type === 'rejected') throw fail(keep(state.error));
    if (!runtime.hasPendingJob()) {
      // No timers or I/O exist in the sandbox: nothing left can ever settle it.
      throw new StepError(
        'TIMEOUT',
        'code.js returned a promise that never settles (the sandbox has no timers or I/O to resolve it)',
        { retryable: false },
      );
    }
    const jobs = runtime.executePendingJobs();
    if (jobs.error) throw fail(keep(jobs.error));
  }
}

function untag(tagged: string, limits: SandboxLimits, capped: CappedModule): string {
  const body = tagged.slice(1);
  switch (tagged[0]) {
    case RESULT_TAG.result:
      return body;
    case RESULT_TAG.thrown:
      // QuickJS throws a bare null when it cannot even allocate the error object.
      if (body === 'null' && hasGrownHeavily(capped)) throw memoryError(limits);
      return throwCode(body, true);
    case RESULT_TAG.unusable:
      return throwCode(body, false);
    case RESULT_TAG.memory:
      throw memoryError(limits);
    default:
      throw new StepError(
        'CODE',
        'code.js interfered with the sandbox: its result was not understood',
        {
          retryable: false,
        },
      );
  }
}

function throwCode(message: string, retryable: boolean): never {
  // workflow-v1.md: thrown errors in code.js are retried; a bad result is not.
  throw new StepError('CODE', message, { retryable });
}

function memoryError(limits: SandboxLimits): StepError {
  const mib = Math.round((limits.memoryBytes / 1024 / 1024) * 10) / 10;
  return new StepError('MEMORY', `code.js ran out of memory (limit ${mib} MiB)`, {
    retryable: false,
  });
}

/**
 * A VM-level failure: interrupted (TIMEOUT or CANCELED), out of memory, or an
 * error in code evaluation (a SyntaxError: CODE, not retried: it cannot change).
 */
function failureOf(
  context: QuickJSContext,
  error: QuickJSHandle,
  cause: InterruptCause,
  limits: SandboxLimits,
): StepError {
  if (cause) return interruption(cause, limits);
  const info = describeVmError(context, error);
  // The harness catches everything the code throws, so a bare null here is QuickJS failing to allocate the error itself.
  if (info === undefined || info.message === 'out of memory') return memoryError(limits);
  return new StepError('CODE', `${info.name}: ${info.message}${info.line}`, { retryable: false });
}

function interruption(cause: NonNullable<InterruptCause>, limits: SandboxLimits): StepError {
  if (cause === 'canceled') {
    return new StepError('CANCELED', 'code.js was cancelled', { retryable: false });
  }
  return new StepError('TIMEOUT', `code.js ran past its CPU limit of ${limits.cpuMs} ms`);
}

function describeVmError(
  context: QuickJSContext,
  error: QuickJSHandle,
): { name: string; message: string; line: string } | undefined {
  try {
    const dumped: unknown = context.dump(error);
    if (typeof dumped !== 'object' || dumped === null) return undefined;
    const { name, message, stack } = dumped as Record<string, unknown>;
    const line = /code\.js:(\d+)/.exec(typeof stack === 'string' ? stack : '');
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message.slice(0, 2000) : 'unknown error',
      line: line ? ` (line ${line[1]})` : '',
    };
  } catch {
    return undefined; // dumping itself failed: the VM has no memory left to describe it
  }
}

/** The host side of `console.*`: strings only cross, and a throwing hook cannot break the VM. */
function logBridge(context: QuickJSContext, hooks: SandboxHooks | undefined) {
  return (levelHandle: QuickJSHandle, messageHandle: QuickJSHandle) => {
    if (!hooks?.onLog) return;
    const level = context.getString(levelHandle);
    const message = context.getString(messageHandle);
    try {
      hooks.onLog(LOG_LEVELS.has(level) ? (level as LogLevel) : 'info', message);
    } catch {
      // A host logging failure must not change the code's outcome.
    }
  };
}
