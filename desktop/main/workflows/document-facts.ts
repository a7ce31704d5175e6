import { validateWorkflow, WORKFLOW_FORMAT } from '../../../shared/src/index';
import type { Workflow } from '../../../shared/src/index';
import type { DocumentToStore } from '../storage/workflow.repository';
import type { ValidationIssue } from './issues-error';

export const UNTITLED = 'Untitled workflow';

/** A new workflow: a manual trigger and nothing else. */
export function blankDocument(name = UNTITLED): Workflow {
  return {
    format: WORKFLOW_FORMAT,
    name,
    nodes: [{ id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 } }],
    edges: [],
  };
}

/** The shared validator's verdict on a document, as a plain issue list (empty when valid). */
export function validationIssues(document: unknown): ValidationIssue[] {
  const verdict = validateWorkflow(document);
  return verdict.ok ? [] : verdict.errors.map(({ path, message }) => ({ path, message }));
}

/**
 * What the list shows, computed once per save. A draft may be invalid in any
 * way, so every fact is read defensively.
 */
export function describeDocument(
  document: unknown,
): DocumentToStore & { issues: ValidationIssue[] } {
  const issues = validationIssues(document);
  const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  const nodes = Array.isArray(doc.nodes) ? (doc.nodes as unknown[]) : [];
  const trigger = nodes.find(
    (node): node is { type: string } =>
      typeof node === 'object' &&
      node !== null &&
      String((node as { type?: unknown }).type).startsWith('trigger.'),
  );
  return {
    document,
    name: typeof doc.name === 'string' && doc.name.trim() !== '' ? doc.name : UNTITLED,
    ...(typeof doc.description === 'string' && doc.description !== ''
      ? { description: doc.description }
      : {}),
    valid: issues.length === 0,
    ...(trigger ? { triggerType: trigger.type } : {}),
    nodeCount: nodes.length,
    issues,
  };
}

/** `New signup to CRM` → `new-signup-to-crm.maestro.json`. */
export function exportFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'workflow'}.maestro.json`;
}
