import { isPlainObject } from '../expressions/config-tree';
import { MAX_STEPS } from '../model/workflow';
import { getNodeDefinition, isTriggerType } from '../nodes/registry';
import type { ValidationError } from './zod-issues';

interface GraphNode {
  id: string;
  type: string;
  index: number;
}

/** Ids, the one trigger, the step limit, edges (ends, ports, cycles) and reachability. */
export function checkGraph(rawNodes: unknown[], rawEdges: unknown[]): ValidationError[] {
  const errors: ValidationError[] = [];
  const byId = new Map<string, GraphNode>();
  rawNodes.forEach((node, index) => {
    if (!isPlainObject(node) || typeof node.id !== 'string') return;
    const type = typeof node.type === 'string' ? node.type : '';
    if (byId.has(node.id))
      errors.push({ path: `nodes[${index}].id`, message: `duplicate node id "${node.id}"` });
    else byId.set(node.id, { id: node.id, type, index });
  });
  const triggers = [...byId.values()].filter((node) => isTriggerType(node.type));
  if (triggers.length !== 1) {
    const names = triggers.map((node) => `"${node.id}"`).join(', ');
    errors.push({
      path: 'nodes',
      message: `exactly one trigger node is required, found ${triggers.length}${names ? ` (${names})` : ''}`,
    });
  }
  const steps = rawNodes.length - triggers.length;
  if (steps > MAX_STEPS) {
    errors.push({
      path: 'nodes',
      message: `at most ${MAX_STEPS} nodes besides the trigger are allowed, found ${steps}`,
    });
  }
  const adjacency = checkEdges(rawEdges, byId, errors);
  const trigger = triggers.length === 1 ? triggers[0] : undefined;
  if (trigger) errors.push(...unreachable(trigger, byId, adjacency));
  return errors;
}

/** Checks each edge; the valid ones that create no cycle make up the returned graph. */
function checkEdges(rawEdges: unknown[], byId: Map<string, GraphNode>, errors: ValidationError[]) {
  const adjacency = new Map<string, string[]>();
  const seen = new Set<string>();
  rawEdges.forEach((edge, k) => {
    if (!isPlainObject(edge) || typeof edge.from !== 'string' || typeof edge.to !== 'string')
      return;
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from)
      errors.push({ path: `edges[${k}].from`, message: `edge from unknown node "${edge.from}"` });
    if (!to) errors.push({ path: `edges[${k}].to`, message: `edge to unknown node "${edge.to}"` });
    if (!from || !to) return;
    const portError = checkPort(from, edge.port);
    if (portError) {
      errors.push({
        path: edge.port === undefined ? `edges[${k}]` : `edges[${k}].port`,
        message: portError,
      });
      return;
    }
    if (isTriggerType(to.type)) {
      errors.push({
        path: `edges[${k}].to`,
        message: `a trigger cannot have incoming edges ("${to.id}")`,
      });
      return;
    }
    const key = JSON.stringify([from.id, edge.port ?? 'out', to.id]);
    if (seen.has(key)) {
      errors.push({ path: `edges[${k}]`, message: `duplicate edge ${from.id} → ${to.id}` });
      return;
    }
    seen.add(key);
    const back = pathBetween(adjacency, to.id, from.id);
    if (back) {
      errors.push({
        path: `edges[${k}]`,
        message: `creates a cycle ${[...back, to.id].join(' → ')}`,
      });
      return;
    }
    adjacency.set(from.id, [...(adjacency.get(from.id) ?? []), to.id]);
  });
  return adjacency;
}

function checkPort(from: GraphNode, port: unknown): string | undefined {
  const definition = getNodeDefinition(from.type);
  if (!definition) return undefined;
  if (definition.ports.length === 0)
    return `${from.type} has no ports ("${from.id}" cannot have outgoing edges)`;
  if (typeof port !== 'string' && port !== undefined) return undefined;
  const name = port ?? 'out';
  if (definition.ports.includes(name)) return undefined;
  const list = `(${definition.ports.join(', ')})`;
  return port === undefined
    ? `a port is required: ${from.type} has no "out" port ${list}`
    : `port "${name}" is not a port of ${from.type} ${list}`;
}

/** A path start → … → goal in the graph so far, or undefined. */
function pathBetween(
  adjacency: Map<string, string[]>,
  start: string,
  goal: string,
): string[] | undefined {
  const parent = new Map<string, string | null>([[start, null]]);
  const stack = [start];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === goal) {
      const path: string[] = [];
      for (let at: string | null = current; at !== null; at = parent.get(at) ?? null)
        path.unshift(at);
      return path;
    }
    for (const next of adjacency.get(current) ?? []) {
      if (!parent.has(next)) {
        parent.set(next, current);
        stack.push(next);
      }
    }
  }
  return undefined;
}

function unreachable(
  trigger: GraphNode,
  byId: Map<string, GraphNode>,
  adjacency: Map<string, string[]>,
) {
  const reached = new Set([trigger.id]);
  const queue = [trigger.id];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const next of adjacency.get(current) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  return [...byId.values()]
    .filter((node) => !reached.has(node.id) && !isTriggerType(node.type))
    .map((node) => ({
      path: `nodes[${node.index}]`,
      message: `node "${node.id}" is not reachable from the trigger`,
    }));
}
