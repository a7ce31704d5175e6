import type { MikroORM } from '@mikro-orm/postgresql';
import type { EngineEvent } from '../../../shared/src/engine/events';
import type { HttpClient, StepHost } from '../../../shared/src/engine/host';
import type { PreparedWorkflow } from '../../../shared/src/engine/prepare';
import { runWorkflow } from '../../../shared/src/engine/run-workflow';
import { StepError } from '../../../shared/src/engine/step-error';
import type { RunResult, StepResult } from '../../../shared/src/model/run-result';
import type { SecretBox } from '../crypto/secret-box';
import { withSystemContext } from '../db/org-context';
import type { RunEnv, RunEnvSource } from '../modules/variables/run-env';
import type { RunnerMetrics } from '../observability/metrics';
import type { ClaimedExecution } from './claim';
import type { Log } from './logger';
import type { FinishOutcome, ResultWriter } from './result-writer';
import { createSecretResolver } from './secret-resolver';
import type { WorkerHostFactory } from './worker-step-host';
import type { WorkflowCache } from './workflow-cache';

export interface ExecutionRunnerDeps {
  orm: MikroORM;
  workerId: string;
  writer: ResultWriter;
  workflows: WorkflowCache;
  hosts: WorkerHostFactory;
  secretBox: SecretBox;
  /** The organization's variables: `env` of its runs, secret ones redacted. */
  variables: RunEnvSource;
  log: Log;
  metrics?: RunnerMetrics;
  /** Called after a failed run was stored, with the workflow's new failure streak. */
  onFailureStreak?(execution: ClaimedExecution, outcome: FinishOutcome): Promise<void>;
}

/**
 * Runs one claimed execution to its stored end: steps and logs are written as
 * the engine reports them, the final status only after they are stored.
 * `signal` is the cancel switch (a cancel request or the run's own end).
 */
export async function runClaimedExecution(
  deps: ExecutionRunnerDeps,
  execution: ClaimedExecution,
  signal: AbortSignal,
): Promise<FinishOutcome | undefined> {
  const pendingWrites: Promise<unknown>[] = [];
  let result: RunResult;
  if (execution.cancelRequested) {
    result = canceledBeforeStart();
  } else {
    let prepared: PreparedWorkflow | undefined;
    let runEnv: RunEnv | undefined;
    try {
      [prepared, runEnv] = await Promise.all([
        deps.workflows.get(execution.versionId),
        deps.variables.forOrganization(execution.organizationId),
      ]);
    } catch (error) {
      deps.log.error(
        { executionId: execution.id, err: error },
        'cannot load the workflow version or the variables',
      );
      result = internalFailure(error);
    }
    if (prepared && runEnv) {
      const completedSteps =
        execution.attempt > 1 ? await loadCompletedSteps(deps.orm, execution.id) : undefined;
      if (completedSteps) {
        deps.log.info(
          {
            executionId: execution.id,
            attempt: execution.attempt,
            resumed: Object.keys(completedSteps),
          },
          'resuming',
        );
      }
      // OAuth 2.0 token refreshes go through the run's own SSRF-guarded client.
      const tokenHttp: HttpClient = { request: (req) => host.http.request(req) };
      const host: StepHost = deps.hosts.forRun({
        allowPrivateNetwork: execution.allowPrivateNetwork,
        secrets: createSecretResolver(
          deps.orm,
          deps.secretBox,
          execution.organizationId,
          tokenHttp,
        ),
      });
      result = await runWorkflow(prepared, {
        input: execution.input,
        env: runEnv.env,
        secretValues: runEnv.secrets,
        executionId: execution.id,
        host,
        signal,
        completedSteps,
        onEvent: (event) => {
          // The engine reports resumed steps as finished again: their stored rows are already right.
          if (event.type === 'step.finished' && completedSteps?.[event.stepId]) return;
          recordEvent(deps, execution, prepared, event, pendingWrites);
        },
      });
    } else {
      result ??= internalFailure(new Error('workflow version unavailable'));
    }
  }
  // The writer stores in order: the step writes handed in before land in the same transaction
  // as the final status or an earlier one, and it refuses the status if one of them failed
  // (that rejection then gives the run back) — a finished execution never lacks its steps.
  const [outcome] = await Promise.all([
    deps.writer.write({
      kind: 'finish',
      organizationId: execution.organizationId,
      executionId: execution.id,
      workflowId: execution.workflowId,
      claimedBy: deps.workerId,
      attempt: execution.attempt,
      result,
    }),
    ...pendingWrites,
  ]);
  if (!outcome?.written) {
    deps.log.warn(
      { executionId: execution.id, attempt: execution.attempt },
      'lease lost before the final status: another attempt owns it',
    );
    return outcome;
  }
  deps.metrics?.executionsTotal.inc({ status: result.status, trigger: execution.triggerKind });
  if (result.status === 'failed' && deps.onFailureStreak)
    await deps.onFailureStreak(execution, outcome);
  return outcome;
}

