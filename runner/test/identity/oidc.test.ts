import { createHash, randomBytes } from 'node:crypto';
import type { TOTP } from 'otpauth';
import { URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { withSystemContext } from '../../src/db/org-context';
import { createTestApp, signUp, type TestApp } from '../support/test-app';
import { startTestIdp, type IdpAccount, type TestIdp } from './support/test-idp';

// The runner's public URL: only used to build the callback URL the provider redirects to
// (the test plays the browser and hands that URL to app.inject).
const PUBLIC_URL = 'http://127.0.0.1:8080';
const CALLBACK = `${PUBLIC_URL}/v1/auth/oidc/corp/callback`;
const CLIENT_REDIRECT = 'http://127.0.0.1:53123/done'; // a desktop app's loopback listener
const PASSWORD = 'correct horse battery';

let idp: TestIdp;
let t: TestApp;

beforeAll(async () => {
  idp = await startTestIdp([CALLBACK]);
  t = await createTestApp({
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
  });
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
});

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
  withSystemContext(t.db.orm, (em) => em.execute(query, params)) as Promise<T[]>;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function startUrl(
  query: Partial<Record<'redirect_uri' | 'state' | 'code_challenge', string>>,
  provider = 'corp',
) {
  const params = new URLSearchParams({
    redirect_uri: CLIENT_REDIRECT,
    state: 'client-state-1',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...query,
  });
  return `/v1/auth/oidc/${provider}/start?${params}`;
}

/** start → the provider (signed in as `subject`) → the URL it sends the browser back to. */
async function throughProvider(subject: string, clientState = 'client-state-1') {
  const { verifier, challenge } = pkce();
  const start = await t.app.inject({
    method: 'GET',
    url: startUrl({ code_challenge: challenge, state: clientState }),
  });
  expect(start.statusCode, start.body).toBe(302);
  const callback = await idp.signIn(start.headers.location as string, subject);
  expect(callback.href.startsWith(`${CALLBACK}?`)).toBe(true);
  return { verifier, callback, authorizationUrl: new URL(start.headers.location as string) };
}

const callbackRequest = (callback: URL) =>
  t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });

const exchange = (code: string, codeVerifier: string, totp?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/auth/oidc/exchange',
    payload: { code, codeVerifier, ...(totp === undefined ? {} : { totp }) },
  });

/** The whole sign-in as a client would run it; returns the redirect and the exchange answer. */
async function signInWith(subject: string, account?: IdpAccount, totp?: string) {
  if (account) idp.accounts.set(subject, account);
  const { verifier, callback } = await throughProvider(subject);
  const back = await callbackRequest(callback);
  expect(back.statusCode, back.body).toBe(302);
  const redirect = new URL(back.headers.location as string);
  const code = redirect.searchParams.get('code')!;
  return { redirect, code, verifier, answer: await exchange(code, verifier, totp) };
}

const me = (accessToken: string) =>
  t.app.inject({
    method: 'GET',
    url: '/v1/users/me',
    headers: { authorization: `Bearer ${accessToken}` },
  });
const passwordLogin = (email: string, password = PASSWORD) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  detail: RegExp,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((res.json() as { detail: string }).detail).toMatch(detail);
}

