import type { CodeSandbox, SandboxHooks, SandboxLimits } from '../engine/host';
import { StepError } from '../engine/step-error';
import type { ErrorCode } from '../model/run-result';

/** Helpers for the sandbox's own tests (no test framework here: it is plain TS). */

/**
 * Generous CPU time for tests that are not about the CPU limit: this machine's
 * two cores are shared, and a trivial call can take tens of ms when loaded.
 */
export const TEST_LIMITS: SandboxLimits = { cpuMs: 10_000, memoryBytes: 64 * 1024 * 1024 };

export interface RunOptions {
  input?: unknown;
  limits?: Partial<SandboxLimits>;
  signal?: AbortSignal;
  hooks?: SandboxHooks;
}

export function runner(sandbox: () => CodeSandbox) {
  return (code: string, options: RunOptions = {}) =>
    sandbox().run(
      code,
      options.input ?? {},
      { ...TEST_LIMITS, ...options.limits },
      options.signal ?? new AbortController().signal,
      options.hooks,
    );
}

/** The StepError a call fails with; throws (failing the test) on any other outcome. */
export async function stepErrorOf(
  call: Promise<unknown>,
  code: ErrorCode,
  message?: RegExp,
): Promise<StepError> {
  let outcome: unknown;
  try {
    outcome = { result: await call };
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    if (error.code !== code || (message && !message.test(error.message))) {
      throw new Error(`expected ${code} ${message ?? ''}, got ${error.code}: ${error.message}`);
    }
    return error;
  }
  throw new Error(`expected a ${code} StepError, got ${JSON.stringify(outcome)}`);
}
