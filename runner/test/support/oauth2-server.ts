import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OAuth 2.0 authorization server's token endpoint (RFC 6749) on 127.0.0.1, beside an API
 * that accepts only the current access token of each grant:
 * - POST /token: refresh_token (§6; each use rotates the refresh token, the old one is dead) and
 *   client_credentials (§4.4); client authentication by HTTP Basic or form fields (§2.3.1);
 *   errors as §5.2 JSON.
 * - GET /api/me: 200 with the bearer's grant when the token is the grant's latest, else 401.
 * `mode` switches the token endpoint to invalid_grant (a revoked grant) or 503 (an outage).
 */
export interface OAuth2TestServer {
  tokenUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** What the token endpoint answers: normal, invalid_grant for every grant, or 503. */
  mode: 'normal' | 'invalid_grant' | 'unavailable';
  /** When set, the API answers 401 whatever the token. */
  apiRejectsAll: boolean;
  /** expires_in of issued access tokens (seconds); undefined leaves it out. */
  expiresIn: number | undefined;
  /** Milliseconds the token endpoint waits before answering (to overlap concurrent refreshes). */
  delayMs: number;
  /** Every token request, in order. */
  tokenRequests: { grant: string; refreshToken?: string; scope?: string }[];
  /** Every API call: the Authorization header and the answer. */
  apiCalls: { authorization?: string; status: number }[];
  /** Every token and secret this server issued or knows: none may leak anywhere. */
  secrets(): string[];
  /** A refresh token for a new grant, as the provider's consent screen would hand out. */
  consent(): string;
  close(): Promise<void>;
}

export async function startOAuth2Server(): Promise<OAuth2TestServer> {
  const refreshTokens = new Map<string, string>(); // live refresh token → grant id
  const latestAccess = new Map<string, string>(); // grant id → its current access token
  const issued: string[] = [];
  const mint = (prefix: string) => {
    const token = `${prefix}-${randomBytes(12).toString('hex')}`;
    issued.push(token);
    return token;
  };

  const state: Omit<OAuth2TestServer, 'tokenUrl' | 'apiUrl' | 'close'> = {
    clientId: `client-${randomBytes(4).toString('hex')}`,
    clientSecret: `csecret-${randomBytes(12).toString('hex')}`,
    mode: 'normal',
    apiRejectsAll: false,
    expiresIn: 3600,
    delayMs: 0,
    tokenRequests: [],
    apiCalls: [],
    secrets: () => [state.clientSecret, ...issued],
    consent() {
      const token = mint('rt');
      refreshTokens.set(token, `grant-${randomBytes(4).toString('hex')}`);
      return token;
    },
  };

  const json = (res: ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));

  const authenticated = (req: IncomingMessage, form: URLSearchParams) => {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id = '', secret = ''] = Buffer.from(basic[1], 'base64').toString().split(':');
      return (
        decodeURIComponent(id) === state.clientId &&
        decodeURIComponent(secret) === state.clientSecret
      );
    }
    return (
      form.get('client_id') === state.clientId && form.get('client_secret') === state.clientSecret
    );
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const form = new URLSearchParams(text);
    const grant = form.get('grant_type') ?? '';
    state.tokenRequests.push({
      grant,
      ...(form.get('refresh_token') ? { refreshToken: form.get('refresh_token')! } : {}),
      ...(form.get('scope') ? { scope: form.get('scope')! } : {}),
    });
    if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.mode === 'unavailable') return json(res, 503, { error: 'temporarily_unavailable' });
    if (!authenticated(req, form)) return json(res, 401, { error: 'invalid_client' });
    let grantId: string;
    let rotated: string | undefined;
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const id = refreshTokens.get(presented);
      if (!id || state.mode === 'invalid_grant')
        return json(res, 400, {
          error: 'invalid_grant',
          error_description: `refresh token ${presented} is revoked or expired`,
        });
      refreshTokens.delete(presented);
      rotated = mint('rt');
      refreshTokens.set(rotated, id);
      grantId = id;
    } else if (grant === 'client_credentials') {
      if (state.mode === 'invalid_grant') return json(res, 400, { error: 'invalid_grant' });
      grantId = `cc:${state.clientId}`;
    } else {
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    const access = mint('at');
    latestAccess.set(grantId, access);
    json(res, 200, {
      access_token: access,
      token_type: 'Bearer',
      ...(state.expiresIn !== undefined ? { expires_in: state.expiresIn } : {}),
      ...(rotated ? { refresh_token: rotated } : {}),
    });
  };

  const api = (req: IncomingMessage, res: ServerResponse) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = [...latestAccess].find(([, current]) => current === bearer)?.[0];
    const status = grant && !state.apiRejectsAll ? 200 : 401;
    state.apiCalls.push({ authorization: req.headers.authorization, status });
    if (status === 401) return json(res, 401, { error: 'invalid_token' });
    json(res, 200, { grant, echoed: req.headers.authorization });
  };

  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      token(req, res).catch(() => json(res, 500, { error: 'server_error' }));
    } else if (req.url === '/api/me') {
      api(req, res);
    } else {
      json(res, 404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    tokenUrl: `${base}/token`,
    apiUrl: `${base}/api/me`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
