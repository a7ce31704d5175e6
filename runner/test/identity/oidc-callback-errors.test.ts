import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALLBACK,
  createOidcFlow,
  expectClientError,
  expectProblem,
  stateHashOf,
  type OidcFlow,
} from './support/oidc-flow';

let flow: OidcFlow;
beforeAll(async () => {
  flow = await createOidcFlow();
});
afterAll(() => flow?.close());

/** A flow started by the client and left at the provider: its state, and its callback URL. */
async function startedFlow() {
  const start = await flow.t.app.inject({ method: 'GET', url: flow.startUrl({}) });
  expect(start.statusCode).toBe(302);
  const authorizationUrl = new URL(start.headers.location as string);
  return { authorizationUrl, state: authorizationUrl.searchParams.get('state')! };
}

const failures = () =>
  flow.sql<{ details: { reason: string } }>(
    `select details from audit_events where action = 'auth.login_failed' and details->>'method' = 'oidc'`,
  );

describe('OIDC callback errors go back to the client', () => {
  it('passes a consent the provider refused on to the client, and ends the sign-in', async () => {
    const { state } = await startedFlow();
    const denied = new URL(CALLBACK);
    denied.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'the user said "no" <script>',
      state,
      iss: flow.idp.issuer,
    }).toString();
    const description = expectClientError(
      await flow.callbackRequest(denied),
      'access_denied',
      /refused the sign-in \(access_denied\)/,
    );
    // Our own words: the provider's description is not reflected.
    expect(description).not.toMatch(/script|said/);
    expectProblem(
      await flow.callbackRequest(denied),
      400,
      /state is unknown, expired or already used/,
    );
    expect((await failures()).some((f) => /access_denied/.test(f.details.reason))).toBe(true);
  });

  it('tells the client when the provider is unavailable, as temporarily_unavailable', async () => {
    const { authorizationUrl, state } = await startedFlow();
    // The provider behind this flow goes away before the person comes back.
    await flow.sql(`update oidc_logins set provider_id = 'down' where state_hash = ?`, [
      stateHashOf(authorizationUrl),
    ]);
    const back = await flow.t.app.inject({
      method: 'GET',
      url: `/v1/auth/oidc/down/callback?code=abc&state=${state}`,
    });
    // `"` is not allowed in error_description (RFC 6749 §4.1.2.1): it becomes `'`.
    expectClientError(back, 'temporarily_unavailable', /'Unreachable' could not be reached/);
  });

  it('sends the error to the https redirect URI with the client state it gave', async () => {
    flow.idp.accounts.set('https-sub', { email: 'https@corp.test', email_verified: false });
    const start = await flow.t.app.inject({
      method: 'GET',
      url: flow.startUrl({ redirect_uri: 'https://app.example.test/auth/done', state: 'xyz' }),
    });
    const callback = await flow.idp.signIn(start.headers.location as string, 'https-sub');
    expectClientError(await flow.callbackRequest(callback), 'access_denied', /email_verified/, {
      redirectUri: 'https://app.example.test/auth/done',
      state: 'xyz',
    });
  });

  it('answers problem+json, redirecting nowhere, when the state is missing, forged or replayed', async () => {
    flow.idp.accounts.set('state-sub', { email: 'state@corp.test', email_verified: true });
    const { callback } = await flow.throughProvider('state-sub');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state-we-sent');
    const forgedAnswer = await flow.callbackRequest(forged);
    expectProblem(forgedAnswer, 400, /state is unknown, expired or already used/);
    expect(forgedAnswer.headers.location).toBeUndefined();
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    const noState = await flow.callbackRequest(missing);
    expectProblem(noState, 400, /state is missing/);
    expect(noState.json().errors).toEqual([{ path: 'query.state', message: 'required' }]);

    expect((await flow.callbackRequest(callback)).statusCode).toBe(302); // the genuine one works
    expectProblem(
      await flow.callbackRequest(callback),
      400,
      /state is unknown, expired or already used/,
    );
  });

  it('answers problem+json for a flow that expired at the provider', async () => {
    flow.idp.accounts.set('slow-sub', { email: 'slow@corp.test', email_verified: true });
    const { callback, authorizationUrl } = await flow.throughProvider('slow-sub');
    await flow.sql(
      `update oidc_logins set expires_at = now() - interval '1 second' where state_hash = ?`,
      [stateHashOf(authorizationUrl)],
    );
    const late = await flow.callbackRequest(callback);
    expectProblem(late, 400, /state is unknown, expired or already used/);
    expect(late.headers.location).toBeUndefined();
    expect(await flow.sql('select id from users where email = ?', ['slow@corp.test'])).toEqual([]);
  });

  it('never redirects to a URI taken off the allowlist while the sign-in was in flight', async () => {
    flow.idp.accounts.set('moved-sub', { email: 'moved@corp.test', email_verified: false });
    const { callback, authorizationUrl } = await flow.throughProvider('moved-sub');
    await flow.sql(
      `update oidc_logins set redirect_uri = 'https://evil.example/done' where state_hash = ?`,
      [stateHashOf(authorizationUrl)],
    );
    const answer = await flow.callbackRequest(callback);
    expectProblem(answer, 403, /email_verified must be true/);
    expect(answer.headers.location).toBeUndefined();
  });

  it('tells the client when the provider has not verified the email', async () => {
    for (const [subject, account] of [
      ['unverified-sub', { email: 'unverified@corp.test', email_verified: false }],
      ['no-email-sub', { name: 'No Email' }],
    ] as const) {
      flow.idp.accounts.set(subject, account);
      const { callback } = await flow.throughProvider(subject);
      expectClientError(
        await flow.callbackRequest(callback),
        'access_denied',
        /did not send a verified email address \(email_verified must be true\)/,
      );
    }
    expect(
      await flow.sql('select id from users where email = ?', ['unverified@corp.test']),
    ).toEqual([]);
    expect((await failures()).some((f) => /email_verified/.test(f.details.reason))).toBe(true);
  });

  it('tells the client when the account is disabled, at the callback and at the exchange', async () => {
    const first = await flow.signInWith('disabled-sub', {
      email: 'disabled@corp.test',
      email_verified: true,
    });
    expect(first.answer.statusCode).toBe(200);
    await flow.sql(`update users set disabled_at = now() where email = 'disabled@corp.test'`);
    const { callback } = await flow.throughProvider('disabled-sub');
    expectClientError(
      await flow.callbackRequest(callback),
      'access_denied',
      /this account is disabled/,
    );

    // Disabled between the callback and the exchange: the exchange refuses.
    await flow.sql(`update users set disabled_at = null where email = 'disabled@corp.test'`);
    const { callback: again, verifier } = await flow.throughProvider('disabled-sub');
    const back = await flow.callbackRequest(again);
    const code = new URL(back.headers.location as string).searchParams.get('code')!;
    await flow.sql(`update users set disabled_at = now() where email = 'disabled@corp.test'`);
    expectProblem(await flow.exchange(code, verifier), 403, /this account is disabled/);
  });

  it('tells the client when the ID token fails validation (nonce) or names an unusable subject', async () => {
    flow.idp.accounts.set('nonce-sub', { email: 'nonce@corp.test', email_verified: true });
    const { callback, authorizationUrl } = await flow.throughProvider('nonce-sub');
    await flow.sql(
      `update oidc_logins set nonce = 'another-nonce-than-the-id-token-has' where state_hash = ?`,
      [stateHashOf(authorizationUrl)],
    );
    expectClientError(
      await flow.callbackRequest(callback),
      'access_denied',
      /failed validation.*nonce/,
    );
    expect(await flow.sql('select id from users where email = ?', ['nonce@corp.test'])).toEqual([]);

    const longSubject = 's'.repeat(256);
    flow.idp.accounts.set(longSubject, { email: 'long@corp.test', email_verified: true });
    const long = await flow.throughProvider(longSubject);
    expectClientError(
      await flow.callbackRequest(long.callback),
      'access_denied',
      /unusable subject/,
    );
  });
});
