import { prepareWorkflow } from '../engine/prepare';
import type { PreparedWorkflow } from '../engine/prepare';
import { WORKFLOW_FORMAT } from '../model/workflow';
import { formatValidationError, validateWorkflow } from '../validation/validate-workflow';

/** A node as tests write it: `config` and the node-level fields are open. */
export type NodeSpec = { id: string; type: string } & Record<string, unknown>;
export type EdgeSpec = { from: string; to: string; port?: string };

/**
 * A workflow document from nodes and edges (a manual trigger `start` is
 * added unless one is given), validated and prepared; throws the
 * validation errors as one readable message.
 * @example const prepared = buildWorkflow([{ id: 'a', type: 'transform', config: { value: 1 } }], [{ from: 'start', to: 'a' }]);
 */
export function buildWorkflow(
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  settings?: { timeoutMs?: number },
): PreparedWorkflow {
  const hasTrigger = nodes.some((node) => node.type.startsWith('trigger.'));
  const doc = {
    format: WORKFLOW_FORMAT,
    name: 'test workflow',
    ...(settings ? { settings } : {}),
    nodes: hasTrigger ? nodes : [{ id: 'start', type: 'trigger.manual' }, ...nodes],
    edges,
  };
  const validated = validateWorkflow(doc);
  if (!validated.ok) throw new Error(validated.errors.map(formatValidationError).join('\n'));
  return prepareWorkflow(validated.workflow);
}
