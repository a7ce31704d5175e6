import type { TOTP } from 'otpauth';
import { URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/test-app';
import {
  CLIENT_REDIRECT,
  createOidcFlow,
  expectClientError,
  expectProblem,
  pkce,
  stateHashOf,
  type OidcFlow,
} from './support/oidc-flow';

let flow: OidcFlow;
beforeAll(async () => {
  flow = await createOidcFlow();
});
afterAll(() => flow?.close());

const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

/** A user created by a first OIDC sign-in (no password), with their tokens. */
async function oidcOnlyUser(subject: string) {
  const { answer } = await flow.signInWith(subject, {
    email: `${subject}@corp.test`,
    email_verified: true,
  });
  expect(answer.statusCode, answer.body).toBe(200);
  const accessToken = answer.json().accessToken as string;
  const me = await flow.t.app.inject({ url: '/v1/users/me', headers: bearer(accessToken) });
  return { subject, accessToken, userId: me.json().id as string };
}

const startStepUp = (accessToken: string, body: Record<string, unknown>, provider = 'corp') =>
  flow.t.app.inject({
    method: 'POST',
    url: `/v1/auth/oidc/${provider}/reauth`,
    headers: bearer(accessToken),
    payload: { redirectUri: CLIENT_REDIRECT, codeChallengeMethod: 'S256', ...body },
  });

/**
 * The client's step-up: ask for the authorization URL, let the person sign in at the provider
 * as `signInAs`, follow the callback. Returns the callback's answer and the PKCE verifier.
 */
async function stepUp(
  user: { accessToken: string; subject: string },
  {
    signInAs = user.subject,
    beforeCallback = async (_url: URL): Promise<unknown> => undefined,
  } = {},
) {
  const { verifier, challenge } = pkce();
  const start = await startStepUp(user.accessToken, { codeChallenge: challenge, state: 's-1' });
  expect(start.statusCode, start.body).toBe(200);
  const authorizationUrl = new URL(start.json().authorizationUrl as string);
  const callback = await flow.idp.signIn(authorizationUrl.href, signInAs);
  await beforeCallback(authorizationUrl);
  const back = await flow.callbackRequest(callback);
  return { back, verifier, authorizationUrl };
}

const codeOf = (back: { headers: Record<string, unknown> }) =>
  new URL(back.headers.location as string).searchParams.get('code')!;

const enrol = (accessToken: string, payload: Record<string, unknown>) =>
  flow.t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/enrol',
    headers: bearer(accessToken),
    payload,
  });

