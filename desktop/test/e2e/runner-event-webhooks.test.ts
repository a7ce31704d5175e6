/**
 * Event webhooks in Chromium through the browser host, against a real runner (API on
 * PostgreSQL, RabbitMQ and a worker): the runner's problem+json on the URL field, create with event
 * types and a workflow chosen by keyboard, the signing secret shown once, a run's delivery in the
 * log and redelivered, disable, rotate, delete after confirming.
 * Keyboard only; axe light and dark.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** A loopback receiver URL: the runner accepts http to this machine. Nothing is delivered here. */
const RECEIVER = 'http://127.0.0.1:9/hooks';

interface Listed {
  items: { id: string; url: string; eventTypes: string[]; enabled: boolean }[];
}

describe.skipIf(!secretService.available)(
  `event webhooks (browser host, Chromium, real runner)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;
    let secret = '';
    let webhookUrl = '';

    /** What the runner itself holds, over its API. */
    const onRunner = async () => {
      const res = await runner.runner.app.inject({
        url: '/v1/event-subscriptions',
        headers: {
          authorization: `Bearer ${session.user.accessToken}`,
          'x-organization-id': session.orgId,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as Listed).items;
    };
    const form = () => page.getByTestId('new-event-webhook');
    const row = () => page.getByTestId('event-webhook');
    const press = async (target: Locator, key = 'Enter') => {
      await tabTo(page, target);
      await page.keyboard.press(key);
    };

    beforeAll(async () => {
      // A worker runs the workflow, so that its finished run becomes a delivery; no dispatcher
      // runs here, so deliveries stay pending (the service test sends them to a receiver).
      [runner, studio] = await Promise.all([startRunnerStack({ worker: true }), startStudio()]);
      const caller = appRouter.createCaller({ services: studio.server.services });
      session = await signInWithOrganization(caller, runner, 'integrator');
      const { id } = await caller.workflows.create({
        document: {
          format: 'maestro/workflow@1',
          name: 'orders',
          nodes: [{ id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } }],
          edges: [],
        },
      });
      webhookUrl = (await caller.runner.publish.publish({ workflowId: id })).webhookUrl ?? '';
      ({ page, errors } = await openPage(studio));
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await runner?.close();
      secretService.stop();
    });

    it(
      'reaches the page by keyboard and places the runner’s problem+json on the URL field',
      async () => {
        await page.emulateMedia({ colorScheme: 'light' });
        await press(page.getByRole('button', { name: 'Event webhooks' }));
        await page.getByRole('heading', { name: 'Event webhooks', level: 1 }).waitFor();
        await page.getByText('No event webhook in this organization yet.').waitFor();
        await form().getByLabel('orders').waitFor();
        expect(await seriousViolations(page)).toEqual([]);

        await tabTo(page, form().getByLabel('URL'));
        await page.keyboard.type('ftp://example.com/hooks');
        await press(form().getByRole('button', { name: 'Create webhook' }));
        const url = form().getByLabel('URL');
        await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
        const described = (await url.getAttribute('aria-describedby')) ?? '';
        expect(await page.locator(`[id="${described.split(' ').at(-1)}"]`).textContent()).toMatch(
          /https/,
        );
        expect(await form().getByRole('alert').textContent()).toContain('The runner refused (400)');
        expect(await seriousViolations(page)).toEqual([]);
        expect(await onRunner()).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'creates a webhook for one workflow and shows its signing secret once',
      async () => {
        await tabTo(page, form().getByLabel('URL'));
        await page.keyboard.press('Control+A');
        await page.keyboard.type(RECEIVER);
        await press(form().getByLabel(/A run succeeded/), 'Space');
        await press(form().getByLabel('orders'), 'Space');
        await press(form().getByRole('button', { name: 'Create webhook' }));

        const shown = page.getByTestId('signing-secret');
        await shown.waitFor();
        secret = (await shown.getByTestId('secret').textContent()) ?? '';
        expect(secret).toMatch(/^whsec_/);
        expect(await shown.textContent()).toContain('only this once');
        await expect.poll(() => row().count()).toBe(1);
        expect(await row().textContent()).toContain('execution.failed, execution.succeeded');
        expect(await row().textContent()).toContain('1 chosen');
        expect(await row().getByTestId('event-webhook-state').textContent()).toBe('enabled');
        expect(await onRunner()).toMatchObject([
          { url: RECEIVER, eventTypes: ['execution.failed', 'execution.succeeded'], enabled: true },
        ]);
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'event-webhooks-secret-dark');
        await page.emulateMedia({ colorScheme: 'light' });

        await press(shown.getByRole('button', { name: 'I have stored it' }));
        await shown.waitFor({ state: 'detached' });
        expect(await page.content()).not.toContain(secret);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'shows a run’s delivery in the log and queues it again',
      async () => {
        const hook = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(hook.status).toBe(202);
        await press(page.getByRole('button', { name: `Deliveries to ${RECEIVER}` }));
        const log = page.getByRole('dialog', { name: `Deliveries to ${RECEIVER}` });
        const deliveries = log.getByTestId('event-delivery');
        await expect.poll(() => deliveries.count(), { timeout: 30_000 }).toBe(1);
        expect(await deliveries.first().textContent()).toContain('execution.succeeded');
        expect(await deliveries.first().textContent()).toContain('pending');
        expect(await seriousViolations(page)).toEqual([]);

        await press(deliveries.first().getByRole('button', { name: /^Redeliver the execution/ }));
        await expect.poll(() => deliveries.count()).toBe(2);
        await page.keyboard.press('Escape');
        await log.waitFor({ state: 'detached' });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'disables the webhook, rotates its secret, then deletes it after confirming',
      async () => {
        await press(page.getByRole('button', { name: `Disable ${RECEIVER}` }));
        await expect
          .poll(() => row().getByTestId('event-webhook-state').textContent())
          .toBe('disabled');
        expect((await onRunner())[0]?.enabled).toBe(false);

        await press(page.getByRole('button', { name: `Rotate the secret of ${RECEIVER}` }));
        const shown = page.getByTestId('signing-secret');
        await shown.waitFor();
        const rotated = (await shown.getByTestId('secret').textContent()) ?? '';
        expect(rotated).toMatch(/^whsec_/);
        expect(rotated).not.toBe(secret);
        await press(shown.getByRole('button', { name: 'I have stored it' }));
        await shown.waitFor({ state: 'detached' });

        await press(page.getByRole('button', { name: `Delete ${RECEIVER}` }));
        const confirm = page.getByRole('dialog', {
          name: `Delete the webhook to ${RECEIVER}?`,
        });
        expect(await seriousViolations(page)).toEqual([]);
        await press(confirm.getByRole('button', { name: 'Delete webhook' }));
        await confirm.waitFor({ state: 'detached' });
        await page.getByText('No event webhook in this organization yet.').waitFor();
        expect(await onRunner()).toEqual([]);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
