import type { QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { SandboxHooks, SandboxLimits } from '../engine/host';
import { StepError } from '../engine/step-error';
import type { CappedModule } from './capped-module-pool';
import { hasGrownHeavily } from './capped-module-pool';
import { MAX_STACK_BYTES } from './sandbox-limits';
import { installConsole } from './vm-console';
import { installFastRepeat } from './fast-repeat';
import { CODE_FILENAME, wrapUserCode } from './user-code';
import type { ThrownValue } from './vm-scope';
import { UNDESCRIBABLE, VmScope } from './vm-scope';

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
 * result as JSON text (parsed by the caller) or throws a StepError. A
 * host-level failure (wasm trap, host stack overflow) escapes as is: the
 * caller retires the module.
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
    const scope = new VmScope(runtime.newContext());
    try {
      let json: string;
      try {
        json = callInScope(scope, runtime, request, capped);
      } catch (error) {
        // Inside an async function an interrupt becomes a catchable rejection, and the
        // code goes on to fail otherwise: the interrupt is the truth.
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
      if (healthy) {
        scope.dispose();
        scope.context.dispose();
      } else {
        scope.abandon();
      }
    }
  } finally {
    // After a trap or a host stack overflow QuickJS's structures are half-updated:
    // freeing them would abort the module. The caller drops the whole module instead.
    if (healthy) runtime.dispose();
  }
}

function callInScope(
  scope: VmScope,
  runtime: QuickJSRuntime,
  request: VmCallRequest,
  capped: CappedModule,
): string {
  const { context } = scope;
  const { limits } = request;
  const thrownError = (error: QuickJSHandle, retryable: boolean) =>
    stepErrorOf(scope.describe(error), retryable, limits, capped);
  installConsole(scope, request.hooks);
  installFastRepeat(scope);

  const compiled = context.evalCode(wrapUserCode(request.code), CODE_FILENAME);
  // A SyntaxError cannot go away on a retry.
  if (compiled.error) throw thrownError(scope.keep(compiled.error), false);
  const userFunction = scope.keep(compiled.value);

  const inputText = scope.keep(context.newString(request.inputJson));
  const input = scope.call(scope.parse, context.undefined, inputText);
  if (input.error) throw thrownError(input.error, false);

  const returned = scope.call(userFunction, context.undefined, input.value);
  // workflow-v1.md: thrown errors in code.js are retried.
  if (returned.error) throw thrownError(returned.error, true);
  const value = awaitValue(scope, runtime, returned.value, thrownError);

  const outcome = scope.toJson(value);
  if (outcome.kind === 'json') return outcome.text;
  if (outcome.kind === 'unusable')
    throw new StepError('CODE', outcome.message, { retryable: false });
  throw stepErrorOf(outcome, false, limits, capped);
}

/** The value itself, or what the promise (or thenable) it is settles to, running jobs until then. */
function awaitValue(
  scope: VmScope,
  runtime: QuickJSRuntime,
  value: QuickJSHandle,
  thrownError: (error: QuickJSHandle, retryable: boolean) => StepError,
): QuickJSHandle {
  const { context } = scope;
  if (context.typeof(value) !== 'object') return value;
  const resolved = scope.call(scope.promiseResolve, scope.promise, value);
  if (resolved.error) throw thrownError(resolved.error, true);
  for (;;) {
    const state = context.getPromiseState(resolved.value);
    if (state.type === 'fulfilled')
      return state.notAPromise ? state.value : scope.keep(state.value);
    if (state.type === 'rejected') throw thrownError(scope.keep(state.error), true);
    if (!runtime.hasPendingJob()) {
      // No timers or I/O exist in the sandbox: nothing left can ever settle it.
      throw new StepError(
        'TIMEOUT',
        'code.js returned a promise that never settles (the sandbox has no timers or I/O to resolve it)',
        { retryable: false },
      );
    }
    const jobs = runtime.executePendingJobs();
    if (jobs.error) throw thrownError(scope.keep(jobs.error), true);
  }
}

function stepErrorOf(
  thrown: ThrownValue,
  retryable: boolean,
  limits: SandboxLimits,
  capped: CappedModule,
): StepError {
  if (thrown.kind === 'memory') return memoryError(limits);
  // QuickJS throws a bare null when it cannot even allocate the error object.
  const unclear = thrown.message === 'null' || thrown.message === UNDESCRIBABLE;
  if (unclear && hasGrownHeavily(capped)) return memoryError(limits);
  return new StepError('CODE', thrown.message, { retryable });
}

function memoryError(limits: SandboxLimits): StepError {
  const mib = Math.round((limits.memoryBytes / 1024 / 1024) * 10) / 10;
  return new StepError('MEMORY', `code.js ran out of memory (limit ${mib} MiB)`, {
    retryable: false,
  });
}

function interruption(cause: NonNullable<InterruptCause>, limits: SandboxLimits): StepError {
  if (cause === 'canceled') {
    return new StepError('CANCELED', 'code.js was cancelled', { retryable: false });
  }
  return new StepError('TIMEOUT', `code.js ran past its CPU limit of ${limits.cpuMs} ms`);
}
