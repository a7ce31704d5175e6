import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { prepareWorkflow, runWorkflow, validateWorkflow } from '../../../shared/src/index';
import type { EngineEvent, RunResult, StepHost } from '../../../shared/src/index';
import type { SettingsService } from '../preferences/settings-service';
import type { DryRunRecord, DryRunRepository, DryRunSummary } from '../storage/dry-run.repository';
import type { WorkflowRepository } from '../storage/workflow.repository';
import { IssuesError } from '../workflows/issues-error';
import { RunChannel } from './run-channel';

export interface StartDryRun {
  workflowId: string;
  document: unknown;
  input: unknown;
  env?: Record<string, string>;
}

interface Deps {
  dryRuns: DryRunRepository;
  workflows: WorkflowRepository;
  settings: Pick<SettingsService, 'get'>;
  host: StepHost;
}

/** Finished channels kept in memory for late subscribers; older ones replay from SQLite. */
const KEPT_FINISHED_CHANNELS = 20;

/**
 * Runs workflows with the shared engine in this (main) process, never in the
 * renderer: the renderer only sees the event stream and the stored result.
 */
export class DryRunService {
  private readonly channels = new Map<string, RunChannel>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: Deps) {
    // A run that was going when the app last stopped can never finish now.
    deps.dryRuns.markInterrupted();
  }

  async start(request: StartDryRun): Promise<{ runId: string }> {
    if (!this.deps.workflows.find(request.workflowId)) {
      throw new TRPCError({
        code: 'NOT_FOUND',
        message: `No workflow with id ${request.workflowId}.`,
      });
    }
    const verdict = validateWorkflow(request.document);
    if (!verdict.ok) {
      const issues = verdict.errors.map(({ path, message }) => ({ path, message }));
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `The workflow is not valid yet (${issues.length} problem${issues.length === 1 ? '' : 's'}); fix it before a dry-run.`,
        cause: new IssuesError('invalid workflow', issues),
      });
    }
    const runId = randomUUID();
    const settings = await this.deps.settings.get();
    const env = { ...settings.env, ...request.env };
    const secretValues = settings.secretEnvKeys
      .map((key) => env[key])
      .filter((value): value is string => !!value);
    const channel = new RunChannel();
    const controller = new AbortController();
    this.channels.set(runId, channel);
    this.controllers.set(runId, controller);
    this.deps.dryRuns.start(runId, request.workflowId, request.input, new Date().toISOString());

    const stepInputs: Record<string, unknown> = {};
    const forEachSteps = new Set(
      verdict.workflow.nodes.filter((node) => node.forEach).map((node) => node.id),
    );
    const startedAt = performance.now();
    const onEvent = (event: EngineEvent): void => {
      if (event.type === 'step.started')
        recordStepInput(stepInputs, event, forEachSteps.has(event.stepId));
      // The stored row is complete before `run.finished` reaches any subscriber,
      // so `dryRun.get` right after the stream ends finds the result.
      try {
        if (event.type === 'run.finished') this.finish(runId, event.result, stepInputs, startedAt);
      } finally {
        channel.push(event);
      }
    };
    const run = runWorkflow(prepareWorkflow(verdict.workflow), {
      input: request.input,
      env,
      executionId: runId,
      host: this.deps.host,
      signal: controller.signal,
      onEvent,
      secretValues,
    })
      .then(
        (result) => this.ensureFinished(channel, onEvent, result),
        (error: unknown) => this.ensureFinished(channel, onEvent, crashResult(error)),
      )
      .finally(() => {
        this.controllers.delete(runId);
        this.running.delete(run);
        this.forgetOldChannels();
      });
    this.running.add(run);
    return { runId };
  }

  /** The run's events: a replay of those already emitted, then live ones, ending after `run.finished`. */
  async *events(runId: string, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
    const channel = this.channels.get(runId);
    if (channel) {
      yield* channel.subscribe(signal);
      return;
    }
    const stored = this.deps.dryRuns.find(runId);
    if (!stored)
      throw new TRPCError({ code: 'NOT_FOUND', message: `No dry-run with id ${runId}.` });
    if (stored.result)
      yield {
        type: 'run.finished',
        result: stored.result,
        at: stored.result.finishedAt ?? stored.result.startedAt,
      };
  }

  cancel(runId: string): { canceled: boolean } {
    const controller = this.controllers.get(runId);
    if (!controller) {
      if (this.deps.dryRuns.find(runId)) return { canceled: false };
      throw new TRPCError({ code: 'NOT_FOUND', message: `No dry-run with id ${runId}.` });
    }
    controller.abort(new Error('canceled by the user'));
    return { canceled: true };
  }

  history(workflowId: string): DryRunSummary[] {
    return this.deps.dryRuns.history(workflowId);
  }

  get(runId: string): DryRunRecord {
    const record = this.deps.dryRuns.find(runId);
    if (!record)
      throw new TRPCError({ code: 'NOT_FOUND', message: `No dry-run with id ${runId}.` });
    return record;
  }

  /** Cancels every run and waits for them to settle (app quit, tests). */
  async close(): Promise<void> {
    for (const controller of this.controllers.values())
      controller.abort(new Error('the app is closing'));
    await Promise.allSettled([...this.running]);
  }

  private finish(
    runId: string,
    result: RunResult,
    stepInputs: Record<string, unknown>,
    startedAt: number,
  ): void {
    this.deps.dryRuns.finish(runId, result, stepInputs, performance.now() - startedAt);
  }

  /** The engine always ends with `run.finished`; a crash of the engine itself must end the stream too. */
  private ensureFinished(
    channel: RunChannel,
    onEvent: (event: EngineEvent) => void,
    result: RunResult,
  ): void {
    if (!channel.done)
      onEvent({ type: 'run.finished', result, at: result.finishedAt ?? new Date().toISOString() });
  }

  private forgetOldChannels(): void {
    const finished = [...this.channels].filter(([, channel]) => channel.done);
    for (const [runId] of finished.slice(
      0,
      Math.max(0, finished.length - KEPT_FINISHED_CHANNELS),
    )) {
      this.channels.delete(runId);
    }
  }
}

/**
 * A step's input is its evaluated config. A forEach step starts once per
 * element: its input is the list of the element inputs, in start order; a
 * retry replaces the input of the attempt it repeats.
 */
function recordStepInput(
  stepInputs: Record<string, unknown>,
  event: Extract<EngineEvent, { type: 'step.started' }>,
  forEach: boolean,
): void {
  if (!forEach) {
    stepInputs[event.stepId] = event.input;
    return;
  }
  const inputs = (stepInputs[event.stepId] ??= []) as unknown[];
  if (event.attempt === 1) inputs.push(event.input);
  else inputs[inputs.length - 1] = event.input;
}

function crashResult(error: unknown): RunResult {
  const now = new Date().toISOString();
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 'failed',
    startedAt: now,
    finishedAt: now,
    steps: {},
    error: { code: 'INTERNAL', message: `internal error: ${message}` },
  };
}
