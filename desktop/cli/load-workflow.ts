import { formatValidationError, validateWorkflow } from '../../shared/src/index';
import type { Workflow } from '../../shared/src/index';
import { CliError } from './cli-error';
import { parseJsonText, readTextFile } from './read-files';

export type LoadedWorkflow = { ok: true; workflow: Workflow } | { ok: false; errors: string[] };

/**
 * Reads and validates a workflow file. Throws CliError for a file that cannot
 * be read or is not JSON; returns the validation errors, one line each
 * (`nodes[2].config.url: required`), for a document that is not a valid workflow.
 */
export async function loadWorkflow(path: string): Promise<LoadedWorkflow> {
  const text = await readTextFile(path, 'workflow');
  const document = parseJsonText(text, `workflow "${path}"`);
  const result = validateWorkflow(document);
  if (result.ok) return { ok: true, workflow: result.workflow };
  return { ok: false, errors: result.errors.map((error) => formatValidationError(error)) };
}

/** Like loadWorkflow, but an invalid workflow is a CliError too (for `maestro run`). */
export async function loadValidWorkflow(path: string): Promise<Workflow> {
  const loaded = await loadWorkflow(path);
  if (loaded.ok) return loaded.workflow;
  throw new CliError([`workflow "${path}" is not valid:`, ...loaded.errors]);
}
