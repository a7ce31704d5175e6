/**
 * Two-factor authentication of a runner profile's user through the real router, against a real
 * runner (API on 127.0.0.1, PostgreSQL), a real oidc-provider for the step-up and a real Secret
 * Service. Codes are computed with otpauth, as the runner checks them.
 */
import type { TRPCError } from '@trpc/server';
import { getTRPCErrorShape } from '@trpc/server';
import type { TOTP } from 'otpauth';
import { URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../../runner/src/db/org-context';
import { TWO_FACTOR_REQUIRED_TYPE } from '../../../shared/src/contracts/runner-api';
import { createKeytarKeychain } from '../keychain/keychain';
import { appRouter } from '../router/app-router';
import { startOidcRunner } from '../../test/support/oidc-runner';
import type { OidcRunner } from '../../test/support/oidc-runner';
import { RUNNER_PASSWORD } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const secretService = await startSecretService();
const SERVICE = `maestro-test-2fa-${process.pid}`;

const totpOf = (otpauthUri: string) => URI.parse(otpauthUri) as TOTP;
/** The previous 30 s step's code: a later code (the current step's) is then still unused. */
const previousCode = (totp: TOTP) => totp.generate({ timestamp: Date.now() - 30_000 });

/** What a browser tab does with the runner's callback: follows it to the loopback listener. */
async function browse(url: URL): Promise<string> {
  return (await fetch(url)).text();
}

describe.skipIf(!secretService.available)(
  `two-factor authentication of a runner profile (real runner, real oidc-provider, real Secret Service)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let stack: OidcRunner;
    const apps: TestApp[] = [];
    let subjects = 0;

    beforeAll(async () => {
      stack = await startOidcRunner();
    }, 60_000);
    afterAll(async () => {
      for (const app of apps) await app.close();
      await stack?.close();
      secretService.stop();
    });

    /** A desktop with one runner profile (the active one). */
    async function desktop() {
      const app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      apps.push(app);
      const profile = await app.caller.runner.profiles.create({
        name: 'Runner',
        baseUrl: stack.runner.url,
      });
      return { app, profileId: profile.id };
    }

    const sql = (query: string, params: unknown[]) =>
      withSystemContext(stack.runner.runner.db.orm, (em) => em.execute(query, params));

    /** Makes the user an admin of the organization: from now on the runner wants 2FA. */
    const makeAdmin = (userId: string, organizationId: string) =>
      sql(`update memberships set role = 'admin' where user_id = ? and organization_id = ?`, [
        userId,
        organizationId,
      ]);

    /** A password user who administers an organization, signed in on a new desktop. */
    async function passwordAdmin() {
      const user = await stack.runner.signUp('admin');
      const { app, profileId } = await desktop();
      const signedIn = await app.caller.runner.profiles.signIn({
        profileId,
        email: user.email,
        password: RUNNER_PASSWORD,
      });
      expect(signedIn.status).toBe('signed-in');
      const organization = await app.caller.runner.admin.createOrganization({ name: 'Acme' });
      await makeAdmin(user.userId, organization.id);
      await app.caller.runner.profiles.selectOrganization({
        profileId,
        organizationId: organization.id,
      });
      return { user, app, profileId, organizationId: organization.id };
    }

    const blocked = {
      code: 'FORBIDDEN',
      message: expect.stringMatching(/enable two-factor authentication first/),
    };

    it('takes a password admin from blocked to enrolled, then asks for the code at sign-in', async () => {
      const { user, app, profileId, organizationId } = await passwordAdmin();
      const twoFactor = app.caller.runner.profiles.twoFactor;
      await expect(app.caller.runner.admin.members({ organizationId })).rejects.toMatchObject(
        blocked,
      );
      // What the renderer receives: the runner's problem type beside the message, which it
      // matches (not the wording) to offer the set-up.
      const refusal = await app.caller.runner.admin
        .members({ organizationId })
        .catch((error: unknown) => error as TRPCError);
      const shape = getTRPCErrorShape({
        config: appRouter._def._config,
        error: refusal as TRPCError,
        type: 'query',
        path: 'runner.admin.members',
        input: { organizationId },
        ctx: undefined,
      });
      expect(shape.data).toMatchObject({
        code: 'FORBIDDEN',
        problemType: TWO_FACTOR_REQUIRED_TYPE,
      });
      expect(await twoFactor.status({ profileId })).toEqual({
        enabled: false,
        recoveryCodesLeft: 0,
      });

      // A wrong password is refused and leaves the session as it was (no renew, no sign-out).
      await expect(
        twoFactor.enrolWithPassword({ profileId, password: 'not the password' }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /the password is wrong/ });
      expect((await app.caller.runner.profiles.list())[0]).toMatchObject({ signedIn: true });

      const enrolment = await twoFactor.enrolWithPassword({ profileId, password: RUNNER_PASSWORD });
      expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
      const totp = totpOf(enrolment.otpauthUri);
      expect(totp.secret.base32).toBe(enrolment.secret);
      expect(totp.label).toBe(user.email);

      await expect(twoFactor.confirm({ profileId, code: '000000' })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: /the code is wrong/,
      });
      const enabled = await twoFactor.confirm({ profileId, code: previousCode(totp) });
      expect(enabled.enabled).toBe(true);
      expect(enabled.recoveryCodes).toHaveLength(10);
      expect(new Set(enabled.recoveryCodes).size).toBe(10);
      expect(await twoFactor.status({ profileId })).toEqual({
        enabled: true,
        recoveryCodesLeft: 10,
      });
      // Not blocked any more.
      const members = await app.caller.runner.admin.members({ organizationId });
      expect(members.items.map((m) => m.email)).toEqual([user.email]);

      // The desktop keeps neither the secret nor the codes: not in its database, not in its
      // keychain entry.
      const { readdirSync, readFileSync } = await import('node:fs');
      for (const file of readdirSync(app.dataDir, { recursive: true, withFileTypes: true }))
        if (file.isFile()) {
          const bytes = readFileSync(`${file.parentPath}/${file.name}`, 'latin1');
          expect(bytes).not.toContain(enrolment.secret);
          expect(bytes).not.toContain(enabled.recoveryCodes[0]);
        }

      await app.caller.runner.profiles.signOut({ profileId });
      const again = { profileId, email: user.email, password: RUNNER_PASSWORD };
      expect(await app.caller.runner.profiles.signIn(again)).toEqual({ status: 'totp-required' });
      const signedIn = await app.caller.runner.profiles.signIn({ ...again, totp: totp.generate() });
      expect(signedIn.status).toBe('signed-in');
      expect(await twoFactor.status({ profileId })).toMatchObject({ enabled: true });
    });

    it('counts a wrong code once toward the lockout, and disables with a recovery code', async () => {
      const { user, app, profileId } = await passwordAdmin();
      const twoFactor = app.caller.runner.profiles.twoFactor;
      const { otpauthUri } = await twoFactor.enrolWithPassword({
        profileId,
        password: RUNNER_PASSWORD,
      });
      const { recoveryCodes } = await twoFactor.confirm({
        profileId,
        code: previousCode(totpOf(otpauthUri)),
      });

      await expect(twoFactor.disable({ profileId, code: '123456' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: /two-factor code is wrong/,
      });
      // Sent once: the session did not take the refusal for an expired token and send it again.
      const [row] = (await sql('select failures from login_failures where key = ?', [
        `a:user:${user.userId}`,
      ])) as { failures: number }[];
      expect(row?.failures).toBe(1);
      expect(await twoFactor.status({ profileId })).toEqual({
        enabled: true,
        recoveryCodesLeft: 10,
      });

      expect(await twoFactor.disable({ profileId, code: recoveryCodes[3]! })).toEqual({
        enabled: false,
      });
      expect(await twoFactor.status({ profileId })).toEqual({
        enabled: false,
        recoveryCodesLeft: 0,
      });
    });

    it('refuses bad input before calling the runner', async () => {
      const { app, profileId } = await desktop();
      const twoFactor = app.caller.runner.profiles.twoFactor;
      await expect(twoFactor.confirm({ profileId, code: '12' })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: /at least 6 characters/,
      });
      await expect(twoFactor.enrolWithPassword({ profileId, password: '' })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: /enter your password/,
      });
      await expect(twoFactor.enrolWithStepUp({ flowId: 'nope' })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
      // Not signed in: the runner is not asked.
      await expect(twoFactor.status({ profileId })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: /sign in first/,
      });
    });

    /** A person known to the provider only (no password on the runner), signed in on a desktop. */
    async function oidcOnlyAdmin({ browser = true } = {}) {
      const subject = `admin-${++subjects}-${process.pid}`;
      const email = `${subject}@corp.example`;
      stack.idp.accounts.set(subject, { email, email_verified: true });
      const opened: string[] = [];
      const app = createTestApp({
        keychain: createKeytarKeychain({ service: SERVICE }),
        // The system browser: the person signs in at the provider, which comes back to the app.
        openExternal: browser
          ? async (url) => {
              opened.push(url);
              void stack.idp.signIn(url, subject).then(browse);
            }
          : undefined,
      });
      apps.push(app);
      const { id: profileId } = await app.caller.runner.profiles.create({
        name: 'SSO runner',
        baseUrl: stack.runner.url,
      });
      const started = await app.caller.runner.profiles.oidc.start({
        profileId,
        providerId: 'corp',
      });
      const finishing = app.caller.runner.profiles.oidc.finish({ flowId: started.flowId });
      if (!browser) await browse(await stack.idp.signIn(started.authorizationUrl, subject));
      expect(await finishing).toMatchObject({ status: 'signed-in', profile: { email } });
      const organization = await app.caller.runner.admin.createOrganization({ name: 'SSO org' });
      const [user] = (await sql('select id from users where email = ?', [email])) as {
        id: string;
      }[];
      await makeAdmin(user!.id, organization.id);
      await app.caller.runner.profiles.selectOrganization({
        profileId,
        organizationId: organization.id,
      });
      return { app, profileId, subject, email, opened, organizationId: organization.id };
    }

    it('takes an OIDC-only admin from blocked through a step-up at the provider to enrolled', async () => {
      const { app, profileId, opened, organizationId, email } = await oidcOnlyAdmin();
      const twoFactor = app.caller.runner.profiles.twoFactor;
      await expect(app.caller.runner.admin.members({ organizationId })).rejects.toMatchObject(
        blocked,
      );
      // No password to re-enter.
      await expect(
        twoFactor.enrolWithPassword({ profileId, password: 'anything' }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /the password is wrong/ });

      const started = await twoFactor.startStepUp({ profileId, providerId: 'corp' });
      expect(started.openedInBrowser).toBe(true);
      expect(opened.at(-1)).toBe(started.authorizationUrl);
      const authorization = new URL(started.authorizationUrl);
      expect(authorization.origin).toBe(stack.idp.issuer);
      // The provider is told to ask the person again, whatever session it has.
      expect(authorization.searchParams.get('prompt')).toBe('login');
      // A step-up is not a sign-in: the sign-in's finish does not know it.
      await expect(
        app.caller.runner.profiles.oidc.finish({ flowId: started.flowId }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });

      const enrolment = await twoFactor.enrolWithStepUp({ flowId: started.flowId });
      const totp = totpOf(enrolment.otpauthUri);
      expect(totp.label).toBe(email);
      const enabled = await twoFactor.confirm({ profileId, code: totp.generate() });
      expect(enabled.recoveryCodes).toHaveLength(10);
      const members = await app.caller.runner.admin.members({ organizationId });
      expect(members.items.map((m) => m.email)).toEqual([email]);
      // The flow is over: its listener is closed and it cannot be used twice.
      await expect(twoFactor.enrolWithStepUp({ flowId: started.flowId })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: /re-authentication is no longer in progress/,
      });
    });

    it('shows the runner’s refusal when someone else signs in at the provider', async () => {
      const { app, profileId } = await oidcOnlyAdmin({ browser: false });
      const twoFactor = app.caller.runner.profiles.twoFactor;
      // Another person known to the provider, not linked to this account.
      const intruder = `intruder-${process.pid}`;
      stack.idp.accounts.set(intruder, { email: `${intruder}@corp.example`, email_verified: true });
      const started = await twoFactor.startStepUp({ profileId, providerId: 'corp' });
      // The browser host opens no browser: the renderer shows the link.
      expect(started.openedInBrowser).toBe(false);
      const failure = twoFactor
        .enrolWithStepUp({ flowId: started.flowId })
        .catch((error: unknown) => error);
      const tab = await browse(await stack.idp.signIn(started.authorizationUrl, intruder));
      expect(tab).toContain('Not confirmed');
      expect(await failure).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(/^The re-authentication did not succeed: /),
      });
      expect(await twoFactor.status({ profileId })).toMatchObject({ enabled: false });
    });

    it('cancels a step-up: the wait ends and the listener closes', async () => {
      const { app, profileId } = await oidcOnlyAdmin({ browser: false });
      const twoFactor = app.caller.runner.profiles.twoFactor;
      const started = await twoFactor.startStepUp({ profileId, providerId: 'corp' });
      const failure = twoFactor
        .enrolWithStepUp({ flowId: started.flowId })
        .catch((error: unknown) => error);
      expect(await app.caller.runner.profiles.oidc.cancel({ flowId: started.flowId })).toEqual({
        canceled: true,
      });
      expect(await failure).toMatchObject({ message: 'The sign-in was canceled.' });
      expect(await twoFactor.status({ profileId })).toMatchObject({ enabled: false });
    });

    it('refuses a step-up with a provider the account never used', async () => {
      const { app, profileId } = await passwordAdmin();
      await expect(
        app.caller.runner.profiles.twoFactor.startStepUp({ profileId, providerId: 'corp' }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /never signed in with "Corp SSO"/ });
    });
  },
);
