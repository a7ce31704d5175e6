import { createHash } from 'node:crypto';
import type { HttpClient, HttpRequestOrigin } from '../../../shared/src/engine/host';

/** Repeating these has no effect to detect, so they carry no key. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The Idempotency-Key of one step's HTTP call: the same on every attempt of
 * that step in that execution, including the re-run after a worker died
 * (docs/decisions/0005), and different for every other step, execution or
 * forEach element. A hash, so the receiver learns no internal id.
 * @example stepIdempotencyKey({ executionId, stepId: 'charge' }) // 'maestro-6Yx…' (51 characters)
 */
export function stepIdempotencyKey(origin: HttpRequestOrigin): string {
  const digest = createHash('sha256')
    .update(`${origin.executionId}\n${origin.stepId}\n${origin.index ?? ''}`)
    .digest('base64url');
  return `maestro-${digest}`;
}

/**
 * Adds the step's Idempotency-Key to its unsafe requests (POST, PUT, PATCH,
 * DELETE...) unless the workflow set one itself.
 */
export function withIdempotencyKeys(client: HttpClient): HttpClient {
  return {
    request(req) {
      if (
        !req.origin ||
        SAFE_METHODS.has(req.method.toUpperCase()) ||
        Object.keys(req.headers).some((name) => name.toLowerCase() === 'idempotency-key')
      ) {
        return client.request(req);
      }
      return client.request({
        ...req,
        headers: { ...req.headers, 'idempotency-key': stepIdempotencyKey(req.origin) },
      });
    },
  };
}
