/**
 * The bell and alert settings through the real router against a real runner (API on
 * 127.0.0.1, PostgreSQL, relay and worker on RabbitMQ): workflows really fail, the runner's
 * scheduler code writes the digest, the desktop lists it, marks it read and mutes alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeytarKeychain } from '../keychain/keychain';
import {
  publishFailingWorkflow,
  signInWithOrganization,
  writeFailureDigests,
} from '../../test/support/runner-alerts';
import { startRunnerStack } from '../../test/support/runner-stack';
import type { RunnerStack } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const secretService = await startSecretService();
const SERVICE = `maestro-test-runner-alerts-${process.pid}`;

describe.skipIf(!secretService.available)(
  `notifications and alert settings (real runner + worker)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let app: TestApp;
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;

    /** What the runner itself holds for the signed-in user, over its API. */
    const runnerSettings = async () => {
      const res = await runner.runner.app.inject({
        url: '/v1/alert-settings',
        headers: {
          authorization: `Bearer ${session.user.accessToken}`,
          'x-organization-id': session.orgId,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as unknown;
    };

    beforeAll(async () => {
      runner = await startRunnerStack({ worker: true });
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      session = await signInWithOrganization(app.caller, runner, 'opal');
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await runner?.close();
      secretService.stop();
    });

    it('lists a real failure digest with its workflow and newest run, then marks it read', async () => {
      const notifications = app.caller.runner.notifications;
      expect(await notifications.unreadCount()).toEqual({ count: 0, capped: false });
      const failing = await publishFailingWorkflow(app.caller, runner, 'payments', 2);
      expect(await writeFailureDigests(runner)).toHaveLength(1);

      expect(await notifications.unreadCount()).toEqual({ count: 1, capped: false });
      const [digest, ...rest] = await notifications.list({});
      expect(rest).toEqual([]);
      expect(digest).toMatchObject({
        kind: 'workflow.failures',
        title: 'Workflow "payments" failed (2 failed executions)',
        readAt: null,
        workflowId: failing.runnerWorkflowId,
        executionId: failing.executionIds[0],
        connectionId: null,
      });
      expect(digest!.body).toContain('the upstream refused');

      await notifications.markRead({ notificationId: digest!.id });
      expect(await notifications.unreadCount()).toEqual({ count: 0, capped: false });
      expect(await notifications.list({ unreadOnly: true })).toEqual([]);
      const [read] = await notifications.list({});
      expect(read!.readAt).not.toBeNull();
      await expect(notifications.markRead({ notificationId: digest!.id })).resolves.toEqual({
        notificationId: digest!.id,
      });
    }, 60_000);

    it('marks every unread notification read at once', async () => {
      await publishFailingWorkflow(app.caller, runner, 'invoices', 1);
      await publishFailingWorkflow(app.caller, runner, 'refunds', 1);
      expect(await writeFailureDigests(runner)).toHaveLength(2);
      expect(await app.caller.runner.notifications.unreadCount()).toEqual({
        count: 2,
        capped: false,
      });
      expect(await app.caller.runner.notifications.markAllRead()).toEqual({ marked: 2 });
      expect(await app.caller.runner.notifications.unreadCount()).toEqual({
        count: 0,
        capped: false,
      });
      expect(await app.caller.runner.notifications.list({})).toHaveLength(3);
    }, 60_000);

    it('an unknown notification is 404, not a silent success', async () => {
      await expect(
        app.caller.runner.notifications.markRead({
          notificationId: '00000000-0000-4000-8000-000000000000',
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', message: /notification/ });
    });

    it('mutes one workflow on the runner: its next failures tell this user nothing', async () => {
      const alerts = app.caller.runner.notifications;
      expect(await alerts.alertSettings()).toEqual({ muteAll: false, mutedWorkflowIds: [] });
      const { id } = await app.caller.workflows.create({
        document: {
          format: 'maestro/workflow@1',
          name: 'quiet',
          nodes: [{ id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } }],
          edges: [],
        },
      });
      const quiet = await app.caller.runner.publish.publish({ workflowId: id });
      const saved = await alerts.saveAlertSettings({
        muteAll: false,
        mutedWorkflowIds: [quiet.runnerWorkflowId],
      });
      expect(saved).toEqual({ muteAll: false, mutedWorkflowIds: [quiet.runnerWorkflowId] });
      expect(await runnerSettings()).toEqual(saved);
      expect(await alerts.alertSettings()).toEqual(saved);

      const before = (await alerts.list({})).length;
      await publishFailingWorkflow(app.caller, runner, 'muted by all', 1);
      await alerts.saveAlertSettings({ muteAll: true, mutedWorkflowIds: [] });
      expect(await runnerSettings()).toEqual({ muteAll: true, mutedWorkflowIds: [] });
      // The runner writes the digest but this user, muted, is not among its recipients.
      expect(await writeFailureDigests(runner)).toHaveLength(1);
      expect(await alerts.list({})).toHaveLength(before);
      await alerts.saveAlertSettings({ muteAll: false, mutedWorkflowIds: [] });
    }, 60_000);

    it('the runner’s problem+json about a muted id reaches the renderer with its path', async () => {
      const error = await app.caller.runner.notifications
        .saveAlertSettings({
          muteAll: false,
          mutedWorkflowIds: ['00000000-0000-4000-8000-000000000000'],
        })
        .then(
          () => null,
          (e: unknown) => e as { code: string; message: string; cause: { issues: unknown[] } },
        );
      expect(error).toMatchObject({ code: 'BAD_REQUEST', message: /muted workflow list/ });
      expect(error!.cause.issues).toEqual([
        { path: 'mutedWorkflowIds[0]', message: 'no such workflow' },
      ]);
      await expect(
        app.caller.runner.notifications.saveAlertSettings({
          muteAll: false,
          mutedWorkflowIds: ['not-an-id'],
        }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      expect(await runnerSettings()).toEqual({ muteAll: false, mutedWorkflowIds: [] });
    });
  },
);
