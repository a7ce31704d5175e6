import type { ExpressionContext } from '../expressions/context';
import type { NodeOutcome, NodeRunContext } from '../nodes/node-definition';
import { issuesToErrors } from '../validation/zod-issues';
import { withAttemptTimeout } from './attempt-timeout';
import type { EngineEvent } from './events';
import { mapInOrder, toElements } from './for-each';
import type { StepHost } from './host';
import type { PreparedNode } from './prepare';
import type { Redactor } from './redaction';
import { runWithRetry } from './retry';
import { StepError, toStepError } from './step-error';

/** What a step needs from the run around it. */
export interface StepRuntime {
  host: StepHost;
  /** The run's signal: aborted on cancellation, run timeout or a fatal failure elsewhere. */
  signal: AbortSignal;
  redactor: Redactor;
  /** Emits an event; the emitter redacts it. */
  emit(event: EngineEvent): void;
}

export type StepOutcome =
  | { ok: true; output: unknown; port: string; attempts: number }
  | { ok: false; error: StepError; attempts: number };

/** Runs one node: once, or once per forEach element with bounded concurrency. */
export async function executeStep(
  step: PreparedNode,
  context: ExpressionContext,
  runtime: StepRuntime,
): Promise<StepOutcome> {
  if (!step.forEach) return runElement(step, context, runtime, runtime.signal);
  let elements: unknown[];
  try {
    elements = toElements(await step.forEach.evaluate(context));
  } catch (error) {
    return { ok: false, error: toStepError(error), attempts: 1 };
  }
  let attempts = 0;
  const result = await mapInOrder(
    elements,
    step.concurrency,
    runtime.signal,
    async (item, index, signal) => {
      const outcome = await runElement(step, { ...context, item, index }, runtime, signal);
      attempts = Math.max(attempts, outcome.attempts);
      return outcome.ok ? { ok: true, value: outcome.output } : outcome;
    },
  );
  if (!result.ok) {
    const error = new StepError(
      result.error.code,
      `element ${result.index}: ${result.error.message}`,
      {
        retryable: false,
      },
    );
    return { ok: false, error, attempts };
  }
  return { ok: true, output: result.values, port: step.definition.ports[0] ?? 'out', attempts };
}

/** Evaluates the config once (expression and validation errors are final), then attempts with retries. */
async function runElement(
  step: PreparedNode,
  context: ExpressionContext,
  runtime: StepRuntime,
  signal: AbortSignal,
): Promise<StepOutcome> {
  let evaluated: unknown;
  let config: unknown;
  try {
    evaluated = await step.config.evaluate(context);
    config = parseConfig(step, evaluated);
    if (step.definition.resolveSecrets)
      runtime.redactor.add(await step.definition.resolveSecrets(config, runtime.host, signal));
  } catch (error) {
    return { ok: false, error: toStepError(error), attempts: 1 };
  }
  const { host } = runtime;
  const result = await runWithRetry(
    step.retry,
    {
      clock: host.clock,
      signal,
      onRetry: (attempt, delayMs, error) =>
        runtime.emit({
          type: 'step.retrying',
          stepId: step.id,
          attempt,
          delayMs,
          error: { code: error.code, message: error.message },
          at: new Date(host.clock.now()).toISOString(),
        }),
    },
    (attempt) => {
      runtime.emit({
        type: 'step.started',
        stepId: step.id,
        attempt,
        at: isoNow(host),
        input: evaluated,
      });
      const run = (attemptSignal: AbortSignal) =>
        step.definition.run(nodeContext(step, config, context, runtime, attemptSignal));
      return step.definition.usesIo
        ? withAttemptTimeout(host.clock, step.timeoutMs, signal, run)
        : run(signal);
    },
  );
  if (!result.ok) return { ok: false, error: toStepError(result.error), attempts: result.attempts };
  const outcome: NodeOutcome = result.value;
  return {
    ok: true,
    output: outcome.output,
    port: outcome.port ?? step.definition.ports[0] ?? 'out',
    attempts: result.attempts,
  };
}

/** The evaluated config against the strict schema: a bad computed value is the user's (VALIDATION, final). */
function parseConfig(step: PreparedNode, evaluated: unknown): unknown {
  const parsed = step.definition.config.safeParse(evaluated);
  if (parsed.success) return parsed.data;
  const errors = issuesToErrors(parsed.error.issues, ['config'], evaluated);
  const message = errors.map((error) => `${error.path}: ${error.message}`).join('; ');
  throw new StepError('VALIDATION', message, { retryable: false });
}

function nodeContext(
  step: PreparedNode,
  config: unknown,
  context: ExpressionContext,
  runtime: StepRuntime,
  signal: AbortSignal,
): NodeRunContext<unknown> {
  return {
    stepId: step.id,
    config,
    context,
    host: runtime.host,
    signal,
    addSecrets: (values) => runtime.redactor.add(values),
    log: (level, message) =>
      runtime.emit({ type: 'log', level, message, stepId: step.id, at: isoNow(runtime.host) }),
  };
}

function isoNow(host: StepHost): string {
  return new Date(host.clock.now()).toISOString();
}
