import type { ExpressionContext } from '../expressions/context';
import type { RunResult, RunStatus, StepErrorInfo, StepResult } from '../model/run-result';
import type { EngineEvent } from './events';
import type { StepOutcome, StepRuntime } from './execute-step';
import { executeStep } from './execute-step';
import type { PreparedNode, PreparedWorkflow } from './prepare';
import { createRedactor } from './redaction';
import type { RunOptions } from './run-options';
import { isResumable, runError, stepFailure, stepSuccess, terminalResults } from './step-results';
import { StepError } from './step-error';
import { startTimer } from './timer';

/**
 * Runs a prepared workflow to the end and returns its result (workflow-v1.md
 * "Execution semantics"). Never rejects: every failure is in the result.
 * @example const result = await runWorkflow(prepareWorkflow(workflow), { input: {}, executionId: 'x', host });
 */
export function runWorkflow(prepared: PreparedWorkflow, options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => new Run(prepared, options, resolve).start());
}

/** The state of one run. Nodes start when all their upstream settled and ≥1 incoming edge was taken. */
class Run {
  private readonly clock;
  private readonly startedMs: number;
  private readonly redactor;
  private readonly controller = new AbortController();
  private cancelTimer: () => void = () => undefined;
  /** Removed when the run ends: hosts may pass one long-lived signal (shutdown) to many runs. */
  private readonly onCancel = () =>
    this.finish('canceled', { code: 'CANCELED', message: 'the run was canceled' });
  private readonly context: ExpressionContext;
  private readonly results = new Map<string, StepResult>();
  private readonly running = new Map<string, { startedMs: number; attempts: number }>();
  private readonly waitingEdges = new Map<string, number>();
  private readonly takenEdges = new Map<string, number>();
  private readonly runtime: StepRuntime;
  private finished = false;

  constructor(
    private readonly prepared: PreparedWorkflow,
    private readonly options: RunOptions,
    private readonly resolve: (result: RunResult) => void,
  ) {
    this.clock = options.host.clock;
    this.startedMs = this.clock.now();
    this.redactor = createRedactor(options.secretValues ?? []);
    this.context = {
      trigger: options.input,
      steps: Object.create(null) as Record<string, unknown>,
      env: options.env ?? {},
      execution: {
        id: options.executionId,
        workflowName: prepared.workflow.name,
        startedAt: this.iso(this.startedMs),
      },
    };
    this.runtime = {
      host: options.host,
      signal: this.controller.signal,
      redactor: this.redactor,
      emit: options.onEvent ? (event) => this.emit(event) : undefined,
      attemptStarted: (stepId, attempt) => this.attemptStarted(stepId, attempt),
    };
    for (const node of prepared.nodes) this.waitingEdges.set(node.id, node.incoming.length);
  }

  start(): void {
    if (this.options.onEvent) {
      this.emit({
        type: 'run.started',
        executionId: this.options.executionId,
        at: this.iso(this.startedMs),
      });
    }
    const { signal } = this.options;
    if (signal?.aborted)
      return this.finish('canceled', { code: 'CANCELED', message: 'the run was canceled' });
    signal?.addEventListener('abort', this.onCancel, { once: true });
    const limit = this.prepared.timeoutMs;
    this.cancelTimer = startTimer(this.clock, limit, () =>
      this.finish('failed', {
        code: 'TIMEOUT',
        message: `the run took longer than its limit of ${limit} ms`,
      }),
    );
    this.launch(this.prepared.trigger);
  }

  private launch(node: PreparedNode): void {
    const done = this.options.completedSteps?.[node.id];
    if (done && Object.hasOwn(this.options.completedSteps ?? {}, node.id) && isResumable(done)) {
      return this.settle(node, done, done.status === 'skipped' ? undefined : (done.port ?? 'out'));
    }
    this.running.set(node.id, { startedMs: this.clock.now(), attempts: 0 });
    if (node.isTrigger)
      return this.onDone(node, { ok: true, output: this.options.input, port: 'out', attempts: 1 });
    void executeStep(node, this.contextFor(node), this.runtime).then((outcome) =>
      this.onDone(node, outcome),
    );
  }

