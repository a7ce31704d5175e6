/**
 * JSONata can return functions as values: native ones are JS functions, but
 * lambdas (`function($x) { … }`) are plain objects holding their environment,
 * a circular structure that breaks JSON. They are not data: they read as
 * missing (left out of objects, null in arrays, like JSON.stringify does).
 */

export function isJsonataFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const flags = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return flags._jsonata_lambda === true || flags._jsonata_function === true;
}

/**
 * True when an expression's AST defines a lambda or a partial application,
 * the only ways a lambda can end up inside a result (checked once at compile
 * time, so that other results are never walked).
 */
export function mayYieldLambdas(ast: unknown): boolean {
  const seen = new Set<object>();
  const visit = (node: unknown): boolean => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return false;
    seen.add(node);
    const type = (node as { type?: unknown }).type;
    if (type === 'lambda' || type === 'partial') return true;
    return Object.values(node).some(visit);
  };
  return visit(ast);
}

/** A copy of a result without lambdas (and with cycles cut). */
export function dropLambdas(value: unknown, ancestors: Set<object> = new Set()): unknown {
  if (isJsonataFunction(value)) return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return undefined;
  ancestors.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((item) => dropLambdas(item, ancestors) ?? null);
  else {
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const kept = dropLambdas(child, ancestors);
      if (kept !== undefined)
        Object.defineProperty(copy, key, {
          value: kept,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    out = copy;
  }
  ancestors.delete(value);
  return out;
}
