import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Headers never stored in an execution's input: they are the caller's credentials. */
const DROPPED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-maestro-signature',
]);

/** The trigger output of a webhook run (workflow-v1.md): `{ method, path, headers, query, body }`. */
export function webhookTriggerOutput(
  request: FastifyRequest,
  body: unknown,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const url = new URL(request.url, 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return { method: request.method, path: url.pathname, headers, query, body };
}

export class BodyParseError extends Error {
  override name = 'BodyParseError';
}

/** Reads the raw body by content type: JSON, form fields, text; nothing → null. */
export function parseWebhookBody(
  raw: Buffer | undefined,
  contentType: string | undefined,
): unknown {
  if (!raw || raw.length === 0) return null;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BodyParseError('the body is not valid JSON');
    }
  }
  if (type === 'application/x-www-form-urlencoded')
    return Object.fromEntries(new URLSearchParams(text));
  return text;
}

/**
 * Checks `X-Maestro-Signature: sha256=<hex>` — HMAC-SHA256 of the raw body
 * under the trigger's secret — in constant time.
 */
export function signatureIsValid(
  secret: string,
  raw: Buffer | undefined,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret)
    .update(raw ?? Buffer.alloc(0))
    .digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What a client computes to sign a webhook (documented in docs/runner.md and used by tests). */
export function signWebhookBody(secret: string, raw: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
