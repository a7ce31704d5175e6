import { ExitCode } from './cli-error';
import type { CliIo } from './cli-io';
import { loadWorkflow } from './load-workflow';

/**
 * `maestro validate FILE`. The errors are this command's report, so they go to
 * stdout, one `path: message` line each, and the exit code says valid (0) or not (2).
 */
export async function validateCommand(file: string, io: CliIo): Promise<ExitCode> {
  const loaded = await loadWorkflow(file);
  if (!loaded.ok) {
    for (const line of loaded.errors) io.out(line);
    return ExitCode.userError;
  }
  const steps = loaded.workflow.nodes.length - 1;
  io.out(
    `${io.style.out.green('✔')} ${file}: valid workflow "${loaded.workflow.name}" (${steps} step${steps === 1 ? '' : 's'})`,
  );
  return ExitCode.ok;
}
