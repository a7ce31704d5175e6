import { randomUUID } from 'node:crypto';
import { prepareWorkflow, runWorkflow } from '../../shared/src/index';
import type { RunResult } from '../../shared/src/index';
import { createLocalStepHost } from '../dry-run/create-local-step-host';
import { ExitCode } from './cli-error';
import type { CliIo } from './cli-io';
import { loadValidWorkflow } from './load-workflow';
import { parseEnvPairs, readRunInput } from './run-inputs';
import { createRunProgress } from './run-progress';
import { formatRunSummary } from './run-summary';

export interface RunCommandOptions {
  file: string;
  input?: string;
  env: string[];
  /** `--secret KEY=VALUE`: variables whose values are redacted from everything printed. */
  secrets: string[];
  json: boolean;
}

/**
 * `maestro run FILE`: a local dry-run with the desktop's step host. Every
 * user mistake is found before the run starts (exit 2); the run's own outcome
 * gives 0 (success) or 1 (failed, cancelled).
 */
export async function runCommand(options: RunCommandOptions, io: CliIo): Promise<ExitCode> {
  const workflow = await loadValidWorkflow(options.file);
  const input = await readRunInput(options.input);
  const secrets = parseEnvPairs(options.secrets, '--secret');
  const env = { ...parseEnvPairs(options.env), ...secrets };
  const prepared = prepareWorkflow(workflow);
  const progress = createRunProgress({ write: io.err, live: io.stderrIsTty, style: io.style.err });
  const stopOnCtrlC = cancelOnInterrupt(io);
  let result: RunResult;
  try {
    result = await runWorkflow(prepared, {
      input,
      env,
      secretValues: Object.values(secrets).filter((value) => value !== ''),
      executionId: randomUUID(),
      host: createLocalStepHost(),
      signal: stopOnCtrlC.signal,
      onEvent: progress.onEvent,
    });
  } finally {
    progress.close();
    stopOnCtrlC.dispose();
  }
  if (options.json) io.out(JSON.stringify(result, null, 2));
  else
    io.out(formatRunSummary(workflow, result, { style: io.style.out, columns: io.stdoutColumns }));
  return result.status === 'success' ? ExitCode.ok : ExitCode.runFailed;
}

/** The first Ctrl-C cancels the run cleanly (the summary still prints); a second one quits at once. */
function cancelOnInterrupt(io: CliIo): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    io.err('canceling the run… (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    },
  };
}
