/**
 * The renderer's view of the shared node catalog: every node type with its
 * palette title, category, ports and config JSON schema.
 */
import { nodeCatalog } from '../../../../shared/src/nodes/catalog';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

export interface NodeTypeInfo {
  type: string;
  title: string;
  description: string;
  category: string;
  ports: string[];
  configJsonSchema: JsonSchema;
}

const entries: NodeTypeInfo[] = nodeCatalog.map((entry) => ({
  ...entry,
  ports: [...entry.ports],
  configJsonSchema: entry.configJsonSchema as JsonSchema,
}));
const byType = new Map(entries.map((entry) => [entry.type, entry]));

export function listNodeTypes(): readonly NodeTypeInfo[] {
  return entries;
}

export function getNodeType(type: string): NodeTypeInfo | undefined {
  return byType.get(type);
}

export function isTriggerType(type: string): boolean {
  return type.startsWith('trigger.');
}

/** Output ports of a type; an unknown type gets `out` so its edges stay visible. */
export function portsOf(type: string): string[] {
  return byType.get(type)?.ports ?? ['out'];
}
