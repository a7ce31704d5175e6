import * as oidc from 'openid-client';
import { badRequest, HttpProblem } from '../../http/problem';
import type { IdentityClaims } from './accounts';

type TokenResponse = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

// openid-client failures that mean "this response is not acceptable" (a user-facing 400);
// anything else (network, 5xx, unparsable answers) is the provider's trouble (502).
const VALIDATION_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_INVALID_RESPONSE',
]);

/** Maps an openid-client error from the callback to a problem that says who is at fault. */
export function providerProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof oidc.AuthorizationResponseError)
    return badRequest(`the identity provider refused the sign-in (${err.error})`);
  if (err instanceof oidc.ResponseBodyError)
    return badRequest(`the identity provider refused the authorization code (${err.error})`);
  if (err instanceof oidc.ClientError && err.code && VALIDATION_CODES.has(err.code)) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return badRequest(`the identity provider's answer failed validation${cause}`);
  }
  return new HttpProblem(502, 'the identity provider could not complete the sign-in');
}

/**
 * The validated ID token's claims (openid-client has checked issuer, audience, expiry, nonce);
 * when the ID token carries no email (many providers put it in UserInfo only), email and
 * email_verified come from UserInfo, whose `sub` must match the ID token's.
 */
export async function identityClaims(
  client: oidc.Configuration,
  tokens: TokenResponse,
): Promise<IdentityClaims> {
  const idToken = tokens.claims();
  if (!idToken) throw badRequest('the identity provider sent no ID token');
  if (idToken.email !== undefined || !client.serverMetadata().userinfo_endpoint) return idToken;
  const info = await oidc
    .fetchUserInfo(client, tokens.access_token, idToken.sub)
    .catch((err: unknown) => {
      throw providerProblem(err);
    });
  return {
    sub: idToken.sub,
    email: info.email,
    email_verified: info.email_verified,
    name: idToken.name ?? info.name,
    auth_time: idToken.auth_time,
  };
}