describe('2FA enrolment for users without a password (OIDC step-up)', () => {
  it('lets an OIDC-only admin enrol TOTP after signing in at the provider again, and then act', async () => {
    const admin = await oidcOnlyUser('admin-sub');
    const org = await flow.t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: bearer(admin.accessToken),
      payload: { name: 'SSO org' },
    });
    expect(org.statusCode).toBe(201);
    await flow.sql(`update memberships set role = 'admin' where user_id = ?`, [admin.userId]);
    const orgHeaders = { ...bearer(admin.accessToken), 'x-organization-id': org.json().id };
    const blocked = await flow.t.app.inject({ url: '/v1/workflows', headers: orgHeaders });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().detail).toMatch(/two-factor/);
    // No password to re-enter.
    expectProblem(
      await enrol(admin.accessToken, { password: 'anything' }),
      401,
      /password is wrong/,
    );

    const { back, verifier, authorizationUrl } = await stepUp(admin);
    // The provider is told to make the person sign in again, whatever session it has.
    expect(authorizationUrl.searchParams.get('prompt')).toBe('login');
    expect(authorizationUrl.searchParams.get('max_age')).toBe('0');
    expect(back.statusCode, back.body).toBe(302);
    const redirect = new URL(back.headers.location as string);
    expect(redirect.origin + redirect.pathname).toBe(CLIENT_REDIRECT);
    expect([...redirect.searchParams.keys()].sort()).toEqual(['code', 'state']);
    expect(redirect.searchParams.get('state')).toBe('s-1');

    const enrolled = await enrol(admin.accessToken, {
      oidcCode: codeOf(back),
      codeVerifier: verifier,
    });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    const totp = URI.parse(enrolled.json().otpauthUri as string) as TOTP;
    const confirm = await flow.t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/confirm',
      headers: bearer(admin.accessToken),
      payload: { code: totp.generate() },
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(
      (await flow.t.app.inject({ url: '/v1/workflows', headers: orgHeaders })).statusCode,
    ).toBe(200);
    const events = await flow.sql<{ action: string }>(
      `select action from audit_events where actor_user_id = ? and action like 'auth.%' order by at, id`,
      [admin.userId],
    );
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.oidc_reauthenticated', 'auth.2fa_enabled']),
    );
  });

  it('accepts a step-up code once, only with its verifier, only for its user, and never as a sign-in', async () => {
    const user = await oidcOnlyUser('once-sub');
    const other = await oidcOnlyUser('other-sub');

    const first = await stepUp(user);
    // Not a sign-in: the exchange does not know it...
    expectProblem(
      await flow.exchange(codeOf(first.back), first.verifier),
      400,
      /invalid, expired or already used/,
    );
    // ...another signed-in user cannot spend it...
    expectProblem(
      await enrol(other.accessToken, {
        oidcCode: codeOf(first.back),
        codeVerifier: first.verifier,
      }),
      401,
      /re-authentication code is invalid/,
    );
    // ...a wrong verifier spends it...
    expectProblem(
      await enrol(user.accessToken, {
        oidcCode: codeOf(first.back),
        codeVerifier: pkce().verifier,
      }),
      401,
      /re-authentication code is invalid/,
    );
    expectProblem(
      await enrol(user.accessToken, { oidcCode: codeOf(first.back), codeVerifier: first.verifier }),
      401,
      /re-authentication code is invalid/,
    );

    // A sign-in's one-time code does not re-authenticate.
    const signIn = await flow.signInWith('once-sub');
    expect(signIn.answer.statusCode).toBe(200);
    const unused = await flow.throughProvider('once-sub');
    const signInBack = await flow.callbackRequest(unused.callback);
    expectProblem(
      await enrol(user.accessToken, {
        oidcCode: codeOf(signInBack),
        codeVerifier: unused.verifier,
      }),
      401,
      /re-authentication code is invalid/,
    );

    const second = await stepUp(user);
    const ok = { oidcCode: codeOf(second.back), codeVerifier: second.verifier };
    expect((await enrol(user.accessToken, ok)).statusCode).toBe(201);
    expectProblem(await enrol(user.accessToken, ok), 401, /re-authentication code is invalid/);
  });

  it('refuses a step-up signed in at the provider as another account', async () => {
    const user = await oidcOnlyUser('victim-sub');
    await oidcOnlyUser('intruder-sub');
    const { back } = await stepUp(user, { signInAs: 'intruder-sub' });
    expectClientError(back, 'access_denied', /as another account/, { state: 's-1' });
    const failed = await flow.sql<{ details: Record<string, unknown> }>(
      `select details from audit_events where action = 'auth.login_failed' and actor_user_id = ?`,
      [user.userId],
    );
    expect(failed.map((f) => f.details)).toEqual([
      expect.objectContaining({ method: 'oidc', purpose: 'reauth', provider: 'corp' }),
    ]);
  });

  it('refuses a step-up whose auth_time is older than the step-up (a reused provider session)', async () => {
    const user = await oidcOnlyUser('stale-sub');
    const { back } = await stepUp(user, {
      // As if the provider had ignored prompt=login and answered from a session opened
      // before the step-up began: the step-up started after the person last signed in there.
      beforeCallback: (url) =>
        flow.sql(
          `update oidc_logins set created_at = now() + interval '5 minutes' where state_hash = ?`,
          [stateHashOf(url)],
        ),
    });
    expectClientError(back, 'access_denied', /did not ask you to sign in again/, { state: 's-1' });
  });

  it('checks the step-up request and the enrolment body, naming the field', async () => {
    const user = await oidcOnlyUser('checks-sub');
    const { challenge } = pkce();
    const anonymous = await flow.t.app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/corp/reauth',
      payload: {
        redirectUri: CLIENT_REDIRECT,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      },
    });
    expect(anonymous.statusCode).toBe(401);
    expectProblem(
      await startStepUp(user.accessToken, { codeChallenge: challenge }, 'nope'),
      404,
      /identity provider not found/,
    );
    const unlisted = await startStepUp(user.accessToken, {
      codeChallenge: challenge,
      redirectUri: 'https://evil.example/done',
    });
    expectProblem(unlisted, 400, /redirect_uri is not allowed/);
    expect(unlisted.json().errors).toEqual([
      { path: 'redirectUri', message: 'must be listed in MAESTRO_OIDC_REDIRECT_URIS' },
    ]);
    // A password user who never signed in with the provider has nothing to step up with.
    const passwordUser = await signUp(flow.t.app, 'pw');
    const unlinked = await startStepUp(passwordUser.accessToken, { codeChallenge: challenge });
    expectProblem(unlinked, 400, /never signed in with "Corp SSO"/);

    const paths = async (payload: Record<string, unknown>) => {
      const res = await enrol(user.accessToken, payload);
      expect(res.statusCode).toBe(400);
      return (res.json().errors as { path: string; message: string }[]).map((e) => e.path);
    };
    expect(await paths({})).toEqual(['password']);
    expect(await paths({ password: 'x', oidcCode: 'y', codeVerifier: pkce().verifier })).toEqual([
      'password',
    ]);
    expect(await paths({ oidcCode: 'y' })).toEqual(['codeVerifier']);
    expect(await paths({ oidcCode: 'y', codeVerifier: 'short' })).toEqual(['codeVerifier']);
  });
});
