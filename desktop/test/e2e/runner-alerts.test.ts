/**
 * The runner's notifications and alert settings in Chromium through the browser host, against
 * a real runner (API + worker on PostgreSQL and RabbitMQ): workflows really fail and the
 * runner's scheduler code writes their digests; the bell counts them, its panel lists them
 * newest first, opens a run, marks one and then all read, and the Runner page mutes a workflow
 * (and shows the runner's problem+json). Keyboard only; axe in the light and dark themes.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../../runner/src/db/org-context';
import { appRouter } from '../../main/router/app-router';
import {
  publishFailingWorkflow,
  signInWithOrganization,
  writeFailureDigests,
} from '../support/runner-alerts';
import { startRunnerStack } from '../support/runner-stack';
import type { RunnerStack } from '../support/runner-stack';
import { startSecretService } from '../support/secret-service';
import { seriousViolations, tabTo } from './a11y-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

/** The machine is shared: axe runs and the worker's runs take their time. */
const E2E_TIMEOUT_MS = 120_000;

// Before the studio: its keychain must find this private Secret Service.
const secretService = await startSecretService();

describe.skipIf(!secretService.available)(
  `runner notifications and alert settings (browser host, Chromium, real runner)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;
    let payments: Awaited<ReturnType<typeof publishFailingWorkflow>>;
    let refunds: Awaited<ReturnType<typeof publishFailingWorkflow>>;

    /** The runner's own answer for the signed-in user, over its API. */
    const fromRunner = async (url: string) => {
      const res = await runner.runner.app.inject({
        url,
        headers: {
          authorization: `Bearer ${session.user.accessToken}`,
          'x-organization-id': session.orgId,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as unknown;
    };
    const bell = () => page.getByTestId('notifications-bell');
    const panel = () => page.getByRole('dialog', { name: 'Notifications' });

    beforeAll(async () => {
      [runner, studio] = await Promise.all([startRunnerStack({ worker: true }), startStudio()]);
      const caller = appRouter.createCaller({ services: studio.server.services });
      session = await signInWithOrganization(caller, runner, 'operator');
      // Two passes: the digests get different times, Refunds' the newer.
      payments = await publishFailingWorkflow(caller, runner, 'Payments', 2);
      expect(await writeFailureDigests(runner)).toHaveLength(1);
      refunds = await publishFailingWorkflow(caller, runner, 'Refunds', 1);
      expect(await writeFailureDigests(runner)).toHaveLength(1);
      ({ page, errors } = await openPage(studio));
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await runner?.close();
      secretService.stop();
    });

    it(
      'the bell counts the unread digests; its panel lists them newest first (axe light and dark)',
      async () => {
        await page.emulateMedia({ colorScheme: 'light' });
        await expect.poll(() => bell().getAttribute('aria-label')).toBe('Notifications, 2 unread');
        expect(await bell().textContent()).toBe('2');
        expect(await seriousViolations(page)).toEqual([]);

        await tabTo(page, bell());
        await page.keyboard.press('Enter');
        const items = panel().getByTestId('notification');
        await expect.poll(() => items.count()).toBe(2);
        expect(await items.getByRole('heading').allTextContents()).toEqual([
          'unread Workflow "Refunds" failed (1 failed execution)',
          'unread Workflow "Payments" failed (2 failed executions)',
        ]);
        expect(await items.nth(1).textContent()).toContain('First error: ');
        expect(await items.nth(1).textContent()).toContain('the upstream refused');
        expect(await items.nth(1).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-/);
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-notifications-dark');
        await page.emulateMedia({ colorScheme: 'light' });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'opens the run a digest links to, marks one read, then all, with the keyboard',
      async () => {
        await tabTo(page, panel().getByRole('button', { name: /^Show run: .*Payments/ }));
        await page.keyboard.press('Enter');
        const detail = panel().getByTestId('run-detail');
        await detail.getByText(payments.executionIds[0]!.slice(0, 8)).waitFor();
        await detail.locator('.badge-failed').first().waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        // Focus went to the way back.
        await page.keyboard.press('Enter');

        await tabTo(page, panel().getByRole('button', { name: /^Mark read: .*Refunds/ }));
        await page.keyboard.press('Enter');
        await panel().getByText('1 unread.').waitFor();
        await expect.poll(() => bell().getAttribute('aria-label')).toBe('Notifications, 1 unread');
        const unread = (await fromRunner('/v1/notifications?unread=true')) as {
          items: { title: string }[];
        };
        expect(unread.items.map((n) => n.title)).toEqual([
          'Workflow "Payments" failed (2 failed executions)',
        ]);

        await tabTo(page, panel().getByRole('button', { name: 'Mark all read' }));
        await page.keyboard.press('Enter');
        await panel().getByText('Nothing unread.').waitFor();
        expect(await fromRunner('/v1/notifications?unread=true')).toEqual({ items: [] });
        expect(
          await panel()
            .getByRole('button', { name: /^Mark read/ })
            .count(),
        ).toBe(0);
        await page.keyboard.press('Escape');
        await panel().waitFor({ state: 'detached' });
        await expect
          .poll(() => bell().getAttribute('aria-label'))
          .toBe('Notifications, none unread');
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'a digest leads to its workflow’s runs on the Executions page',
      async () => {
        await bell().click();
        await panel()
          .getByRole('button', { name: /^Workflow runs: .*Refunds/ })
          .click();
        await page.getByRole('heading', { name: 'Runs of Refunds' }).waitFor();
        await page.getByTestId('run-row').first().locator('.badge-failed').waitFor();
        expect(await page.getByTestId('run-row').count()).toBe(1);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'mutes a workflow from the Runner page; the runner’s refusal names the workflow',
      async () => {
        await page.getByRole('button', { name: 'Runner', exact: true }).click();
        await page.getByRole('heading', { name: 'Failure and SLA alerts' }).waitFor();
        // One setting mutes both kinds (decision 0018), and the section says so.
        await page.getByText('Muting silences both failure and SLA alerts').waitFor();
        await page.getByRole('checkbox', { name: 'Mute all failure and SLA alerts' }).waitFor();
        const paymentsBox = page.getByRole('checkbox', { name: 'Payments' });
        await tabTo(page, paymentsBox);
        await page.keyboard.press('Space');
        await tabTo(page, page.getByRole('button', { name: 'Save alert settings' }));
        await page.keyboard.press('Enter');
        await page.getByText('Alert settings saved.').waitFor();
        expect(await fromRunner('/v1/alert-settings')).toEqual({
          muteAll: false,
          mutedWorkflowIds: [payments.runnerWorkflowId],
        });
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-alert-settings-dark');
        await page.emulateMedia({ colorScheme: 'light' });

        // Refunds goes away on the runner while the page still offers it.
        await withSystemContext(runner.runner.db.orm, async (em) => {
          await em.execute('delete from workflows where id = ?', [refunds.runnerWorkflowId]);
        });
        await tabTo(page, page.getByRole('checkbox', { name: 'Refunds' }));
        await page.keyboard.press('Space');
        await tabTo(page, page.getByRole('button', { name: 'Save alert settings' }));
        await page.keyboard.press('Enter');
        await page.getByRole('alert').filter({ hasText: 'muted workflow list' }).waitFor();
        expect(await page.getByTestId('alert-settings-issues').textContent()).toBe(
          'Refunds: no such workflow',
        );
        expect(await fromRunner('/v1/alert-settings')).toEqual({
          muteAll: false,
          mutedWorkflowIds: [payments.runnerWorkflowId],
        });
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
