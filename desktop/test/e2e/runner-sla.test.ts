/**
 * A workflow's SLA in Chromium through the browser host, against a real runner (API on
 * PostgreSQL): the Executions page filtered to one workflow shows its SLA, sets it (the runner's
 * refusal lands on the fields it names), changes and removes it; in an organization where the
 * user's role lacks workflows:write the SLA is shown read-only. Keyboard only; axe light and dark.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../main/router/app-router';
import { publishFailingWorkflow, signInWithOrganization } from '../support/runner-alerts';
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

describe.skipIf(!secretService.available)(
  `workflow SLA on the Executions page (browser host, Chromium, real runner)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let studio: Studio;
    let page: Page;
    let errors: string[];
    let caller: ReturnType<typeof appRouter.createCaller>;
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;
    let workflowId: string;

    /** The runner's answer over its API, as `token` in `orgId`. */
    const inject = async (
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      as: { token: string; orgId?: string },
      payload?: unknown,
    ) =>
      runner.runner.app.inject({
        method,
        url,
        payload: payload as object | undefined,
        headers: {
          authorization: `Bearer ${as.token}`,
          ...(as.orgId ? { 'x-organization-id': as.orgId } : {}),
        },
      });
    const slaOnRunner = async () => {
      const res = await inject('GET', `/v1/workflows/${workflowId}/sla`, {
        token: session.user.accessToken,
        orgId: session.orgId,
      });
      return res.statusCode === 200 ? (res.json() as unknown) : res.statusCode;
    };
    const section = () => page.getByTestId('workflow-sla');
    const summary = () => section().getByTestId('sla-summary');
    const press = async (target: Locator) => {
      await tabTo(page, target);
      await page.keyboard.press('Enter');
    };
    /** Tabs to a field, replaces what it holds and types, as a keyboard user does. */
    const typeInto = async (target: Locator, text: string) => {
      await tabTo(page, target);
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      if (text) await page.keyboard.type(text);
    };
    const showRunsOf = async (name: string) => {
      await press(page.getByRole('button', { name: 'Executions', exact: true }));
      await press(page.getByRole('button', { name: `Show runs of ${name}` }));
      await page.getByRole('heading', { name: `SLA of ${name}` }).waitFor();
    };

    beforeAll(async () => {
      [runner, studio] = await Promise.all([startRunnerStack(), startStudio()]);
      caller = appRouter.createCaller({ services: studio.server.services });
      session = await signInWithOrganization(caller, runner, 'operator');
      ({ runnerWorkflowId: workflowId } = await publishFailingWorkflow(
        caller,
        runner,
        'Nightly export',
        0,
      ));
      ({ page, errors } = await openPage(studio));
    }, 120_000);

    afterAll(async () => {
      await studio?.close();
      await runner?.close();
      secretService.stop();
    });

    it(
      'sets an SLA; the runner’s refusal is on the fields (axe light and dark)',
      async () => {
        await page.emulateMedia({ colorScheme: 'light' });
        await showRunsOf('Nightly export');
        await expect
          .poll(() => summary().textContent())
          .toBe('No SLA: runs of this workflow are not timed.');
        expect(await section().getByRole('button', { name: 'Remove SLA' }).count()).toBe(0);
        expect(await seriousViolations(page)).toEqual([]);

        await typeInto(section().getByLabel('Longest run (seconds)'), '5');
        await typeInto(section().getByLabel('Longest wait to start (seconds, optional)'), '2');
        await press(section().getByRole('button', { name: 'Save SLA' }));
        const duration = section().getByLabel('Longest run (seconds)');
        await expect.poll(() => duration.getAttribute('aria-invalid')).toBe('true');
        const issues = section().getByTestId('field-issues');
        expect(await issues.allTextContents()).toEqual([
          'must be at least 10 seconds',
          'must be at least 10 seconds',
        ]);
        expect(await slaOnRunner()).toBe(404);
        expect(await seriousViolations(page)).toEqual([]);

        await typeInto(duration, '90');
        await typeInto(section().getByLabel('Longest wait to start (seconds, optional)'), '30');
        await press(section().getByRole('button', { name: 'Save SLA' }));
        await page.getByText('SLA of “Nightly export” saved.').waitFor();
        await expect
          .poll(() => summary().textContent())
          .toBe('A run may take at most 90 s; a run may wait at most 30 s to start.');
        expect(await section().getByTestId('field-issues').count()).toBe(0);
        expect(await slaOnRunner()).toMatchObject({
          workflowId,
          maxDurationSeconds: 90,
          maxStartDelaySeconds: 30,
        });
        expect(await seriousViolations(page)).toEqual([]);
        await page.emulateMedia({ colorScheme: 'dark' });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'runner-workflow-sla-dark');
        await page.emulateMedia({ colorScheme: 'light' });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'shows the stored SLA again, changes it, then removes it',
      async () => {
        await page.reload();
        await showRunsOf('Nightly export');
        await expect
          .poll(() => section().getByLabel('Longest run (seconds)').inputValue())
          .toBe('90');
        await typeInto(section().getByLabel('Longest wait to start (seconds, optional)'), '');
        await press(section().getByRole('button', { name: 'Save SLA' }));
        await expect
          .poll(() => summary().textContent())
          .toBe('A run may take at most 90 s; the wait before a run starts is not watched.');
        expect(await slaOnRunner()).toMatchObject({ maxStartDelaySeconds: null });

        await press(section().getByRole('button', { name: 'Remove SLA' }));
        await page.getByText('“Nightly export” has no SLA now.').waitFor();
        await expect
          .poll(() => summary().textContent())
          .toBe('No SLA: runs of this workflow are not timed.');
        expect(await section().getByLabel('Longest run (seconds)').inputValue()).toBe('');
        expect(await slaOnRunner()).toBe(404);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'is read-only where the user’s role may not change workflows',
      async () => {
        // Another user's organization, where this user has a role that only reads workflows.
        const boss = await runner.signUp('boss');
        const org = await inject(
          'POST',
          '/v1/organizations',
          { token: boss.accessToken },
          {
            name: 'boss org',
          },
        );
        expect(org.statusCode, org.body).toBe(201);
        const as = { token: boss.accessToken, orgId: (org.json() as { id: string }).id };
        const role = await inject('POST', `/v1/organizations/${as.orgId}/roles`, as, {
          name: 'watcher',
          permissions: ['workflows:read', 'executions:read', 'members:read'],
        });
        expect(role.statusCode, role.body).toBe(201);
        const added = await inject('POST', `/v1/organizations/${as.orgId}/users`, as, {
          email: session.user.email,
          role: (role.json() as { id: string }).id,
        });
        expect(added.statusCode, added.body).toBe(201);
        const theirs = await inject('POST', '/v1/workflows', as, {
          definition: {
            format: 'maestro/workflow@1',
            name: 'Ledger sync',
            nodes: [{ id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } }],
            edges: [],
          },
        });
        expect(theirs.statusCode, theirs.body).toBe(201);
        const sla = await inject(
          'PUT',
          `/v1/workflows/${(theirs.json() as { id: string }).id}/sla`,
          as,
          { maxDurationSeconds: 600 },
        );
        expect(sla.statusCode, sla.body).toBe(200);
        await caller.runner.profiles.selectOrganization({
          profileId: session.profileId,
          organizationId: as.orgId,
        });

        await page.reload();
        await showRunsOf('Ledger sync');
        await expect
          .poll(() => summary().textContent())
          .toBe('A run may take at most 600 s; the wait before a run starts is not watched.');
        await section().getByText('Read-only: your role does not change workflows.').waitFor();
        expect(await section().getByRole('textbox').count()).toBe(0);
        expect(await section().getByRole('spinbutton').count()).toBe(0);
        expect(await section().getByRole('button').count()).toBe(0);
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
