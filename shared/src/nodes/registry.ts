import { httpAction } from './action-http';
import { branchIfNode } from './branch-if';
import { codeNode } from './code-js';
import { csvFormatNode, csvParseNode } from './csv';
import { failNode } from './flow-fail';
import type { NodeDefinition } from './node-definition';
import { respondNode } from './respond';
import { transformNode } from './transform';
import { manualTrigger, pollTrigger, scheduleTrigger, webhookTrigger } from './triggers';

/** Every node type, by its `type` tag (a discriminated map). */
export const nodeRegistry = {
  'trigger.manual': manualTrigger,
  'trigger.webhook': webhookTrigger,
  'trigger.schedule': scheduleTrigger,
  'trigger.poll': pollTrigger,
  'action.http': httpAction,
  transform: transformNode,
  'code.js': codeNode,
  'branch.if': branchIfNode,
  'csv.parse': csvParseNode,
  'csv.format': csvFormatNode,
  respond: respondNode,
  'flow.fail': failNode,
} as const;

export type NodeType = keyof typeof nodeRegistry;
export const NODE_TYPES = Object.keys(nodeRegistry) as NodeType[];

/** The definition of a type, or undefined for an unknown one (safe for any string, "__proto__" included). */
export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return Object.hasOwn(nodeRegistry, type)
    ? (nodeRegistry[type as NodeType] as NodeDefinition)
    : undefined;
}

export function isTriggerType(type: string): boolean {
  return type.startsWith('trigger.');
}