  /** Nodes reached through an `error` edge see `error`; the others share the one live context. */
  private contextFor(node: PreparedNode): ExpressionContext {
    const edge = node.incoming.find(
      (e) => e.port === 'error' && this.results.get(e.from)?.port === 'error',
    );
    const info = edge && this.results.get(edge.from)?.error;
    return info ? { ...this.context, error: { ...info, step: edge.from } } : this.context;
  }

  private onDone(node: PreparedNode, outcome: StepOutcome): void {
    const run = this.running.get(node.id);
    if (this.finished || !run) return;
    this.running.delete(node.id);
    const durationMs = Math.max(0, this.clock.now() - run.startedMs);
    if (outcome.ok) return this.settle(node, stepSuccess(outcome, durationMs), outcome.port);
    const routed = node.hasErrorEdge && outcome.error.code !== 'CANCELED';
    const result = stepFailure(outcome.error, outcome.attempts, durationMs, routed);
    if (routed) return this.settle(node, result, 'error');
    this.record(node.id, result);
    this.finish('failed', {
      step: node.id,
      code: outcome.error.code,
      message: outcome.error.message,
    });
  }

  /** Records a settled node, then starts or skips the nodes whose upstream has now all settled. */
  private settle(node: PreparedNode, result: StepResult, port: string | undefined): void {
    this.record(node.id, result);
    if (result.output !== undefined && result.status !== 'skipped')
      this.context.steps[node.id] = result.output;
    for (const edge of node.outgoing) {
      const waiting = (this.waitingEdges.get(edge.to) ?? 0) - 1;
      this.waitingEdges.set(edge.to, waiting);
      if (edge.port === port) this.takenEdges.set(edge.to, (this.takenEdges.get(edge.to) ?? 0) + 1);
      if (waiting > 0 || this.finished) continue;
      const next = this.prepared.byId.get(edge.to) as PreparedNode;
      if ((this.takenEdges.get(edge.to) ?? 0) > 0) this.launch(next);
      else this.settle(next, { status: 'skipped', attempts: 0, durationMs: 0 }, undefined);
    }
    if (this.results.size === this.prepared.nodes.length) this.finish('success');
  }

  private record(stepId: string, result: StepResult): void {
    this.results.set(stepId, result);
    if (this.options.onEvent)
      this.emit({ type: 'step.finished', stepId, result, at: this.iso(this.clock.now()) });
  }

  private finish(status: RunStatus, error?: StepErrorInfo & { step?: string }): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelTimer();
    this.options.signal?.removeEventListener('abort', this.onCancel);
    if (this.running.size > 0) {
      const code = error?.code === 'TIMEOUT' ? 'TIMEOUT' : 'CANCELED';
      this.controller.abort(
        new StepError(code, error?.message ?? 'the run ended', { retryable: false }),
      );
    }
    const now = this.clock.now();
    for (const [stepId, result] of terminalResults(
      this.prepared,
      this.results,
      this.running,
      now,
    )) {
      this.record(stepId, result);
    }
    const steps: Record<string, StepResult> = Object.create(null) as Record<string, StepResult>;
    for (const node of this.prepared.nodes)
      steps[node.id] = this.results.get(node.id) as StepResult;
    const result = this.redactor.redact(
      runError(
        { status, startedAt: this.iso(this.startedMs), finishedAt: this.iso(now), steps },
        error,
      ),
    );
    if (this.options.onEvent) this.emit({ type: 'run.finished', result, at: this.iso(now) });
    this.resolve(result);
  }

  /** Kept so that a step cancelled mid-run reports how many attempts it made. */
  private attemptStarted(stepId: string, attempt: number): void {
    const run = this.running.get(stepId);
    if (run) run.attempts = Math.max(run.attempts, attempt);
  }

  private emit(event: EngineEvent): void {
    const listener = this.options.onEvent;
    if (!listener) return;
    try {
      listener(this.redactor.redact(event));
    } catch {
      // A broken listener must not break the run.
    }
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }
}
