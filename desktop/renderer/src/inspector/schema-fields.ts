/**
 * Maps a node type's config JSON schema (from the shared catalog) to the
 * fields the inspector renders. Pure, so the mapping is unit-tested.
 */
import type { JsonSchema } from '../catalog/node-catalog';

export type FieldKind =
  | 'text' // a string; may hold {{ }} templates: expression editor
  | 'expression' // a free value that is nearly always one template (branch.if condition)
  | 'enum'
  | 'number'
  | 'boolean'
  | 'keyValue' // string map: headers, query
  | 'json' // any JSON value with templates inside (transform.value, body)
  | 'code' // code.js body: literal, not a template
  | 'list' // array of strings (csv.format columns)
  | 'connection' // auth.connection: pick a stored connection
  | 'group'; // nested object with its own fields (auth, poll request)

export interface FieldSpec {
  /** Path inside `config`, e.g. ['request', 'url']. */
  path: string[];
  label: string;
  kind: FieldKind;
  required: boolean;
  enumValues?: string[];
  defaultValue?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  children?: FieldSpec[];
}

const LABELS: Record<string, string> = {
  url: 'URL',
  okStatus: 'OK status',
  bodyType: 'Body type',
  intervalSeconds: 'Interval (seconds)',
  cron: 'Cron expression',
  timezone: 'Time zone (IANA)',
  items: 'Items (template giving an array)',
  key: 'Item key (template over item)',
  code: 'Code (body of function(input))',
  value: 'Value',
};

export function labelFor(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

function isFreeValue(schema: JsonSchema): boolean {
  return (
    typesOf(schema).length === 0 &&
    !schema.enum &&
    !schema.anyOf &&
    !schema.oneOf &&
    !schema.properties
  );
}

function kindOf(nodeType: string, key: string, path: string[], schema: JsonSchema): FieldKind {
  if (nodeType === 'code.js' && key === 'code') return 'code';
  if (path.join('.').endsWith('auth.connection')) return 'connection';
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return 'enum';
  if (isFreeValue(schema)) return key === 'condition' ? 'expression' : 'json';
  const types = typesOf(schema);
  if (types.includes('object')) {
    if (schema.properties && Object.keys(schema.properties).length > 0) return 'group';
    return typeof schema.additionalProperties === 'object' ? 'keyValue' : 'json';
  }
  if (types.includes('array'))
    return typesOf(schema.items ?? {}).includes('string') ? 'list' : 'json';
  if (types.length === 1 && types[0] === 'boolean') return 'boolean';
  if (types.length === 1 && (types[0] === 'integer' || types[0] === 'number')) return 'number';
  if (types.includes('string')) return 'text';
  return 'json';
}

/** The fields of an object schema, in schema order, nested groups included. */
export function fieldsForSchema(
  nodeType: string,
  schema: JsonSchema,
  prefix: string[] = [],
  parentRequired = true,
): FieldSpec[] {
  // A key required inside an optional object (auth.connection) is not required of the user.
  const required = new Set(parentRequired ? (schema.required ?? []) : []);
  return Object.entries(schema.properties ?? {}).map(([key, child]) => {
    const path = [...prefix, key];
    const kind = kindOf(nodeType, key, path, child);
    const field: FieldSpec = { path, label: labelFor(key), kind, required: required.has(key) };
    if (kind === 'enum') field.enumValues = child.enum as string[];
    if (child.default !== undefined) field.defaultValue = child.default;
    if (child.description) field.description = child.description;
    if (typeof child.minimum === 'number') field.minimum = child.minimum;
    if (typeof child.maximum === 'number' && child.maximum < Number.MAX_SAFE_INTEGER)
      field.maximum = child.maximum;
    if (kind === 'group') field.children = fieldsForSchema(nodeType, child, path, field.required);
    return field;
  });
}

/** Reads the value at `path` inside a config object. */
export function readPath(config: Record<string, unknown> | undefined, path: string[]): unknown {
  let value: unknown = config;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Returns a copy of `config` with `value` at `path`; `undefined` removes the
 * key, and objects left empty by that are removed too (minimal documents).
 */
export function writePath(
  config: Record<string, unknown> | undefined,
  path: string[],
  value: unknown,
): Record<string, unknown> | undefined {
  const [key, ...rest] = path;
  if (key === undefined) return config;
  const copy: Record<string, unknown> = { ...(config ?? {}) };
  const next =
    rest.length === 0
      ? value
      : writePath(copy[key] as Record<string, unknown> | undefined, rest, value);
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return Object.keys(copy).length === 0 ? undefined : copy;
}
