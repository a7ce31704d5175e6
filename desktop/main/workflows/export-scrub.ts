/** Headers whose values are credentials (workflow-v1.md "Secrets"). */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const HAS_TEMPLATE = /\{\{[\s\S]*?\}\}/;

/**
 * Credentials belong in connections (exported as references only). A value
 * typed by hand into an Authorization, Proxy-Authorization or Cookie header is
 * a secret all the same, so an export replaces it with "[redacted]"; a
 * template (`{{ env.TOKEN }}`) names a secret without holding it and stays.
 */
export function scrubForExport(document: unknown): unknown {
  return mapHeaders(structuredClone(document));
}

function mapHeaders(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mapHeaders);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === 'headers' && isRecord(child) ? scrubHeaders(child) : mapHeaders(child);
  }
  return out;
}

function scrubHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SECRET_HEADERS.has(name.toLowerCase()) &&
      typeof value === 'string' &&
      !HAS_TEMPLATE.test(value)
        ? '[redacted]'
        : value,
    ]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
