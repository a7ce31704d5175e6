import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { withSystemContext } from '../../../src/db/org-context';
import { createTestApp, type TestApp } from '../../support/test-app';
import { startTestIdp, type IdpAccount, type TestIdp } from './test-idp';

// The runner's public URL: only used to build the callback URL the provider redirects to
// (the test plays the browser and hands that URL to app.inject).
export const PUBLIC_URL = 'http://127.0.0.1:8080';
export const CALLBACK = `${PUBLIC_URL}/v1/auth/oidc/corp/callback`;
export const CLIENT_REDIRECT = 'http://127.0.0.1:53123/done'; // a desktop app's loopback listener

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

export interface OidcFlow {
  idp: TestIdp;
  t: TestApp;
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  startUrl(
    query: Partial<Record<'redirect_uri' | 'state' | 'code_challenge', string>>,
    provider?: string,
  ): string;
  /** start → the provider (signed in as `subject`) → the URL it sends the browser back to. */
  throughProvider(
    subject: string,
    clientState?: string,
  ): Promise<{ verifier: string; callback: URL; authorizationUrl: URL }>;
  callbackRequest(callback: URL): Promise<Response>;
  exchange(code: string, codeVerifier: string, totp?: string): Promise<Response>;
  /** The whole sign-in as a client would run it; returns the redirect and the exchange answer. */
  signInWith(
    subject: string,
    account?: IdpAccount,
    totp?: string,
  ): Promise<{ redirect: URL; code: string; verifier: string; answer: Response }>;
  close(): Promise<void>;
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  detail: RegExp,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((res.json() as { detail: string }).detail).toMatch(detail);
}

/**
 * A runner on its own database with the provider `corp` (a real oidc-provider on 127.0.0.1)
 * and `down` (unreachable), and the client's side of the sign-in, played over HTTP.
 */
export async function createOidcFlow(env: Record<string, string> = {}): Promise<OidcFlow> {
  const idp = await startTestIdp([CALLBACK]);
  const t = await createTestApp({
    MAESTRO_PUBLIC_URL: PUBLIC_URL,
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    MAESTRO_OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'corp',
        name: 'Corp SSO',
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      },
      { id: 'down', name: 'Unreachable', issuer: 'http://127.0.0.1:9', clientId: 'x' },
    ]),
    // Port-less loopback entry: any port (RFC 8252); the https entry must match exactly.
    MAESTRO_OIDC_REDIRECT_URIS: 'http://127.0.0.1/done,https://app.example.test/auth/done',
    ...env,
  });

  const flow: OidcFlow = {
    idp,
    t,
    sql: (query, params = []) =>
      withSystemContext(t.db.orm, (em) => em.execute(query, params)) as never,
    startUrl(query, provider = 'corp') {
      const params = new URLSearchParams({
        redirect_uri: CLIENT_REDIRECT,
        state: 'client-state-1',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        ...query,
      });
      return `/v1/auth/oidc/${provider}/start?${params}`;
    },
    async throughProvider(subject, clientState = 'client-state-1') {
      const { verifier, challenge } = pkce();
      const start = await t.app.inject({
        method: 'GET',
        url: flow.startUrl({ code_challenge: challenge, state: clientState }),
      });
      expect(start.statusCode, start.body).toBe(302);
      const callback = await idp.signIn(start.headers.location as string, subject);
      expect(callback.href.startsWith(`${CALLBACK}?`)).toBe(true);
      return { verifier, callback, authorizationUrl: new URL(start.headers.location as string) };
    },
    callbackRequest: (callback) =>
      t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` }),
    exchange: (code, codeVerifier, totp) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/oidc/exchange',
        payload: { code, codeVerifier, ...(totp === undefined ? {} : { totp }) },
      }),
    async signInWith(subject, account, totp) {
      if (account) idp.accounts.set(subject, account);
      const { verifier, callback } = await flow.throughProvider(subject);
      const back = await flow.callbackRequest(callback);
      expect(back.statusCode, back.body).toBe(302);
      const redirect = new URL(back.headers.location as string);
      const code = redirect.searchParams.get('code')!;
      return { redirect, code, verifier, answer: await flow.exchange(code, verifier, totp) };
    },
    async close() {
      await t?.close();
      await idp?.close();
    },
  };
  return flow;
}

/** The `oidc_logins.state_hash` of the flow an authorization URL belongs to. */
export function stateHashOf(authorizationUrl: URL): string {
  return createHash('sha256').update(authorizationUrl.searchParams.get('state')!).digest('hex');
}

/**
 * A callback answered as RFC 6749 §4.1.2.1 says: a redirect to the client's URI with `error`,
 * `error_description` and the client's `state`, and no code. Returns the description.
 */
export function expectClientError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  error: string,
  description: RegExp,
  { redirectUri = CLIENT_REDIRECT, state = 'client-state-1' } = {},
): string {
  expect(res.statusCode, res.body).toBe(302);
  expect(res.headers['cache-control']).toBe('no-store');
  const location = new URL(res.headers.location as string);
  expect(location.origin + location.pathname).toBe(redirectUri);
  expect(Object.fromEntries(location.searchParams)).toEqual({
    error,
    error_description: expect.stringMatching(description),
    state,
  });
  return location.searchParams.get('error_description')!;
}
