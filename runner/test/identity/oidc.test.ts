import { createHash } from 'node:crypto';
import type { TOTP } from 'otpauth';
import { URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { signUp } from '../support/test-app';
import {
  CALLBACK,
  CLIENT_REDIRECT,
  createOidcFlow,
  expectProblem,
  pkce,
  type OidcFlow,
} from './support/oidc-flow';

const PASSWORD = 'correct horse battery';

let flow: OidcFlow;
beforeAll(async () => {
  flow = await createOidcFlow();
});
afterAll(() => flow?.close());

const sql: OidcFlow['sql'] = (query, params) => flow.sql(query, params);
const startUrl: OidcFlow['startUrl'] = (query, provider) => flow.startUrl(query, provider);
const throughProvider: OidcFlow['throughProvider'] = (subject, state) =>
  flow.throughProvider(subject, state);
const callbackRequest: OidcFlow['callbackRequest'] = (callback) => flow.callbackRequest(callback);
const exchange: OidcFlow['exchange'] = (code, verifier, totp) =>
  flow.exchange(code, verifier, totp);
const signInWith: OidcFlow['signInWith'] = (subject, account, totp) =>
  flow.signInWith(subject, account, totp);

const me = (accessToken: string) =>
  flow.t.app.inject({
    method: 'GET',
    url: '/v1/users/me',
    headers: { authorization: `Bearer ${accessToken}` },
  });
const passwordLogin = (email: string, password = PASSWORD) =>
  flow.t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

describe('OpenID Connect sign-in', () => {
  it('lists the configured providers by id and display name only', async () => {
    const res = await flow.t.app.inject({ method: 'GET', url: '/v1/auth/oidc/providers' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { id: 'corp', name: 'Corp SSO' },
        { id: 'down', name: 'Unreachable' },
      ],
    });
  });

  it('redirects to the provider with state, nonce and an S256 PKCE challenge', async () => {
    const res = await flow.t.app.inject({ method: 'GET', url: startUrl({}) });
    expect(res.statusCode).toBe(302);
    const url = new URL(res.headers.location as string);
    expect(url.origin).toBe(flow.idp.issuer);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      client_id: flow.idp.clientId,
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
    const forgot = await flow.t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: 'new.person@corp.test' },
    });
    expect(forgot.statusCode).toBe(202);

    // The refresh token is an ordinary one.
    const refreshed = await flow.t.app.inject({
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
    // Recorded once: by the exchange route, not a second time by the central audit hook.
    const signIns = events.filter((e) => e.action === 'auth.login_succeeded');
    expect(signIns.map((e) => e.details)).toEqual([{ method: 'oidc', provider: 'corp' }]);
  });

  it('links an existing password user by verified email, then matches by subject even if the email changes', async () => {
    const existing = await signUp(flow.t.app, 'linked');
    await sql('update users set email_verified_at = now() where id = ?', [existing.userId]);
    const first = await signInWith('linked-sub', {
      email: existing.email.toUpperCase(),
      email_verified: true,
    });
    expect(first.answer.statusCode, first.answer.body).toBe(200);
    expect((await me(first.answer.json().accessToken)).json().id).toBe(existing.userId);
    expect((await passwordLogin(existing.email)).statusCode).toBe(200); // the password still works

    flow.idp.accounts.set('linked-sub', { email: 'renamed@corp.test', email_verified: false });
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
    const squatter = await signUp(flow.t.app, 'squatted'); // registered, never verified
    const { answer } = await signInWith('owner-sub', {
      email: squatter.email,
      email_verified: true,
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect((await me(answer.json().accessToken)).json().id).toBe(squatter.userId);
    expectProblem(await passwordLogin(squatter.email), 401, /wrong email or password/);
    const refresh = await flow.t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: squatter.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('lets two concurrent first sign-ins of one person end on one account', async () => {
    flow.idp.accounts.set('race-sub', { email: 'race@corp.test', email_verified: true });
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

  it('stores a display name from the provider without control characters', async () => {
    const { answer } = await signInWith('odd-name-sub', {
      email: 'odd@corp.test',
      email_verified: true,
      name: 'Odd\u0000 Name\n',
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect((await me(answer.json().accessToken)).json().name).toBe('Odd Name');
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
    const user = await signUp(flow.t.app, 'twofactor');
    await sql('update users set email_verified_at = now() where id = ?', [user.userId]);
    const enrol = await flow.t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/enrol',
      headers: { authorization: `Bearer ${user.accessToken}` },
      payload: { password: PASSWORD },
    });
    const totp = URI.parse(enrol.json().otpauthUri) as TOTP;
    const confirm = await flow.t.app.inject({
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

  it('answers 404 for an unknown provider', async () => {
    expectProblem(
      await flow.t.app.inject({ method: 'GET', url: startUrl({}, 'nope') }),
      404,
      /identity provider not found/,
    );
    expectProblem(
      await flow.t.app.inject({ method: 'GET', url: '/v1/auth/oidc/nope/callback?code=x&state=y' }),
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
      const res = await flow.t.app.inject({ method: 'GET', url: startUrl({ redirect_uri: uri }) });
      expectProblem(res, 400, /redirect_uri is not allowed/);
      expect(res.json().errors).toEqual([
        { path: 'query.redirect_uri', message: 'must be listed in MAESTRO_OIDC_REDIRECT_URIS' },
      ]);
    }
    const allowed = await flow.t.app.inject({
      method: 'GET',
      url: startUrl({ redirect_uri: 'https://app.example.test/auth/done' }),
    });
    expect(allowed.statusCode).toBe(302);
    const noPkce = await flow.t.app.inject({
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
      await flow.t.app.inject({ method: 'GET', url: startUrl({}, 'down') }),
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
