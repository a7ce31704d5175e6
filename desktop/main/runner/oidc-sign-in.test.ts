/**
 * Sign-in with the runner's OpenID Connect provider through the real router, against a real
 * runner (API on 127.0.0.1, PostgreSQL), a real oidc-provider and a real Secret Service. The
 * test plays the system browser over HTTP: the provider's login form, then the runner's
 * callback, then the desktop's loopback listener.
 */
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpFor } from '../../../runner/src/identity/totp';
import { withSystemContext } from '../../../runner/src/db/org-context';
import { createKeytarKeychain } from '../keychain/keychain';
import { startOidcRunner } from '../../test/support/oidc-runner';
import type { OidcRunner } from '../../test/support/oidc-runner';
import { RUNNER_PASSWORD } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';
import { OIDC_REDIRECT_PATH, OidcSignIn } from './oidc-sign-in';
import { refreshAccount } from './runner-sessions';

const secretService = await startSecretService();
const SERVICE = `maestro-test-oidc-${process.pid}`;

/** What a browser tab shows after following every redirect from `url`. */
async function browse(url: string | URL): Promise<{ url: URL; status: number; text: string }> {
  const response = await fetch(url);
  return { url: new URL(response.url), status: response.status, text: await response.text() };
}

/** The runner's redirect to the desktop's loopback listener, without following it. */
async function loopbackRedirect(callback: URL): Promise<URL> {
  const response = await fetch(callback, { redirect: 'manual' });
  expect(response.status, await response.text()).toBe(302);
  return new URL(response.headers.get('location')!);
}

