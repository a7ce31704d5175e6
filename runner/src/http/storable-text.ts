import type { FastifyInstance } from 'fastify';
import { toJsonPath } from './error-handler';
import { badRequest } from './problem';

// NUL, or a UTF-16 surrogate without its pair.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MESSAGE = 'contains a NUL character or an unpaired UTF-16 surrogate';

/**
 * The JSON-pointer path of the first string or key in `value` that PostgreSQL cannot store
 * (text refuses NUL; jsonb refuses \u0000 and unpaired surrogates), or null. Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
export function findUnstorableText(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}/${i}`]));
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const at = `${path}/${key}`;
        if (UNSTORABLE.test(key)) return at;
        stack.push([item, at]);
      }
    }
  }
  return null;
}

/** Throws 400 naming the field when `value` holds text the database cannot store. */
export function assertStorableText(value: unknown, context = 'body'): void {
  const at = findUnstorableText(value);
  if (at !== null)
    throw badRequest('the request holds text that cannot be stored', [
      { path: toJsonPath(at, context) || context, message: MESSAGE },
    ]);
}

/**
 * Refuses such text in every parsed body, query and path parameter before validation, in one
 * place: found by fuzz-bodies.test.ts as 500s on names, reasons, variable values and emails.
 */
export function installStorableTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    assertStorableText(request.params, 'params');
    assertStorableText(request.query, 'querystring');
    if (request.body !== undefined && !Buffer.isBuffer(request.body))
      assertStorableText(request.body);
  });
}
