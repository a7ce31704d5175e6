import type { JsonSchema, OpenApiDocument } from './openapi-routes';

/** Follows a `$ref` to components.schemas (the only kind the generated document uses). */
export function resolve(doc: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema {
  if (!schema) return {};
  const ref = typeof schema.$ref === 'string' ? schema.$ref : null;
  return ref ? resolve(doc, doc.components?.schemas?.[ref.split('/').pop()!]) : schema;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The alternatives of a schema (anyOf/oneOf), or the schema itself. */
function branches(doc: OpenApiDocument, schema: JsonSchema): JsonSchema[] {
  const list = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return list ? list.map((s) => resolve(doc, s)) : [schema];
}

/**
 * Paths (`a.b[0].c`) of keys in `value` that the schema does not declare where it forbids
 * extra keys (`additionalProperties: false`, what zod's strictObject produces).
 */
export function unknownFields(
  doc: OpenApiDocument,
  schemaIn: JsonSchema | undefined,
  value: unknown,
  path = '',
): string[] {
  const options = branches(doc, resolve(doc, schemaIn));
  // With alternatives, the value is acceptable if one of them finds nothing unknown.
  const found = options.map((schema) => unknownIn(doc, schema, value, path));
  return found.find((f) => f.length === 0) ?? found[0] ?? [];
}

function unknownIn(doc: OpenApiDocument, schema: JsonSchema, value: unknown, path: string) {
  if (Array.isArray(value) && schema.items)
    return value.flatMap((v, i) =>
      unknownFields(doc, schema.items as JsonSchema, v, `${path}[${i}]`),
    );
  if (!isObject(value)) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.keys(value).flatMap((key) => {
    const at = path ? `${path}.${key}` : key;
    if (Object.hasOwn(props, key)) return unknownFields(doc, props[key], value[key], at);
    if (schema.additionalProperties === false) return [at];
    if (isObject(schema.additionalProperties))
      return unknownFields(doc, schema.additionalProperties as JsonSchema, value[key], at);
    return [];
  });
}

/** Key paths to every object in `value` whose schema forbids extra keys (where one can be slipped in). */
export function strictObjects(
  doc: OpenApiDocument,
  schemaIn: JsonSchema | undefined,
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; declared: string[] }[] {
  const schema = resolve(doc, schemaIn);
  if (Array.isArray(value) && schema.items)
    return value.flatMap((v, i) => strictObjects(doc, schema.items as JsonSchema, v, [...path, i]));
  if (!isObject(value)) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const here =
    schema.additionalProperties === false ? [{ path, declared: Object.keys(props) }] : [];
  return [
    ...here,
    ...Object.keys(value)
      .filter((key) => Object.hasOwn(props, key))
      .flatMap((key) => strictObjects(doc, props[key], value[key], [...path, key])),
  ];
}

/** The declared properties of a body schema with one concrete JSON type, for wrong-type values. */
export function typedProperties(
  doc: OpenApiDocument,
  schemaIn: JsonSchema | undefined,
): { name: string; type: string; nullable: boolean }[] {
  const schema = resolve(doc, schemaIn);
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(props).flatMap(([name, raw]) => {
    const prop = resolve(doc, raw);
    return typeof prop.type === 'string'
      ? [{ name, type: prop.type, nullable: prop.nullable === true }]
      : [];
  });
}

/**
 * JSON text for `value` with `key: extra` added to the object at `path` — written by hand so
 * keys like `__proto__` reach the server as they would from a hostile client.
 */
export function jsonWithKey(
  value: unknown,
  path: (string | number)[],
  key: string,
  extra: unknown,
): string {
  if (path.length === 0) {
    const rest = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`,
    );
    return `{${[`${JSON.stringify(key)}:${JSON.stringify(extra)}`, ...rest].join(',')}}`;
  }
  const [head, ...tail] = path;
  if (Array.isArray(value))
    return `[${value.map((v, i) => (i === head ? jsonWithKey(v, tail, key, extra) : JSON.stringify(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) =>
      `${JSON.stringify(k)}:${k === head ? jsonWithKey(v, tail, key, extra) : JSON.stringify(v)}`,
  );
  return `{${entries.join(',')}}`;
}

/** The JSON type of a value as JSON schema names it. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
