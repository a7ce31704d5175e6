import type { RunResult, RunStatus, StepErrorInfo, StepResult } from '../model/run-result';
import type { PreparedWorkflow } from './prepare';
import type { StepError } from './step-error';

/** A step from an earlier attempt that counts as settled on resume (a fatal failure is run again). */
export function isResumable(result: StepResult): boolean {
  return (
    result.status === 'success' ||
    result.status === 'skipped' ||
    (result.status === 'failed' && result.port === 'error')
  );
}

export function stepSuccess(
  outcome: { output: unknown; port: string; attempts: number },
  durationMs: number,
): StepResult {
  const result: StepResult = {
    status: 'success',
    attempts: outcome.attempts,
    output: outcome.output,
    durationMs,
  };
  if (outcome.port !== 'out') result.port = outcome.port;
  return result;
}

/** A failure; routed to an `error` edge it carries `{ error: { message, code } }` as its output. */
export function stepFailure(
  error: StepError,
  attempts: number,
  durationMs: number,
  routed: boolean,
): StepResult {
  const info: StepErrorInfo = { code: error.code, message: error.message };
  if (!routed) return { status: 'failed', attempts, error: info, durationMs };
  return {
    status: 'failed',
    attempts,
    output: { error: { message: info.message, code: info.code } },
    port: 'error',
    error: info,
    durationMs,
  };
}

/** When the run ends: running nodes are canceled, the ones that never started skipped. */
export function terminalResults(
  prepared: PreparedWorkflow,
  results: ReadonlyMap<string, StepResult>,
  running: ReadonlyMap<string, { startedMs: number; attempts: number }>,
  now: number,
): [string, StepResult][] {
  const out: [string, StepResult][] = [];
  for (const node of prepared.nodes) {
    if (results.has(node.id)) continue;
    const run = running.get(node.id);
    out.push([
      node.id,
      run
        ? {
            status: 'canceled',
            attempts: run.attempts,
            durationMs: Math.max(0, now - run.startedMs),
          }
        : { status: 'skipped', attempts: 0, durationMs: 0 },
    ]);
  }
  return out;
}

export function runError(
  base: {
    status: RunStatus;
    startedAt: string;
    finishedAt: string;
    steps: Record<string, StepResult>;
  },
  error: (StepErrorInfo & { step?: string }) | undefined,
): RunResult {
  if (!error) return base;
  const ordered =
    error.step === undefined
      ? { code: error.code, message: error.message }
      : { step: error.step, code: error.code, message: error.message };
  return { ...base, error: ordered };
}
