/**
 * The `id` of a JSON answer (what a create made), and nothing else of it: answers may carry
 * secrets (a new API key, a webhook secret) that must not reach the audit trail.
 */
export function answerId(payload: unknown): string | null {
  if (typeof payload !== 'string' || payload.length > 65_536 || !payload.startsWith('{'))
    return null;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= 100 ? id : null;
  } catch {
    return null;
  }
}
