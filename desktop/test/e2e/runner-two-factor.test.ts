/**
 * Two-factor set-up end to end in Chromium through the browser host, keyboard only: an
 * organization admin without 2FA is refused by the runner on the Organizations page, follows
 * "Set up two-factor authentication" to the Runner page, re-enters the password, reads the key
 * (a QR code beside it), confirms with a code computed as an authenticator app would, saves the
 * recovery codes to a file, and is let in; signing out and in again asks for the code.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../../runner/src/db/org-context';
import { totpFor } from '../../../runner/src/identity/totp';
import type { RunnerStack } from '../support/runner-stack';
import { RUNNER_PASSWORD, startRunnerStack } from '../support/runner-stack';
import { startSecretService } from '../support/secret-service';
import { seriousViolations, tabTo } from './a11y-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

const E2E_TIMEOUT_MS = 150_000;

// Before the studio: its keychain must find this private Secret Service.
const secretService = await startSecretService();

describe.skipIf(!secretService.available)(
  `desktop two-factor set-up (browser host, Chromium, real runner)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let stack: RunnerStack;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let email: string;

    beforeAll(async () => {
      [stack, studio] = await Promise.all([startRunnerStack(), startStudio()]);
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
      await stack?.close();
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
        await page.keyboard.type(stack.url);
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
        // Refused here too (Failure alerts), with the way out.
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
        // The Failure alerts section the runner had refused reads again, and is let in.
        await expect
          .poll(() => page.getByRole('alert').filter({ hasText: 'two-factor' }).count())
          .toBe(0);
        await page.getByRole('heading', { name: 'Failure alerts' }).waitFor();

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
  },
);
