import { isPlainObject } from '../expressions/config-tree';
import { Workflow } from '../model/workflow';
import { checkGraph } from './graph-checks';
import { checkNode } from './node-checks';
import type { ValidationError } from './zod-issues';
import { issuesToErrors } from './zod-issues';

export type { ValidationError } from './zod-issues';

export type ValidationResult =
  { ok: true; workflow: Workflow } | { ok: false; errors: ValidationError[] };

/**
 * Checks a workflow document against workflow-v1.md and reports every error
 * at once, each with its JSON path. Never throws, whatever the input.
 * @example validateWorkflow(JSON.parse(text)) // { ok: false, errors: [{ path: 'nodes[2].config.url', message: 'required' }] }
 */
export function validateWorkflow(doc: unknown): ValidationResult {
  try {
    return validate(doc);
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: '', message: `the validator failed unexpectedly: ${String(error)}` }],
    };
  }
}

function validate(doc: unknown): ValidationResult {
  if (!isPlainObject(doc))
    return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] };
  const parsed = Workflow.safeParse(doc);
  const errors: ValidationError[] = parsed.success
    ? []
    : issuesToErrors(parsed.error.issues, [], doc);
  const nodes = Array.isArray(doc.nodes) ? doc.nodes : [];
  const edges = Array.isArray(doc.edges) ? doc.edges : [];
  nodes.forEach((node, index) => {
    if (isPlainObject(node)) errors.push(...checkNode(node, index));
  });
  errors.push(...checkGraph(nodes, edges));
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: dedupe(errors) };
  return { ok: true, workflow: parsed.data };
}

/** zod and the node checks may both see the same problem (a config that is not an object). */
function dedupe(errors: ValidationError[]): ValidationError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * One error as `maestro validate` prints it and the desktop inspector shows it.
 * @example formatValidationError({ path: 'nodes[2].config.url', message: 'required' }) // 'nodes[2].config.url: required'
 */
export function formatValidationError(error: ValidationError): string {
  return `${error.path === '' ? '(document)' : error.path}: ${error.message}`;
}
