import { compileConfigTree } from '../expressions/config-tree';
import type { ConfigEvaluator } from '../expressions/config-tree';
import { compileTemplate } from '../expressions/template';
import type { CompiledTemplate } from '../expressions/template';
import type { NodeDefinition } from '../nodes/node-definition';
import { getNodeDefinition, isTriggerType } from '../nodes/registry';
import { RetryPolicy, DEFAULT_STEP_TIMEOUT_MS, MAX_RUN_TIMEOUT_MS } from '../model/workflow';
import type { Workflow, WorkflowNode } from '../model/workflow';

export interface PreparedEdge {
  from: string;
  to: string;
  port: string;
}

/** One node with everything the scheduler needs precomputed. */
export interface PreparedNode {
  id: string;
  node: WorkflowNode;
  definition: NodeDefinition;
  isTrigger: boolean;
  config: ConfigEvaluator;
  forEach?: CompiledTemplate;
  retry: RetryPolicy;
  timeoutMs: number;
  concurrency: number;
  incoming: PreparedEdge[];
  outgoing: PreparedEdge[];
  hasErrorEdge: boolean;
}

/** A workflow ready to run many times: graph indexes built and templates compiled once. */
export interface PreparedWorkflow {
  workflow: Workflow;
  nodes: PreparedNode[];
  byId: Map<string, PreparedNode>;
  trigger: PreparedNode;
  /** Templates hosts evaluate around the engine, compiled once here. */
  triggerTemplates: TriggerTemplates;
  timeoutMs: number;
}

/**
 * `dedupeKey` is evaluated over the trigger output (`{{ headers."x-delivery-id" }}`);
 * poll `items` over the polled response, `key` over `{ item }`.
 */
export interface TriggerTemplates {
  dedupeKey?: CompiledTemplate;
  pollItems?: CompiledTemplate;
  pollKey?: CompiledTemplate;
}

const DEFAULT_RETRY = RetryPolicy.parse({});

/**
 * Compiles a VALIDATED workflow (validateWorkflow first): throws a plain
 * Error on what validation would have refused.
 * @example const prepared = prepareWorkflow(validateWorkflow(doc).workflow)
 */
export function prepareWorkflow(workflow: Workflow): PreparedWorkflow {
  const nodes = workflow.nodes.map(prepareNode);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  for (const edge of workflow.edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from || !to)
      throw new Error(`edge ${edge.from} → ${edge.to} names an unknown node; validate first`);
    const prepared = { from: edge.from, to: edge.to, port: edge.port ?? 'out' };
    from.outgoing.push(prepared);
    to.incoming.push(prepared);
    if (prepared.port === 'error') from.hasErrorEdge = true;
  }
  const triggers = nodes.filter((node) => node.isTrigger);
  const trigger = triggers[0];
  if (triggers.length !== 1 || !trigger)
    throw new Error('a workflow needs exactly one trigger; validate first');
  return {
    workflow,
    nodes,
    byId,
    trigger,
    triggerTemplates: triggerTemplates(trigger.node),
    timeoutMs: workflow.settings?.timeoutMs ?? MAX_RUN_TIMEOUT_MS,
  };
}

function triggerTemplates(node: WorkflowNode): TriggerTemplates {
  const templates: TriggerTemplates = {};
  if (node.dedupeKey !== undefined) templates.dedupeKey = compileTemplate(node.dedupeKey);
  const { items, key } = node.config ?? {};
  if (node.type === 'trigger.poll' && typeof items === 'string')
    templates.pollItems = compileTemplate(items);
  if (node.type === 'trigger.poll' && typeof key === 'string')
    templates.pollKey = compileTemplate(key);
  return templates;
}

function prepareNode(node: WorkflowNode): PreparedNode {
  const definition = getNodeDefinition(node.type);
  if (!definition) throw new Error(`unknown node type "${node.type}"; validate first`);
  return {
    id: node.id,
    node,
    definition,
    isTrigger: isTriggerType(node.type),
    config: compileConfigTree(node.config ?? {}, { literalKeys: definition.literalKeys }),
    forEach: node.forEach === undefined ? undefined : compileTemplate(node.forEach),
    retry: node.retry ? RetryPolicy.parse(node.retry) : DEFAULT_RETRY,
    timeoutMs: node.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    concurrency: node.concurrency ?? 1,
    incoming: [],
    outgoing: [],
    hasErrorEdge: false,
  };
}
