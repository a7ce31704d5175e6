import type { FastifyInstance } from 'fastify';

export interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiRoute {
  /** `METHOD /openapi/path`, the key of expectations.ts. */
  key: string;
  method: string;
  path: string;
  operation: OpenApiOperation;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** The app's own OpenAPI document, as a client would read it. */
export async function fetchOpenApi(app: FastifyInstance): Promise<OpenApiDocument> {
  const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /v1/openapi.json: ${res.statusCode}`);
  return res.json() as OpenApiDocument;
}

/** Every operation of the document (HEAD and OPTIONS are not listed there). */
export function routesOf(doc: OpenApiDocument): OpenApiRoute[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operation,
      })),
  );
}

/** `/v1/workflows/{id}` + `{ id }` → `/v1/workflows/<id>`; a parameter without a value throws. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new Error(`no value for the path parameter {${name}} of ${path}`);
    return encodeURIComponent(value);
  });
}

/** The JSON schema of a route's request body, with a top-level `$ref` resolved. */
export function bodySchemaOf(doc: OpenApiDocument, op: OpenApiOperation): JsonSchema | null {
  const schema = op.requestBody?.content?.['application/json']?.schema;
  if (!schema) return null;
  const ref = typeof schema.$ref === 'string' ? schema.$ref : null;
  return ref ? (doc.components?.schemas?.[ref.split('/').pop()!] ?? null) : schema;
}
