/**
 * The runner's connections in Chromium through the browser host, against a real runner (API on
 * PostgreSQL) and a real OAuth 2.0 token endpoint (runner/test/support/oauth2-server.ts): create
 * a static and an OAuth 2.0 connection, see their status, force a refresh, see invalid_grant turn
 * into "needs reauthorization" and authorize again, set a rate limit, delete with confirmation;
 * the runner's problem+json lands on the field it names. Keyboard only; axe light and dark.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuth2Server } from '../../../runner/test/support/oauth2-server';
import type { OAuth2TestServer } from '../../../runner/test/support/oauth2-server';
import { appRouter } from '../../main/router/app-router';
import { signInWithOrganization } from '../support/runner-alerts';
import { startRunnerStack } from '../support/runner-stack';
import type { RunnerStack } from '../support/runner-stack';
import { startSecretService } from '../support/secret-service';
import { seriousViolations, tabTo } from './a11y-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

/** The machine is shared: axe runs take their time. */
const E2E_TIMEOUT_MS = 120_000;

// Before the studio: its keychain must find this private Secret Service.
const secretService = await startSecretService();

interface Listed {
  items: { id: string; name: string; status: string; secretFields: string[]; rateLimit: unknown }[];
}

describe.skipIf(!secretService.available)(
  `runner connections (browser host, Chromium, real runner and token endpoint)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let oauth: OAuth2TestServer;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;

    /** What the runner itself holds, over its API. */
    const onRunner = async () => {
      const res = await runner.runner.app.inject({
        url: '/v1/connections',
        headers: {
          authorization: `Bearer ${session.user.accessToken}`,
          'x-organization-id': session.orgId,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as Listed).items;
    };
    const row = (name: string) =>
      page.getByTestId('runner-connection').filter({ has: page.getByRole('rowheader', { name }) });
    const status = (name: string) => row(name).getByTestId('connection-status');
    const form = () => page.getByTestId('new-runner-connection');
    /** Tabs to a control and types into it, as a keyboard user fills a form. */
    const typeInto = async (target: Locator, text: string) => {
      await tabTo(page, target);
      await page.keyboard.type(text);
    };
    const press = async (target: Locator) => {
      await tabTo(page, target);
      await page.keyboard.press('Enter');
    };

    beforeAll(async () => {
      [runner, studio, oauth] = await Promise.all([
        startRunnerStack(),
        startStudio(),
        startOAuth2Server(),
      ]);
      const caller = appRouter.createCaller({ services: studio.server.services });
      session = await signInWithOrganization(caller, runner, 'operator');
      // The token endpoint listens on 127.0.0.1: the runner's SSRF guard must let it through.
      await runner.allowPrivateNetwork(session.orgId);
      ({ page, errors } = await openPage(studio));
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await oauth?.close();
      await runner?.close();
      secretService.stop();
    });

    it(
      'reaches the page by keyboard and creates a static connection (axe light and dark)',
      async () => {
        await page.emulateMedia({ colorScheme: 'light' });
        await press(page.getByRole('button', { name: 'Runner connections' }));
        await page.getByRole('heading', { name: 'Runner connections', level: 1 }).waitFor();
        await page.getByText('No connection in this organization yet.').waitFor();
        expect(await seriousViolations(page)).toEqual([]);

        await typeInto(form().getByLabel('Name'), 'crm');
        await typeInto(form().getByLabel('Token'), 'crm-token-typed-in-chromium');
        await press(form().getByRole('button', { name: 'Create connection' }));
        await expect.poll(() => status('crm').textContent()).toBe('ok');
        expect(await row('crm').textContent()).toContain('Bearer token');
        expect(await form().getByLabel('Token').inputValue()).toBe('');
        expect(await onRunner()).toMatchObject([{ name: 'crm', secretFields: ['token'] }]);

        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'light' });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'places the runner’s problem+json on the OAuth 2.0 field it names',
      async () => {
        await tabTo(page, form().getByLabel('Kind'));
        await page.keyboard.type('OAuth');
        expect(await form().getByLabel('Kind').inputValue()).toBe('oauth2');
        await typeInto(form().getByLabel('Name'), 'orders api');
        await typeInto(form().getByLabel('Token URL'), 'http://login.example.com/token');
        await typeInto(form().getByLabel('Client id'), oauth.clientId);
        await press(form().getByRole('button', { name: 'Create connection' }));

        const tokenUrl = form().getByLabel('Token URL');
        await expect.poll(() => tokenUrl.getAttribute('aria-invalid')).toBe('true');
        const described = (await tokenUrl.getAttribute('aria-describedby')) ?? '';
        const issues = page.locator(`[id="${described.split(' ').at(-1)}"]`);
        expect(await issues.textContent()).toContain('https');
        expect(
          await form().getByLabel('Refresh token', { exact: true }).getAttribute('aria-invalid'),
        ).toBe('true');
        expect(await form().getByRole('alert').textContent()).toContain('The runner refused (400)');
        expect(await seriousViolations(page)).toEqual([]);
        expect((await onRunner()).map((c) => c.name)).toEqual(['crm']);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'creates an OAuth 2.0 connection, refreshes it now and shows the outcome',
      async () => {
        await tabTo(page, form().getByLabel('Token URL'));
        await page.keyboard.press('Control+A');
        await page.keyboard.type(oauth.tokenUrl);
        await typeInto(form().getByLabel('Client secret (optional)'), oauth.clientSecret);
        await typeInto(form().getByLabel('Refresh token', { exact: true }), oauth.consent());
        await press(form().getByRole('button', { name: 'Create connection' }));
        await expect.poll(() => status('orders api').textContent()).toBe('ok');

        const before = oauth.tokenRequests.length;
        await press(page.getByRole('button', { name: 'Refresh orders api now' }));
        await page.getByText(/^Refreshed “orders api”: token valid until /).waitFor();
        expect(oauth.tokenRequests.length).toBe(before + 1);
        await expect.poll(() => row('orders api').locator('td').nth(2).textContent()).not.toBe('—');
        expect(await seriousViolations(page)).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'invalid_grant: needs reauthorization, a call to action, authorized again',
      async () => {
        oauth.mode = 'invalid_grant';
        await press(page.getByRole('button', { name: 'Refresh orders api now' }));
        await page.getByText(/^Refreshing “orders api” failed \(needs reauthorization\)/).waitFor();
        await expect.poll(() => status('orders api').textContent()).toBe('needs reauthorization');
        expect(await row('orders api').textContent()).toContain('invalid_grant');
        const attention = page.getByTestId('attention');
        expect(await attention.textContent()).toContain('the provider refused the grant');
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-connections-reauthorize-dark');
        await page.emulateMedia({ colorScheme: 'light' });

        oauth.mode = 'normal';
        await press(attention.getByRole('button', { name: 'Authorize orders api again' }));
        const dialog = page.getByRole('dialog', { name: 'Authorize “orders api” again' });
        expect(await dialog.getByLabel('Token URL').inputValue()).toBe(oauth.tokenUrl);
        await typeInto(dialog.getByLabel('Client id'), oauth.clientId);
        await typeInto(dialog.getByLabel('Client secret (optional)'), oauth.clientSecret);
        await typeInto(dialog.getByLabel('Refresh token', { exact: true }), oauth.consent());
        expect(await seriousViolations(page)).toEqual([]);
        await press(dialog.getByRole('button', { name: 'Save credentials' }));
        await dialog.waitFor({ state: 'detached' });
        await expect.poll(() => status('orders api').textContent()).toBe('ok');
        await attention.waitFor({ state: 'detached' });
        expect((await onRunner()).find((c) => c.name === 'orders api')?.status).toBe('ok');
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'sets a rate limit, then deletes a connection after confirming',
      async () => {
        await press(page.getByRole('button', { name: 'Rate limit of crm' }));
        const limit = page.getByRole('dialog', { name: 'Rate limit of “crm”' });
        await typeInto(limit.getByLabel('Requests'), '10');
        await typeInto(limit.getByLabel('Per seconds'), '60');
        await press(limit.getByRole('button', { name: 'Save limit' }));
        await limit.waitFor({ state: 'detached' });
        await expect.poll(() => row('crm').textContent()).toContain('10 per 60 s');
        expect((await onRunner()).find((c) => c.name === 'crm')?.rateLimit).toEqual({
          requests: 10,
          intervalSeconds: 60,
        });

        await press(page.getByRole('button', { name: 'Delete crm' }));
        const confirm = page.getByRole('dialog', { name: 'Delete “crm”?' });
        expect(await seriousViolations(page)).toEqual([]);
        await press(confirm.getByRole('button', { name: 'Delete connection' }));
        await confirm.waitFor({ state: 'detached' });
        await row('crm').waitFor({ state: 'detached' });
        expect((await onRunner()).map((c) => c.name)).toEqual(['orders api']);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
