import type { ExpressionContext } from '../expressions/context';
import type { NodeOutcome, NodeRunContext } from '../nodes/node-definition';
import { issuesToErrors } from '../validation/zod-issues';
import { withAttemptTimeout } from './attempt-timeout';
import type { EngineEvent } from './events';
import { mapInOrder, toElements } from './for-each';
import type { StepHost } from './host';
import type { PreparedNode } from './prepare';
import type { Redactor } from './redaction';
import type { Attempts } from './retry';
import { runWithRetry } from './retry';
import { StepError, toStepError } from './step-error';

/** What a step needs from the run around it. */
export interface StepRuntime {
  host: StepHost;
  /** The run's signal: aborted on cancellation, run timeout or a fatal failure elsewhere. */
  signal: AbortSignal;
  redactor: Redactor;
  /** Emits an event (the emitter redacts it); undefined when nobody listens, so no event is built. */
  emit: ((event: EngineEvent) => void) | undefined;
  attemptStarted(stepId: string, attempt: number): void;
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
  if (result.ok) return { ok: true, output: result.values, port: successPort(step), attempts };
  const { code, message } = result.error;
  return {
    ok: false,
    error: new StepError(code, `element ${result.index}: ${message}`, { retryable: false }),
    attempts,
  };
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
    const { resolveSecrets } = step.definition;
    if (resolveSecrets) runtime.redactor.add(await resolveSecrets(config, runtime.host, signal));
  } catch (error) {
    return { ok: false, error: toStepError(error), attempts: 1 };
  }
  const attempts = new ElementAttempts(step, config, evaluated, context, runtime, signal);
  const result = await runWithRetry(step.retry, runtime.host.clock, signal, attempts);
  if (!result.ok) return result;
  const outcome: NodeOutcome = result.value;
  return {
    ok: true,
    output: outcome.output,
    port: outcome.port ?? successPort(step),
    attempts: result.attempts,
  };
}

function successPort(step: PreparedNode): string {
  return step.definition.ports[0] ?? 'out';
}

/** The evaluated config against the strict schema: a bad computed value is the user's (VALIDATION, final). */
function parseConfig(step: PreparedNode, evaluated: unknown): unknown {
  const parsed = step.definition.config.safeParse(evaluated);
  if (parsed.success) return parsed.data;
  const errors = issuesToErrors(parsed.error.issues, ['config'], evaluated);
  const message = errors.map((error) => `${error.path}: ${error.message}`).join('; ');
  throw new StepError('VALIDATION', message, { retryable: false });
}

/**
 * The attempts of one element, and the context its node runs with. A class
 * rather than closures: a transform step is ~10 µs of work and closures per
 * step showed in profiles.
 */
class ElementAttempts implements Attempts<NodeOutcome>, NodeRunContext<unknown> {
  readonly stepId: string;
  readonly host: StepHost;

  constructor(
    private readonly step: PreparedNode,
    readonly config: unknown,
    private readonly evaluated: unknown,
    readonly context: ExpressionContext,
    private readonly runtime: StepRuntime,
    readonly signal: AbortSignal,
  ) {
    this.stepId = step.id;
    this.host = runtime.host;
  }

  run(attempt: number): Promise<NodeOutcome> {
    const { step, runtime } = this;
    runtime.attemptStarted(step.id, attempt);
    runtime.emit?.({
      type: 'step.started',
      stepId: step.id,
      attempt,
      at: this.now(),
      input: this.evaluated,
    });
    if (!step.definition.usesIo) return step.definition.run(this);
    // Each attempt gets its own signal; a node that outlives its attempt keeps the aborted one.
    return withAttemptTimeout(this.host.clock, step.timeoutMs, this.signal, (signal) =>
      step.definition.run(Object.assign(Object.create(this) as this, { signal })),
    );
  }

  onRetry(attempt: number, delayMs: number, error: StepError): void {
    const error_ = { code: error.code, message: error.message };
    this.runtime.emit?.({
      type: 'step.retrying',
      stepId: this.stepId,
      attempt,
      delayMs,
      error: error_,
      at: this.now(),
    });
  }

  // Arrow properties: node modules destructure their context (`({ log }) => …`).
  readonly addSecrets = (values: readonly string[]): void => this.runtime.redactor.add(values);

  readonly log = (level: 'debug' | 'info' | 'warn' | 'error', message: string): void => {
    this.runtime.emit?.({ type: 'log', level, message, stepId: this.stepId, at: this.now() });
  };

  private now(): string {
    return new Date(this.host.clock.now()).toISOString();
  }
}
