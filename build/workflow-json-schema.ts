import { z } from 'zod';
import { nodeCatalog, Workflow, WORKFLOW_FORMAT } from '../shared/src/index';

type JsonSchema = Record<string, unknown>;

/** Where the committed schema lives, and its `$id`. */
export const WORKFLOW_SCHEMA_PATH = 'shared/schema/workflow-v1.schema.json';
const SCHEMA_ID = 'urn:maestro:schema:workflow-v1';

/** Any string with a `{{ }}` template: its value is computed at run time, then checked. */
const TEMPLATE: JsonSchema = {
  type: 'string',
  pattern: '\\{\\{',
  description: 'A {{ template }}: computed when the step runs, then checked against the field.',
};

/**
 * The JSON Schema of a workflow v1 document for editors, generated from the
 * zod schemas: the document model (model/workflow.ts), plus, per node type
 * (`if type is … then config is …`), that type's config schema. A config field
 * may hold a template wherever the engine accepts one, so every constrained
 * field also accepts a string with `{{ }}`. Graph rules (one trigger, no cycle,
 * known ports, reachability) are beyond JSON Schema: `maestro validate` checks them.
 */
export function buildWorkflowJsonSchema(): JsonSchema {
  const document = withoutDialect(z.toJSONSchema(Workflow, { io: 'input' }) as JsonSchema);
  const nodes = (document.properties as Record<string, JsonSchema>).nodes as JsonSchema;
  const node = nodes.items as JsonSchema;
  (node.properties as Record<string, JsonSchema>).type = {
    description: 'The node type.',
    oneOf: nodeCatalog.map((entry) => ({
      const: entry.type,
      title: entry.title,
      description: entry.description,
    })),
  };
  node.allOf = nodeCatalog.map((entry) => {
    const config = configSchema(entry.configJsonSchema);
    const needsConfig = Array.isArray(config.required) && config.required.length > 0;
    return {
      if: { properties: { type: { const: entry.type } }, required: ['type'] },
      then: { properties: { config }, ...(needsConfig ? { required: ['config'] } : {}) },
    };
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'Maestro workflow v1',
    description: `A Maestro workflow document (format "${WORKFLOW_FORMAT}"). Generated from the zod schemas by build/generate-json-schema.ts: do not edit.`,
    ...document,
  };
}

function configSchema(schema: JsonSchema): JsonSchema {
  const { properties, ...rest } = withoutDialect(schema);
  if (!properties) return rest;
  const open = Object.fromEntries(
    Object.entries(properties as Record<string, JsonSchema>).map(([key, value]) => [
      key,
      allowTemplates(value),
    ]),
  );
  return { ...rest, properties: open };
}

/** `schema`, or a template string in its place; nested fields likewise. */
function allowTemplates(schema: JsonSchema): JsonSchema {
  const inner: JsonSchema = { ...schema };
  if (isObject(inner.properties)) {
    inner.properties = Object.fromEntries(
      Object.entries(inner.properties as Record<string, JsonSchema>).map(([k, v]) => [
        k,
        allowTemplates(v),
      ]),
    );
  }
  if (isObject(inner.items)) inner.items = allowTemplates(inner.items as JsonSchema);
  if (isObject(inner.additionalProperties)) {
    inner.additionalProperties = allowTemplates(inner.additionalProperties as JsonSchema);
  }
  if (acceptsAnyString(inner)) return inner;
  const { default: fallback, description, ...constraint } = inner;
  return {
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [constraint, TEMPLATE],
  };
}

/** Already open to templates: anything at all, or a string without further constraint. */
function acceptsAnyString(schema: JsonSchema): boolean {
  const keys = Object.keys(schema).filter((key) => key !== 'default' && key !== 'description');
  return keys.length === 0 || (keys.length === 1 && schema.type === 'string');
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
