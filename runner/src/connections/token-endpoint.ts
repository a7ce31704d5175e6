import type { HttpClient } from '../../../shared/src/engine/host';
import { createRedactor } from '../../../shared/src/engine/redaction';
import { oauth2SecretValues, type OAuth2Secret, type OAuth2Settings } from './oauth2-credentials';

/** A token response (RFC 6749 §5.1), reduced to what the runner keeps. */
export interface IssuedToken {
  accessToken: string;
  /** Present when the server rotated the refresh token (§6): the new one replaces the old. */
  refreshToken?: string;
  /** Seconds, when the server said. */
  expiresIn?: number;
}

/**
 * Answers of the token endpoint that no retry will fix: the grant was revoked or expired, or the
 * client credentials are wrong. The operator has to authorize the connection again.
 */
const REAUTHORIZE_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/** A refresh that did not give a token; `message` never holds a secret. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  constructor(
    message: string,
    /** True for invalid_grant and the like: retrying is pointless. */
    readonly needsReauthorization: boolean,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 15_000;
const MAX_DESCRIPTION = 300;

/**
 * Asks the token endpoint for a new access token: the refresh_token grant (RFC 6749 §6) or the
 * client_credentials grant (§4.4), the client authenticated with HTTP Basic or form fields
 * (§2.3.1). `http` is an SSRF-guarded client (worker/guarded-http-client.ts).
 */
export async function requestToken(
  http: HttpClient,
  settings: OAuth2Settings,
  secret: OAuth2Secret,
  signal?: AbortSignal,
): Promise<IssuedToken> {
  const redactor = createRedactor(oauth2SecretValues(secret));
  const form = new URLSearchParams({ grant_type: settings.grant });
  if (settings.grant === 'refresh_token') {
    if (!secret.refreshToken)
      throw new TokenRequestError('the connection has no refresh token', true);
    form.set('refresh_token', secret.refreshToken);
  }
  if (settings.scope) form.set('scope', settings.scope);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (settings.clientAuth === 'basic') {
    const pair = `${formEncode(secret.clientId)}:${formEncode(secret.clientSecret ?? '')}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', secret.clientId);
    if (secret.clientSecret) form.set('client_secret', secret.clientSecret);
  }
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let response;
  try {
    response = await http.request({
      method: 'POST',
      url: settings.tokenUrl,
      headers,
      body: form.toString(),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TokenRequestError(
      redactor.redactText(`token endpoint unreachable: ${reason}`),
      false,
    );
  }
  const body = parseJson(response.body);
  if (response.status < 200 || response.status >= 300) {
    const code = typeof body?.error === 'string' ? body.error.slice(0, 100) : undefined;
    const description =
      typeof body?.error_description === 'string'
        ? `: ${body.error_description.slice(0, MAX_DESCRIPTION)}`
        : '';
    const message = `token endpoint answered ${response.status}${code ? ` ${code}` : ''}${description}`;
    throw new TokenRequestError(
      redactor.redactText(message),
      code !== undefined && REAUTHORIZE_ERRORS.has(code),
    );
  }
  if (typeof body?.access_token !== 'string' || body.access_token.length === 0)
    throw new TokenRequestError('token endpoint answered without an access_token', false);
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' && body.refresh_token
      ? { refreshToken: body.refresh_token }
      : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresIn } : {}),
  };
}

/** application/x-www-form-urlencoded, as §2.3.1 asks for the Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
