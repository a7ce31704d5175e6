/**
 * Two-factor set-up end to end in Chromium through the browser host, keyboard only: an
 * organization admin without 2FA is refused by the runner on the Organizations page, follows
 * "Set up two-factor authentication" to the Runner page, re-enters the password, reads the key
 * (a QR code beside it), confirms with a code computed as an authenticator app would, saves the
 * recovery codes to a file, and is let in; signing out and in again asks for the code. An account
 * created by single sign-on (no password) confirms it is the person by signing in at the provider
 * again (a real oidc-provider in a new tab) instead.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../../runner/src/db/org-context';
import { totpFor } from '../../../runner/src/identity/totp';
import { startOidcRunner } from '../support/oidc-runner';
import type { OidcRunner } from '../support/oidc-runner';
import { RUNNER_PASSWORD } from '../support/runner-stack';
import { startSecretService } from '../support/secret-service';
import { seriousViolations, tabTo } from './a11y-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

const E2E_TIMEOUT_MS = 150_000;

// Before the studio: its keychain must find this private Secret Service.
const secretService = await startSecretService();

describe.skipIf(!secretService.available)(
  `desktop two-factor set-up (browser host, Chromium, real runner and identity provider)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let oidc: OidcRunner;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let email: string;

    beforeAll(async () => {
      [oidc, studio] = await Promise.all([startOidcRunner(), startStudio()]);
      const stack = oidc.runner;
      const admin = await stack.signUp('ada');
      email = admin.email;
      const org = await stack.runner.app.inject({
        method: 'POST',
        url: '/v1/organizations',
        headers: { authorization: `Bearer ${admin.accessToken}` },
        payload: { name: 'Acme' },
      });
      expect(org.statusCode, org.body).toBe(201);
      await withSystemContext(stack.runner.db.orm, (em) =>
        em.execute(`update memberships set role = 'admin' where user_id = ?`, [admin.userId]),
      );
      ({ page, errors } = await openPage(studio));
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await oidc?.close();
      secretService.stop();
    });

    /** Tab to a control and press Enter, as a keyboard user would. */
    async function press(name: string | RegExp, role: 'button' | 'link' = 'button') {
      await tabTo(page, page.getByRole(role, { name, exact: typeof name === 'string' }));
      await page.keyboard.press('Enter');
    }

    it(
      'leads a blocked admin to the set-up, enrols with the password, shows the recovery codes once, then asks for the code at sign-in',
      async () => {
        // Add the runner and sign in, keyboard only.
        await press('Runner');
        await tabTo(page, page.getByLabel('Runner URL'));
        await page.keyboard.type(oidc.runner.url);
        await page.keyboard.press('Enter');
        await tabTo(page, page.getByLabel('Email'));
        await page.keyboard.type(email);
        await page.keyboard.press('Tab');
        await page.keyboard.type(RUNNER_PASSWORD);
        await page.keyboard.press('Enter');
        await expect
          .poll(() => page.getByTestId('runner-session').textContent(), { timeout: 15_000 })
          .toBe(`Signed in as ${email}`);
        await expect
          .poll(() => page.getByTestId('two-factor-status').textContent())
          .toMatch(/Two-factor authentication:\s*Off/);
        // Refused here too (Failure and SLA alerts), with the way out.
        await page
          .getByRole('alert')
          .filter({ hasText: 'two-factor' })
          .getByRole('button', { name: 'Set up two-factor authentication' })
          .waitFor({ timeout: 15_000 });

        // The runner refuses the admin; the refusal leads to the set-up.
        await press('Organizations');
        const refusal = page.getByRole('alert').filter({ hasText: 'two-factor' });
        await refusal.waitFor({ timeout: 15_000 });
        expect(await refusal.textContent()).toMatch(/enable two-factor authentication first/);
        expect(await seriousViolations(page)).toEqual([]);
        await press('Set up two-factor authentication');

        // Back on the Runner page, the password field has the focus.
        const password = page.getByLabel('Your password');
        await expect.poll(() => password.evaluate((el) => el.matches(':focus'))).toBe(true);
        await page.keyboard.type('not my password');
        await page.keyboard.press('Enter');
        await page.getByRole('alert').filter({ hasText: 'password is wrong' }).waitFor();
        await password.fill('');
        await password.focus();
        await page.keyboard.type(RUNNER_PASSWORD);
        await page.keyboard.press('Enter');

        // The key as text and as a QR code; the code field has the focus.
        await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
        const key = (await page.locator('.secret-key').textContent())!.replace(/\s/g, '');
        expect(key).toMatch(/^[A-Z2-7]{16,}$/);
        const totp = totpFor(key, email);
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-2fa-scan');
        const code = page.getByLabel('Code from your app');
        await expect.poll(() => code.evaluate((el) => el.matches(':focus'))).toBe(true);
        await page.keyboard.type('000000');
        await page.keyboard.press('Enter');
        await page.getByRole('alert').filter({ hasText: 'the code is wrong' }).waitFor();
        await code.fill('');
        await code.focus();
        // The previous 30 s step's code, so that the current one is still unused at sign-in.
        await page.keyboard.type(totp.generate({ timestamp: Date.now() - 30_000 }));
        await page.keyboard.press('Enter');

        // The recovery codes, once, with a clear warning and a way to keep them.
        const codesBlock = page.getByRole('group', { name: /store your recovery codes now/ });
        await codesBlock.waitFor();
        expect(await codesBlock.textContent()).toContain('shown only this once');
        const codes = await codesBlock.getByRole('listitem').allTextContents();
        expect(codes).toHaveLength(10);
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-2fa-recovery-codes');
        const download = page.waitForEvent('download');
        await press('Save to file');
        const saved = await download;
        expect(saved.suggestedFilename()).toBe('maestro-recovery-codes-127.0.0.1.txt');
        const text = readFileSync((await saved.path())!, 'utf8');
        for (const recoveryCode of codes) expect(text).toContain(recoveryCode);
        await press('I have stored them');
        await expect
          .poll(() => page.getByTestId('two-factor-status').textContent())
          .toMatch(/On · 10 recovery codes left/);
        // Shown once: gone from the page now.
        expect(await page.getByText(codes[0]!).count()).toBe(0);
        // The Failure and SLA alerts section the runner had refused reads again, and is let in.
        await expect
          .poll(() => page.getByRole('alert').filter({ hasText: 'two-factor' }).count())
          .toBe(0);
        await page.getByRole('heading', { name: 'Failure and SLA alerts' }).waitFor();

        // Let in now.
        await press('Organizations');
        await page.getByRole('cell', { name: email, exact: true }).waitFor({ timeout: 15_000 });
        expect(await page.getByRole('alert').filter({ hasText: 'two-factor' }).count()).toBe(0);

        // Sign out and in again: the runner asks for the code.
        await press('Runner');
        await press('Sign out');
        await tabTo(page, page.getByLabel('Password', { exact: true }));
        await page.keyboard.type(RUNNER_PASSWORD);
        await page.keyboard.press('Enter');
        const asked = page.getByLabel('Two-factor code');
        await asked.waitFor({ timeout: 15_000 });
        await expect.poll(() => asked.evaluate((el) => el.matches(':focus'))).toBe(true);
        await page.keyboard.type(totp.generate());
        await page.keyboard.press('Enter');
        await expect
          .poll(() => page.getByTestId('runner-session').textContent(), { timeout: 15_000 })
          .toBe(`Signed in as ${email}`);
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );

    /** Signs in as `login` on the provider's page a click opened in a new tab; the tab's answer. */
    async function atProvider(opened: Promise<Page>, login: string): Promise<Page> {
      const tab = await opened;
      await tab.locator('input[name="login"]').fill(login);
      await tab.locator('input[name="password"]').fill('any password');
      await tab.getByRole('button', { name: /sign-in/i }).click();
      return tab;
    }

    it(
      'sets up 2FA for an account without a password by signing in at the provider again',
      async () => {
        oidc.idp.accounts.set('grace', { email: 'grace@corp.example', email_verified: true });
        await press('Runner');
        await press('Sign out');
        const signingIn = page.context().waitForEvent('page');
        await press('Sign in with Corp SSO');
        const signIn = await atProvider(signingIn, 'grace');
        await signIn.getByRole('heading', { name: 'Signed in' }).waitFor({ timeout: 15_000 });
        await signIn.close();
        await expect
          .poll(() => page.getByTestId('runner-session').textContent(), { timeout: 15_000 })
          .toBe('Signed in as grace@corp.example');

        await press('Set up two-factor authentication');
        const opened = page.context().waitForEvent('page');
        await press('Confirm with Corp SSO');
        await page
          .getByRole('status')
          .filter({ hasText: 'Continue in your browser: sign in with Corp SSO again' })
          .waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        // The provider asks again (prompt=login), whatever session it has.
        const tab = await atProvider(opened, 'grace');
        // A step-up signs nothing in: the tab says it was confirmed.
        await tab.getByRole('heading', { name: 'Confirmed' }).waitFor({ timeout: 15_000 });
        await tab.close();

        await page
          .getByRole('img', { name: 'QR code for your authenticator app' })
          .waitFor({ timeout: 15_000 });
        const key = (await page.locator('.secret-key').textContent())!.replace(/\s/g, '');
        const code = page.getByLabel('Code from your app');
        await expect.poll(() => code.evaluate((el) => el.matches(':focus'))).toBe(true);
        await page.keyboard.type(totpFor(key, 'grace@corp.example').generate());
        await page.keyboard.press('Enter');
        const codesBlock = page.getByRole('group', { name: /store your recovery codes now/ });
        await codesBlock.waitFor();
        expect(await codesBlock.getByRole('listitem').count()).toBe(10);
        await press('I have stored them');
        await expect
          .poll(() => page.getByTestId('two-factor-status').textContent())
          .toMatch(/On · 10 recovery codes left/);
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