describe('OpenID Connect sign-in', () => {
  it('lists the configured providers by id and display name only', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/auth/oidc/providers' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { id: 'corp', name: 'Corp SSO' },
        { id: 'down', name: 'Unreachable' },
      ],
    });
  });

  it('redirects to the provider with state, nonce and an S256 PKCE challenge', async () => {
    const res = await t.app.inject({ method: 'GET', url: startUrl({}) });
    expect(res.statusCode).toBe(302);
    const url = new URL(res.headers.location as string);
    expect(url.origin).toBe(idp.issuer);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      client_id: idp.clientId,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(q.state).toMatch(/^[\w-]{20,}$/);
    expect(q.nonce).toMatch(/^[\w-]{20,}$/);
    expect(q.code_challenge).toMatch(/^[\w-]{43}$/);
    // Stored server-side: the state only as a hash, the verifier sealed.
    const rows = await sql<{ state_hash: string; code_verifier_enc: string }>(
      'select state_hash, code_verifier_enc from oidc_logins where state_hash = ?',
      [createHash('sha256').update(q.state!).digest('hex')],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.code_verifier_enc).not.toMatch(/^[\w-]{43}$/);
  });

  it('creates a verified, passwordless user on a first sign-in and sends only a one-time code to the client', async () => {
    const { redirect, answer } = await signInWith('new-sub', {
      email: 'New.Person@Corp.test',
      email_verified: true,
      name: 'New Person',
    });
    expect(redirect.origin + redirect.pathname).toBe(CLIENT_REDIRECT);
    expect([...redirect.searchParams.keys()].sort()).toEqual(['code', 'state']);
    expect(redirect.searchParams.get('state')).toBe('client-state-1');
    expect(answer.statusCode, answer.body).toBe(200);
    const tokens = answer.json();
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(redirect.href).not.toContain(tokens.accessToken);

    const profile = await me(tokens.accessToken);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({ email: 'new.person@corp.test', name: 'New Person' });
    const [user] = await sql<{
      id: string;
      password_hash: string | null;
      email_verified_at: Date | null;
    }>('select id, password_hash, email_verified_at from users where email = ?', [
      'new.person@corp.test',
    ]);
    expect(user!.password_hash).toBeNull();
    expect(user!.email_verified_at).not.toBeNull();
    expect(
      await sql('select provider_id, subject, user_id from user_identities where user_id = ?', [
        user!.id,
      ]),
    ).toEqual([{ provider_id: 'corp', subject: 'new-sub', user_id: user!.id }]);

    // No password yet: password login fails like any wrong password; a reset link can set one.
    expectProblem(await passwordLogin('new.person@corp.test'), 401, /wrong email or password/);
    const forgot = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: 'new.person@corp.test' },
    });
    expect(forgot.statusCode).toBe(202);

    // The refresh token is an ordinary one.
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);

    const events = await sql<{ action: string; details: Record<string, unknown> }>(
      `select action, details from audit_events where actor_user_id = ? and action like 'auth.%' order by at, id`,
      [user!.id],
    );
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.oidc_user_created', 'auth.login_succeeded']),
    );
    expect(events.find((e) => e.action === 'auth.login_succeeded')!.details).toEqual({
      method: 'oidc',
      provider: 'corp',
    });
  });

  it('links an existing password user by verified email, then matches by subject even if the email changes', async () => {
    const existing = await signUp(t.app, 'linked');
    await sql('update users set email_verified_at = now() where id = ?', [existing.userId]);
    const first = await signInWith('linked-sub', {
      email: existing.email.toUpperCase(),
      email_verified: true,
    });
    expect(first.answer.statusCode, first.answer.body).toBe(200);
    expect((await me(first.answer.json().accessToken)).json().id).toBe(existing.userId);
    expect((await passwordLogin(existing.email)).statusCode).toBe(200); // the password still works

    idp.accounts.set('linked-sub', { email: 'renamed@corp.test', email_verified: false });
    const later = await signInWith('linked-sub');
    expect(later.answer.statusCode, later.answer.body).toBe(200);
    expect((await me(later.answer.json().accessToken)).json().id).toBe(existing.userId);
    const actions = await sql<{ action: string }>(
      `select action from audit_events where actor_user_id = ? and action like 'auth.oidc%'`,
      [existing.userId],
    );
    expect(actions.map((a) => a.action)).toEqual(['auth.oidc_identity_linked']);
  });

  it('takes over an account whose email was never verified in Maestro (its password and sessions end)', async () => {
    const squatter = await signUp(t.app, 'squatted'); // registered, never verified
    const { answer } = await signInWith('owner-sub', {
      email: squatter.email,
      email_verified: true,
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect((await me(answer.json().accessToken)).json().id).toBe(squatter.userId);
    expectProblem(await passwordLogin(squatter.email), 401, /wrong email or password/);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: squatter.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('lets two concurrent first sign-ins of one person end on one account', async () => {
    idp.accounts.set('race-sub', { email: 'race@corp.test', email_verified: true });
    const flows = [await throughProvider('race-sub'), await throughProvider('race-sub')];
    const backs = await Promise.all(flows.map((f) => callbackRequest(f.callback)));
    const ids = [];
    for (const [i, back] of backs.entries()) {
      expect(back.statusCode, back.body).toBe(302);
      const code = new URL(back.headers.location as string).searchParams.get('code')!;
      const answer = await exchange(code, flows[i]!.verifier);
      expect(answer.statusCode).toBe(200);
      ids.push((await me(answer.json().accessToken)).json().id as string);
    }
    expect(ids[0]).toBe(ids[1]);
    expect(await sql(`select id from users where email = 'race@corp.test'`)).toHaveLength(1);
  });

  it('stores a display name from the provider without control characters, and refuses an unusable subject', async () => {
    const { answer } = await signInWith('odd-name-sub', {
      email: 'odd@corp.test',
      email_verified: true,
      name: 'Odd\u0000 Name\n',
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect((await me(answer.json().accessToken)).json().name).toBe('Odd Name');

    const longSubject = 's'.repeat(256);
    idp.accounts.set(longSubject, { email: 'long@corp.test', email_verified: true });
    const { callback } = await throughProvider(longSubject);
    expectProblem(await callbackRequest(callback), 400, /unusable subject/);
  });

  it('refuses an identity whose email the provider has not verified', async () => {
    for (const [subject, account] of [
      ['unverified-sub', { email: 'unverified@corp.test', email_verified: false }],
      ['no-email-sub', { name: 'No Email' }],
    ] as const) {
      idp.accounts.set(subject, account);
      const { callback } = await throughProvider(subject);
      expectProblem(await callbackRequest(callback), 403, /email_verified must be true/);
    }
    expect(await sql('select id from users where email = ?', ['unverified@corp.test'])).toEqual([]);
    const failures = await sql<{ details: { reason: string } }>(
      `select details from audit_events where action = 'auth.login_failed' and details->>'method' = 'oidc'`,
    );
    expect(failures.some((f) => /email_verified/.test(f.details.reason))).toBe(true);
  });

  it('refuses a callback whose state does not match, and a replayed callback', async () => {
    idp.accounts.set('state-sub', { email: 'state@corp.test', email_verified: true });
    const { callback } = await throughProvider('state-sub');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state-we-sent');
    expectProblem(await callbackRequest(forged), 400, /state is unknown, expired or already used/);
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    const noState = await callbackRequest(missing);
    expectProblem(noState, 400, /state is missing/);
    expect(noState.json().errors).toEqual([{ path: 'query.state', message: 'required' }]);

    expect((await callbackRequest(callback)).statusCode).toBe(302); // the genuine one still works
    expectProblem(
      await callbackRequest(callback),
      400,
      /state is unknown, expired or already used/,
    );
  });

  it('reports a sign-in the provider refused (error=access_denied) and ends it', async () => {
    const start = await t.app.inject({ method: 'GET', url: startUrl({}) });
    const state = new URL(start.headers.location as string).searchParams.get('state')!;
    const denied = new URL(CALLBACK);
    denied.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'the user said no',
      state,
      iss: idp.issuer,
    }).toString();
    expectProblem(await callbackRequest(denied), 400, /refused the sign-in \(access_denied\)/);
    expectProblem(await callbackRequest(denied), 400, /state is unknown, expired or already used/);
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    idp.accounts.set('nonce-sub', { email: 'nonce@corp.test', email_verified: true });
    const { callback, authorizationUrl } = await throughProvider('nonce-sub');
    const stateHash = createHash('sha256')
      .update(authorizationUrl.searchParams.get('state')!)
      .digest('hex');
    await sql(
      `update oidc_logins set nonce = 'another-nonce-than-the-id-token-has' where state_hash = ?`,
      [stateHash],
    );
    expectProblem(await callbackRequest(callback), 400, /failed validation.*nonce/);
    expect(await sql('select id from users where email = ?', ['nonce@corp.test'])).toEqual([]);
  });

  it('accepts a one-time code once, and only with the PKCE verifier the client started with', async () => {
    const { code, verifier, answer } = await signInWith('replay-sub', {
      email: 'replay@corp.test',
      email_verified: true,
    });
    expect(answer.statusCode).toBe(200);
    expectProblem(await exchange(code, verifier), 400, /invalid, expired or already used/);

    const other = await signInWith('replay-sub', undefined, undefined);
    expect(other.answer.statusCode).toBe(200);
    const third = await throughProvider('replay-sub');
    const back = await callbackRequest(third.callback);
    const thirdCode = new URL(back.headers.location as string).searchParams.get('code')!;
    const wrong = await exchange(thirdCode, pkce().verifier);
    expectProblem(wrong, 400, /codeVerifier does not match/);
    expectProblem(
      await exchange(thirdCode, third.verifier),
      400,
      /invalid, expired or already used/,
    );
  });

  it('asks for the TOTP code at the exchange when the user has 2FA on', async () => {
    const user = await signUp(t.app, 'twofactor');
    await sql('update users set email_verified_at = now() where id = ?', [user.userId]);
    const enrol = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/enrol',
      headers: { authorization: `Bearer ${user.accessToken}` },
      payload: { password: PASSWORD },
    });
    const totp = URI.parse(enrol.json().otpauthUri) as TOTP;
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/confirm',
      headers: { authorization: `Bearer ${user.accessToken}` },
      payload: { code: totp.generate({ timestamp: Date.now() - 30_000 }) },
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    const recoveryCodes = confirm.json().recoveryCodes as string[];

    const first = await signInWith('2fa-sub', { email: user.email, email_verified: true });
    expectProblem(first.answer, 401, /two-factor authentication: send `totp`/);
    // The code stays valid while the person types the TOTP code.
    const withCode = await exchange(first.code, first.verifier, totp.generate());
    expect(withCode.statusCode, withCode.body).toBe(200);
    expect((await me(withCode.json().accessToken)).json().id).toBe(user.userId);

    // A wrong code ends that sign-in.
    const second = await signInWith('2fa-sub', undefined, '000000');
    expectProblem(second.answer, 401, /wrong or already used/);
    expectProblem(
      await exchange(second.code, second.verifier, recoveryCodes[0]),
      400,
      /already used/,
    );
    const third = await signInWith('2fa-sub', undefined, recoveryCodes[0]);
    expect(third.answer.statusCode).toBe(200);
  });

  it('refuses to sign in an account a platform admin disabled', async () => {
    const first = await signInWith('disabled-sub', {
      email: 'disabled@corp.test',
      email_verified: true,
    });
    expect(first.answer.statusCode).toBe(200);
    await sql(`update users set disabled_at = now() where email = 'disabled@corp.test'`);
    const again = await signInWith('disabled-sub');
    expectProblem(again.answer, 403, /this account is disabled/);
  });

  it('answers 404 for an unknown provider', async () => {
    expectProblem(
      await t.app.inject({ method: 'GET', url: startUrl({}, 'nope') }),
      404,
      /identity provider not found/,
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/auth/oidc/nope/callback?code=x&state=y' }),
      404,
      /identity provider not found/,
    );
  });

  it('refuses a redirect_uri that is not on the allowlist, and a missing PKCE challenge', async () => {
    for (const uri of [
      'https://evil.example/done',
      'https://app.example.test/auth/done/../x',
      'https://app.example.test:8443/auth/done',
      'http://localhost:53123/done',
      'http://127.0.0.1:53123/other',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: startUrl({ redirect_uri: uri }) });
      expectProblem(res, 400, /redirect_uri is not allowed/);
      expect(res.json().errors).toEqual([
        { path: 'query.redirect_uri', message: 'must be listed in MAESTRO_OIDC_REDIRECT_URIS' },
      ]);
    }
    const allowed = await t.app.inject({
      method: 'GET',
      url: startUrl({ redirect_uri: 'https://app.example.test/auth/done' }),
    });
    expect(allowed.statusCode).toBe(302);
    const noPkce = await t.app.inject({
      method: 'GET',
      url: `/v1/auth/oidc/corp/start?redirect_uri=${encodeURIComponent(CLIENT_REDIRECT)}`,
    });
    expect(noPkce.statusCode).toBe(400);
    expect(noPkce.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['query.code_challenge', 'query.code_challenge_method']),
    );
  });

  it('answers 502 when the provider cannot be reached', async () => {
    expectProblem(
      await t.app.inject({ method: 'GET', url: startUrl({}, 'down') }),
      502,
      /"Unreachable" could not be reached/,
    );
  });
});

