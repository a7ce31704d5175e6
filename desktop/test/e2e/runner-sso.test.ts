/**
 * Single sign-on end to end in Chromium through the browser host: "Sign in with Corp SSO"
 * opens the provider (a real oidc-provider) in a new tab, the person signs in there, the
 * runner's callback reaches the desktop's loopback listener, and the app ends signed in. A
 * provider account the runner refuses shows the runner's reason in the tab and in the app.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcRunner } from '../support/oidc-runner';
import type { OidcRunner } from '../support/oidc-runner';
import { startSecretService } from '../support/secret-service';
import { seriousViolations } from './a11y-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

const E2E_TIMEOUT_MS = 120_000;

// Before the studio: its keychain must find this private Secret Service.
const secretService = await startSecretService();

describe.skipIf(!secretService.available)(
  `desktop single sign-on (browser host, Chromium, real runner and identity provider)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let stack: OidcRunner;
    let studio: Studio;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      [stack, studio] = await Promise.all([startOidcRunner(), startStudio()]);
      ({ page, errors } = await openPage(studio));
      await page.getByRole('button', { name: 'Runner', exact: true }).click();
      await page.getByLabel('Runner URL').fill(stack.runner.url);
      await page.getByRole('button', { name: 'Add runner' }).click();
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await stack?.close();
      secretService.stop();
    });

    /** Clicks "Sign in with Corp SSO" and signs in as `login` on the provider's page in the new tab. */
    async function signInAtProvider(login: string): Promise<Page> {
      const opened = page.context().waitForEvent('page');
      await page.getByRole('button', { name: 'Sign in with Corp SSO' }).click();
      const tab = await opened;
      await tab.locator('input[name="login"]').fill(login);
      await tab.locator('input[name="password"]').fill('any password');
      await tab.getByRole('button', { name: /sign-in/i }).click();
      return tab;
    }

    it(
      'shows the runner’s refusal in the tab and in the app',
      async () => {
        stack.idp.accounts.set('eve', { email: 'eve@corp.example', email_verified: false });
        const tab = await signInAtProvider('eve');
        await tab.getByRole('heading', { name: 'Sign-in failed' }).waitFor({ timeout: 15_000 });
        expect(await tab.textContent('body')).toContain('did not send a verified email address');
        await tab.close();

        const alert = page.getByRole('group', { name: /sign in with your organization/i });
        await alert.getByRole('alert').waitFor({ timeout: 15_000 });
        expect(await alert.getByRole('alert').textContent()).toMatch(
          /^The sign-in did not succeed: the identity provider did not send a verified email address/,
        );
        expect(await page.getByTestId('runner-session').textContent()).toBe('Not signed in');
        // The provider remembers eve; the next person signs in afresh.
        await page.context().clearCookies();
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'waits for the browser (with a way out), then signs in with the provider',
      async () => {
        stack.idp.accounts.set('ada', { email: 'ada@corp.example', email_verified: true });
        const opened = page.context().waitForEvent('page');
        await page.getByRole('button', { name: 'Sign in with Corp SSO' }).click();
        const abandoned = await opened;
        await page
          .getByRole('status')
          .filter({ hasText: 'Continue in your browser: sign in with Corp SSO there' })
          .waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-sso-waiting');
        await page.getByRole('button', { name: 'Cancel' }).click();
        await abandoned.close();
        await page.getByRole('button', { name: 'Sign in with Corp SSO' }).waitFor();

        const tab = await signInAtProvider('ada');
        await tab.getByRole('heading', { name: 'Signed in' }).waitFor({ timeout: 15_000 });
        expect(await tab.textContent('body')).toContain('You can close this tab');
        expect(new URL(tab.url()).hostname).toBe('127.0.0.1');
        await tab.close();

        await expect
          .poll(() => page.getByTestId('runner-session').textContent(), { timeout: 15_000 })
          .toBe('Signed in as ada@corp.example');
        await page.getByText('You belong to no organization on this runner yet').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
        await screenshot(page, 'runner-sso-signed-in');
      },
      E2E_TIMEOUT_MS,
    );
  },
);
