import { z } from 'zod';
import type { OidcLoginEntity } from '../../db/entities';
import type { HttpProblem } from '../../http/problem';
import { isAllowedRedirectUri } from './redirect-uris';

/** The `error` codes a client can get back (RFC 6749 §4.1.2.1). */
export const ClientErrorCode = z.enum(['access_denied', 'server_error', 'temporarily_unavailable']);
export type ClientErrorCode = z.infer<typeof ClientErrorCode>;

type Flow = Pick<OidcLoginEntity, 'redirectUri' | 'clientState'>;

/**
 * The client's redirect URI with `params` and its own `state`, or null when that URI is no
 * longer on the allowlist (the deployment removed it while the sign-in was in flight): a URI
 * that is not listed is never redirected to.
 */
export function clientRedirect(
  allowlist: readonly string[],
  flow: Flow,
  params: Record<string, string>,
): URL | null {
  if (!isAllowedRedirectUri(allowlist, flow.redirectUri)) return null;
  const target = new URL(flow.redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  if (flow.clientState) target.searchParams.set('state', flow.clientState);
  return target;
}

/**
 * A failed callback as the client hears it: `error`, `error_description` (our problem's
 * detail, which says who is at fault) and its `state`. The provider's own code is passed on
 * only in its meaning for the client (a refusal or a provider that is down), never verbatim.
 */
export function clientErrorRedirect(
  allowlist: readonly string[],
  flow: Flow,
  problem: HttpProblem,
  providerError: string | undefined,
): URL | null {
  return clientRedirect(allowlist, flow, {
    error: clientErrorCode(problem, providerError),
    // RFC 6749 §4.1.2.1: printable ASCII without `"` and `\`.
    error_description: problem.message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'"),
  });
}

function clientErrorCode(problem: HttpProblem, providerError: string | undefined): ClientErrorCode {
  if (providerError === 'temporarily_unavailable' || problem.status === 502)
    return 'temporarily_unavailable';
  if (providerError === 'server_error' || problem.status >= 500) return 'server_error';
  return 'access_denied';
}
