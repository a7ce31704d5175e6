import { z } from 'zod';
import type { NodeCategory } from './node-definition';
import { NODE_TYPES, nodeRegistry } from './registry';
import type { NodeType } from './registry';

export interface NodeCatalogEntry {
  type: NodeType;
  title: string;
  description: string;
  category: NodeCategory;
  ports: readonly string[];
  /** JSON Schema of the config as written (defaults are optional), for inspector forms. */
  configJsonSchema: Record<string, unknown>;
}

/**
 * Every node type with what the desktop palette and inspector need.
 * @example nodeCatalog.find((n) => n.type === 'action.http')?.ports // ['out', 'error']
 */
export const nodeCatalog: readonly NodeCatalogEntry[] = NODE_TYPES.map((type) => {
  const definition = nodeRegistry[type];
  return {
    type,
    title: definition.title,
    description: definition.description,
    category: definition.category,
    ports: definition.ports,
    configJsonSchema: z.toJSONSchema(definition.config, {
      io: 'input',
      unrepresentable: 'any',
    }) as Record<string, unknown>,
  };
});