describe('OIDC configuration', () => {
  it('names the bad provider field without echoing the value (it holds client secrets)', () => {
    let error: unknown;
    try {
      loadConfig({
        NODE_ENV: 'test',
        MAESTRO_OIDC_PROVIDERS: JSON.stringify([
          { id: 'ok', name: 'OK', issuer: 'https://idp.example', clientId: 'a' },
          {
            id: 'Bad Id',
            name: 'X',
            issuer: 'http://idp.example',
            clientId: 'b',
            clientSecret: 'super-secret-value',
          },
        ]),
        MAESTRO_OIDC_REDIRECT_URIS: 'http://127.0.0.1/done,not a url',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      {
        variable: 'MAESTRO_OIDC_PROVIDERS',
        message: '[1].id: must be 1-32 lower-case letters, digits or -',
      },
      {
        variable: 'MAESTRO_OIDC_PROVIDERS',
        message: '[1].issuer: must be an https URL (http only on a loopback host)',
      },
      {
        variable: 'MAESTRO_OIDC_REDIRECT_URIS',
        message: expect.stringContaining('entry 2 must be an absolute URL'),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('super-secret-value');
    expect(() => loadConfig({ NODE_ENV: 'test', MAESTRO_OIDC_PROVIDERS: '{not json' })).toThrow(
      /MAESTRO_OIDC_PROVIDERS: must be a JSON array of providers/,
    );
  });
});