function recordEvent(
  deps: ExecutionRunnerDeps,
  execution: ClaimedExecution,
  prepared: PreparedWorkflow,
  event: EngineEvent,
  pendingWrites: Promise<unknown>[],
) {
  const base = { organizationId: execution.organizationId, executionId: execution.id };
  if (event.type === 'step.finished') {
    pendingWrites.push(
      deps.writer.write({
        kind: 'step',
        ...base,
        stepId: event.stepId,
        result: event.result,
        finishedAt: event.at,
      }),
    );
    const type = prepared.byId.get(event.stepId)?.node.type ?? 'unknown';
    deps.metrics?.stepDuration.observe(
      { type, status: event.result.status },
      event.result.durationMs / 1000,
    );
  } else if (event.type === 'log') {
    pendingWrites.push(
      deps.writer.write({
        kind: 'log',
        ...base,
        stepId: event.stepId,
        level: event.level,
        message: event.message,
        at: event.at,
      }),
    );
  } else if (event.type === 'step.retrying') {
    const message = `attempt ${event.attempt - 1} failed (${event.error.code}: ${event.error.message}); attempt ${event.attempt} in ${event.delayMs} ms`;
    pendingWrites.push(
      deps.writer.write({
        kind: 'log',
        ...base,
        stepId: event.stepId,
        level: 'warn',
        message,
        at: event.at,
      }),
    );
  }
}

/** Steps an earlier attempt settled for good: the engine does not run them again. */
async function loadCompletedSteps(
  orm: MikroORM,
  executionId: string,
): Promise<Record<string, StepResult> | undefined> {
  const rows = await withSystemContext(orm, (em) =>
    em.execute<
      {
        step_id: string;
        status: StepResult['status'];
        attempts: number;
        output: unknown;
        port: string | null;
        error: StepResult['error'] | null;
        duration_ms: number | null;
      }[]
    >(
      `select step_id, status, attempts, output, port, error, duration_ms from execution_steps
        where execution_id = ? and (status in ('success', 'skipped') or (status = 'failed' and port = 'error'))`,
      [executionId],
    ),
  );
  if (rows.length === 0) return undefined;
  const steps: Record<string, StepResult> = {};
  for (const row of rows) {
    steps[row.step_id] = {
      status: row.status,
      attempts: row.attempts,
      durationMs: row.duration_ms ?? 0,
      ...(row.output !== null ? { output: row.output } : {}),
      ...(row.port !== null ? { port: row.port } : {}),
      ...(row.error ? { error: row.error } : {}),
    };
  }
  return steps;
}

function canceledBeforeStart(): RunResult {
  const now = new Date().toISOString();
  return {
    status: 'canceled',
    startedAt: now,
    finishedAt: now,
    steps: {},
    error: { code: 'CANCELED', message: 'canceled before it started' },
  };
}

function internalFailure(error: unknown): RunResult {
  const now = new Date().toISOString();
  const message =
    error instanceof StepError ? error.message : 'internal error: the workflow could not be loaded';
  return {
    status: 'failed',
    startedAt: now,
    finishedAt: now,
    steps: {},
    error: { code: 'INTERNAL', message },
  };
}
