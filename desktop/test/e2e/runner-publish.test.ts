/**
 * The desktop and a runner, end to end in Chromium through the browser host:
 * sign in to a real runner (API + worker on PostgreSQL and RabbitMQ), publish
 * the open workflow, call its webhook over HTTP, watch the run appear as a
 * success on the Executions page (with the organization's counts by status as
 * the runner holds them) and open its steps and logs; axe and the
 * keyboard on every new screen.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_PASSWORD, startRunnerStack } from '../support/runner-stack';
import type { RunnerStack } from '../support/runner-stack';
import { startSecretService } from '../support/secret-service';
import { seriousViolations, tabTo } from './a11y-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

/** The machine is shared: axe runs and the worker's runs take their time. */
const E2E_TIMEOUT_MS = 120_000;

// Before the studio: its keychain must find this private Secret Service.
const secretService = await startSecretService();

const ordersFlow = {
  format: 'maestro/workflow@1',
  name: 'Orders hook',
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'shape', type: 'transform', config: { value: { got: '{{ trigger.body }}' } } },
  ],
  edges: [{ from: 'hook', to: 'shape' }],
};

describe.skipIf(!secretService.available)(
  `desktop ↔ runner (browser host, Chromium, real runner)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let email: string;
    let accessToken: string;
    let orgId: string;
    let webhookUrl: string;

    beforeAll(async () => {
      [runner, studio] = await Promise.all([startRunnerStack({ worker: true }), startStudio()]);
      const user = await runner.signUp('operator');
      ({ email, accessToken } = user);
      const org = await runner.runner.app.inject({
        method: 'POST',
        url: '/v1/organizations',
        headers: { authorization: `Bearer ${user.accessToken}` },
        payload: { name: 'Acme' },
      });
      expect(org.statusCode).toBe(201);
      orgId = (org.json() as { id: string }).id;
      studio.server.services.workflows.create({ document: ordersFlow });
      ({ page, errors } = await openPage(studio));
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await runner?.close();
      secretService.stop();
    });

    it(
      'adds a runner and signs in with the keyboard; the page has no serious axe violation',
      async () => {
        await page.getByRole('button', { name: 'Runner', exact: true }).click();
        await page.getByRole('heading', { name: 'Runner', exact: true }).waitFor();
        expect(await seriousViolations(page)).toEqual([]);

        await tabTo(page, page.getByLabel('Runner URL'));
        await page.keyboard.type(runner.url);
        await page.keyboard.press('Enter');
        await page.getByLabel('Email').waitFor();
        await tabTo(page, page.getByLabel('Email'));
        await page.keyboard.type(email);
        await page.keyboard.press('Tab');
        await page.keyboard.type(RUNNER_PASSWORD);
        await page.keyboard.press('Enter');
        await expect
          .poll(() => page.getByTestId('runner-session').textContent(), { timeout: 15_000 })
          .toBe(`Signed in as ${email}`);
        // The only organization is chosen for the user.
        await expect
          .poll(() => page.getByLabel('Organization').inputValue(), { timeout: 15_000 })
          .not.toBe('');
        expect(await page.getByLabel('Organization').locator('option:checked').textContent()).toBe(
          'Acme (owner)',
        );
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-signed-in');
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'publishes the open workflow and shows its version and webhook URL',
      async () => {
        await page.getByRole('button', { name: 'Editor', exact: true }).click();
        await page.getByRole('button', { name: /^Orders hook/ }).click();
        await page.getByTestId('node-hook').waitFor();
        await tabTo(page, page.getByRole('button', { name: 'Publish', exact: true }));
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Publish to runner' });
        await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
        const url = dialog.getByTestId('webhook-url');
        await url.waitFor();
        webhookUrl = (await url.textContent()) ?? '';
        expect(webhookUrl).toMatch(new RegExp(`^${runner.url}/v1/hooks/`));
        expect(await dialog.getByTestId('publish-result').textContent()).toContain('v1');
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-published');
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'a webhook call appears as a success on the Executions page, with its steps and logs',
      async () => {
        const hook = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orderId: 42 }),
        });
        expect(hook.status).toBe(202);

        // From the publish dialog straight to this workflow's runs.
        await page.getByRole('dialog').getByRole('button', { name: 'Executions' }).click();
        await page.getByRole('heading', { name: 'Runs of Orders hook' }).waitFor();
        // The page refreshes itself while visible: no reload.
        const row = page.getByTestId('run-row').first();
        await row.locator('.badge-success').waitFor({ timeout: 20_000 });
        expect(await row.getByRole('cell').nth(1).textContent()).toBe('Orders hook');

        // The outcomes are the runner's own counts for the organization, over the window chosen.
        const counts = page.getByTestId('execution-counts');
        const shown = async () => {
          const heads = await counts.getByRole('columnheader').allTextContents();
          const cells = await counts.getByRole('cell').allTextContents();
          return heads.map((head, i) => `${head} ${cells[i]}`).join(' | ');
        };
        const held = async (since: string) => {
          const res = await runner.runner.app.inject({
            url: `/v1/executions/stats?since=${encodeURIComponent(since)}`,
            headers: { authorization: `Bearer ${accessToken}`, 'x-organization-id': orgId },
          });
          expect(res.statusCode, res.body).toBe(200);
          const { byStatus, total } = res.json() as {
            byStatus: Record<string, number>;
            total: number;
          };
          return [
            `Succeeded ${byStatus.success}`,
            `Failed ${byStatus.failed}`,
            `Canceled ${byStatus.canceled}`,
            `Running ${byStatus.running}`,
            `Pending ${byStatus.pending}`,
            `Total ${total}`,
          ].join(' | ');
        };
        const dayAgo = new Date(Date.now() - 24 * 3600_000).toISOString();
        await expect.poll(shown, { timeout: 20_000 }).toBe(await held(dayAgo));
        expect(await shown()).toContain('Succeeded 1');
        expect(await page.getByTestId('execution-rates').textContent()).toMatch(
          /^Success rate 100 %, failure rate 0 % of 1 ended run since/,
        );
        await page.getByLabel('Window').selectOption({ label: 'Last hour' });
        const hourAgo = new Date(Date.now() - 3600_000).toISOString();
        await expect.poll(shown, { timeout: 20_000 }).toBe(await held(hourAgo));

        // All workflows' runs, then only the failed ones: none.
        await page.getByLabel('Workflow', { exact: true }).selectOption({ label: 'All workflows' });
        await page.getByRole('heading', { name: 'Recent runs' }).waitFor();
        await page.getByTestId('run-row').first().locator('.badge-success').waitFor();
        await page.getByLabel('Status', { exact: true }).selectOption('failed');
        await page.getByText('No run with status failed yet.').waitFor();
        await page.getByLabel('Status', { exact: true }).selectOption('');
        expect(await seriousViolations(page)).toEqual([]);

        await tabTo(page, row.getByRole('button', { name: /^Details of the success run/ }));
        await page.keyboard.press('Enter');
        const detail = page.getByTestId('run-detail');
        await detail.getByTestId('run-steps').getByRole('row', { name: /shape/ }).waitFor();
        expect(await detail.getByTestId('run-steps').textContent()).toContain('success');
        await detail.getByTestId('run-logs').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-executions');
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'the Organizations page lists members and roles, sends an invitation, shows workflow access',
      async () => {
        await page.getByRole('button', { name: 'Organizations', exact: true }).click();
        const members = page.getByTestId('members');
        await members.getByRole('row', { name: new RegExp(email) }).waitFor();
        expect(await page.getByLabel(`Role of ${email}`).inputValue()).toBe('owner');
        await tabTo(page, page.getByLabel('Invite by email'));
        await page.keyboard.type('new.colleague@example.test');
        await page.keyboard.press('Enter');
        await page
          .getByTestId('invitations')
          .getByRole('row', { name: /new\.colleague@example\.test/ })
          .waitFor();
        expect(
          await page
            .getByLabel('Workflow', { exact: true })
            .locator('option:checked')
            .textContent(),
        ).toBe('Orders hook');
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