describe.skipIf(!secretService.available)(
  `OIDC sign-in (real runner, real oidc-provider, real Secret Service)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let stack: OidcRunner;
    let app: TestApp;
    let subjects = 0;

    beforeAll(async () => {
      stack = await startOidcRunner();
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await stack?.close();
      secretService.stop();
    });

    const newProfile = (target: TestApp = app) =>
      target.caller.runner.profiles.create({ name: 'SSO runner', baseUrl: stack.runner.url });

    /** A person known to the provider with a verified email. */
    function person(account: { email?: string; email_verified?: boolean } = {}) {
      const subject = `sub-${++subjects}-${process.pid}`;
      const email = account.email ?? `${subject}@corp.example`;
      stack.idp.accounts.set(subject, { email_verified: true, ...account, email });
      return { subject, email };
    }

    it('lists the runner’s providers by name', async () => {
      const profile = await newProfile();
      expect(await app.caller.runner.profiles.oidc.providers({ profileId: profile.id })).toEqual([
        { id: 'corp', name: 'Corp SSO' },
      ]);
    });

    it('signs in through the provider and keeps the session like a password sign-in', async () => {
      const profile = await newProfile();
      const { subject, email } = person();
      const started = await app.caller.runner.profiles.oidc.start({
        profileId: profile.id,
        providerId: 'corp',
      });
      // The browser host cannot open a browser: the renderer opens the provider's page.
      expect(started.openedInBrowser).toBe(false);
      const authorization = new URL(started.authorizationUrl);
      expect(authorization.origin).toBe(stack.idp.issuer);
      const finishing = app.caller.runner.profiles.oidc.finish({ flowId: started.flowId });

      const callback = await stack.idp.signIn(started.authorizationUrl, subject);
      const tab = await browse(callback);
      expect(tab.url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(tab.url.pathname).toBe(OIDC_REDIRECT_PATH);
      expect(tab.status).toBe(200);
      expect(tab.text).toContain('You can close this tab');

      const result = await finishing;
      expect(result.status).toBe('signed-in');
      if (result.status !== 'signed-in') return;
      expect(result.profile).toMatchObject({ signedIn: true, email });
      const refreshToken = await keytar.getPassword(SERVICE, refreshAccount(profile.id));
      expect(refreshToken).toBeTruthy();
      const answers = JSON.stringify([started, result, await app.caller.runner.profiles.list()]);
      expect(answers).not.toContain(refreshToken!);
      expect(answers).not.toMatch(/accessToken|refreshToken/);
      // Signed in for real: a call that needs the session works.
      expect(await app.caller.runner.profiles.organizations({ profileId: profile.id })).toEqual([]);
      // One shot: the listener is gone, and so is the flow.
      await expect(fetch(tab.url)).rejects.toThrow();
      await expect(
        app.caller.runner.profiles.oidc.finish({ flowId: started.flowId }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', message: /no longer in progress/ });
    });

    it('opens the provider in the system browser when the host can (Electron)', async () => {
      const { subject, email } = person();
      const opened: string[] = [];
      const electron = createTestApp({
        keychain: createKeytarKeychain({ service: SERVICE }),
        // The "system browser": signs in at the provider and follows the redirects to the app.
        openExternal: async (url) => {
          opened.push(url);
          void stack.idp.signIn(url, subject).then(browse);
        },
      });
      try {
        const profile = await newProfile(electron);
        const started = await electron.caller.runner.profiles.oidc.start({
          profileId: profile.id,
          providerId: 'corp',
        });
        expect(started.openedInBrowser).toBe(true);
        expect(opened).toEqual([started.authorizationUrl]);
        const result = await electron.caller.runner.profiles.oidc.finish({
          flowId: started.flowId,
        });
        expect(result).toMatchObject({ status: 'signed-in', profile: { email } });
      } finally {
        await electron.close();
      }
    });

    it('asks for the TOTP code when the account has 2FA on, then signs in with it', async () => {
      const user = await stack.runner.signUp('twofactor');
      await withSystemContext(stack.runner.runner.db.orm, (em) =>
        em.execute('update users set email_verified_at = now() where id = ?', [user.userId]),
      );
      const headers = { authorization: `Bearer ${user.accessToken}` };
      const enrol = await stack.runner.runner.app.inject({
        method: 'POST',
        url: '/v1/auth/2fa/enrol',
        headers,
        payload: { password: RUNNER_PASSWORD },
      });
      const totp = totpFor(enrol.json<{ secret: string }>().secret, user.email);
      const confirm = await stack.runner.runner.app.inject({
        method: 'POST',
        url: '/v1/auth/2fa/confirm',
        headers,
        payload: { code: totp.generate({ timestamp: Date.now() - 30_000 }) },
      });
      expect(confirm.statusCode, confirm.body).toBe(200);
      const { subject } = person({ email: user.email });

      const profile = await newProfile();
      const started = await app.caller.runner.profiles.oidc.start({
        profileId: profile.id,
        providerId: 'corp',
      });
      const finishing = app.caller.runner.profiles.oidc.finish({ flowId: started.flowId });
      await browse(await stack.idp.signIn(started.authorizationUrl, subject));
      expect(await finishing).toEqual({ status: 'totp-required' });
      expect(
        (await app.caller.runner.profiles.list()).find((p) => p.id === profile.id),
      ).toMatchObject({ signedIn: false });
      const result = await app.caller.runner.profiles.oidc.finish({
        flowId: started.flowId,
        totp: totp.generate(),
      });
      expect(result).toMatchObject({ status: 'signed-in', profile: { email: user.email } });
    });

    it('shows the runner’s error redirect plainly, in the tab and in the app', async () => {
      const { subject } = person({ email_verified: false });
      const profile = await newProfile();
      const started = await app.caller.runner.profiles.oidc.start({
        profileId: profile.id,
        providerId: 'corp',
      });
      // Caught at once: the answer arrives while the test still plays the browser.
      const failure = app.caller.runner.profiles.oidc
        .finish({ flowId: started.flowId })
        .catch((error: unknown) => error);
      const tab = await browse(await stack.idp.signIn(started.authorizationUrl, subject));
      expect(tab.url.searchParams.get('error')).toBe('access_denied');
      expect(tab.text).toContain('Sign-in failed');
      expect(tab.text).toContain('did not send a verified email address');
      expect(await failure).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(
          /^The sign-in did not succeed: the identity provider did not send a verified email address/,
        ),
      });
      expect(await keytar.getPassword(SERVICE, refreshAccount(profile.id))).toBeNull();
    });

    it('refuses a redirect with another state, and still takes the real one', async () => {
      const { subject, email } = person();
      const profile = await newProfile();
      const started = await app.caller.runner.profiles.oidc.start({
        profileId: profile.id,
        providerId: 'corp',
      });
      const finishing = app.caller.runner.profiles.oidc.finish({ flowId: started.flowId });
      const genuine = await loopbackRedirect(
        await stack.idp.signIn(started.authorizationUrl, subject),
      );
      const forged = new URL(genuine);
      forged.searchParams.set('state', 'an-attacker-state');
      const refused = await browse(forged);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('does not belong to the sign-in Maestro is waiting for');
      const stateless = new URL(genuine);
      stateless.searchParams.delete('state');
      expect((await browse(stateless)).status).toBe(400);

      expect((await browse(genuine)).status).toBe(200);
      expect(await finishing).toMatchObject({ status: 'signed-in', profile: { email } });
    });

    it('gives up after the timeout: the listener is closed and a late redirect finds no one', async () => {
      const { subject } = person();
      const profile = await newProfile();
      const oidc = new OidcSignIn(app.services.runner.connections, { timeoutMs: 300 });
      const started = await oidc.start({ profileId: profile.id, providerId: 'corp' });
      await expect(oidc.finish({ flowId: started.flowId })).rejects.toThrow(
        /not finished within 1 minute\(s\): start it again/,
      );
      const late = await loopbackRedirect(
        await stack.idp.signIn(started.authorizationUrl, subject),
      );
      await expect(fetch(late)).rejects.toMatchObject({
        cause: { code: 'ECONNREFUSED' },
      });
      await expect(oidc.finish({ flowId: started.flowId })).rejects.toThrow(
        /no longer in progress/,
      );
    });

    it('cancels: the wait ends and the listener closes', async () => {
      const { subject } = person();
      const profile = await newProfile();
      const started = await app.caller.runner.profiles.oidc.start({
        profileId: profile.id,
        providerId: 'corp',
      });
      const failure = app.caller.runner.profiles.oidc
        .finish({ flowId: started.flowId })
        .catch((error: unknown) => error);
      expect(await app.caller.runner.profiles.oidc.cancel({ flowId: started.flowId })).toEqual({
        canceled: true,
      });
      expect(await failure).toMatchObject({ message: 'The sign-in was canceled.' });
      const late = await loopbackRedirect(
        await stack.idp.signIn(started.authorizationUrl, subject),
      );
      await expect(fetch(late)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
      expect(await app.caller.runner.profiles.oidc.cancel({ flowId: started.flowId })).toEqual({
        canceled: false,
      });
    });

    it('shows the runner’s refusal of an unknown provider in the app, not in a browser tab', async () => {
      const profile = await newProfile();
      await expect(
        app.caller.runner.profiles.oidc.start({ profileId: profile.id, providerId: 'nope' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', message: /The runner refused \(404\)/ });
    });
  },
);
