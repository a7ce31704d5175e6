/**
 * A workflow's SLA through the real router against a real runner (API on 127.0.0.1 and
 * PostgreSQL): shown, set, refused with the runner's JSON paths, cleared; read-only for a role
 * without workflows:write, which the runner refuses too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeytarKeychain } from '../keychain/keychain';
import { publishFailingWorkflow, signInWithOrganization } from '../../test/support/runner-alerts';
import { startRunnerStack } from '../../test/support/runner-stack';
import type { RunnerStack } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const secretService = await startSecretService();
const SERVICE = `maestro-test-workflow-sla-${process.pid}`;

describe.skipIf(!secretService.available)(
  `workflow SLA (real runner)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let app: TestApp;
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;
    let workflowId: string;

    const headers = () => ({
      authorization: `Bearer ${session.user.accessToken}`,
      'x-organization-id': session.orgId,
    });
    /** What the runner itself holds, over its API. */
    const runnerSla = async () => {
      const res = await runner.runner.app.inject({
        url: `/v1/workflows/${workflowId}/sla`,
        headers: headers(),
      });
      return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : null };
    };

    beforeAll(async () => {
      runner = await startRunnerStack({ worker: false });
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      session = await signInWithOrganization(app.caller, runner, 'sla-owner');
      ({ runnerWorkflowId: workflowId } = await publishFailingWorkflow(
        app.caller,
        runner,
        'Nightly export',
        0,
      ));
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await runner?.close();
      secretService.stop();
    });

    it('shows none, sets one, shows it, and clears it', async () => {
      const executions = app.caller.runner.executions;
      expect(await executions.sla({ runnerWorkflowId: workflowId })).toEqual({
        sla: null,
        canEdit: true,
      });
      const saved = await executions.setSla({
        runnerWorkflowId: workflowId,
        maxDurationSeconds: 90,
        maxStartDelaySeconds: null,
      });
      expect(saved).toMatchObject({
        workflowId,
        maxDurationSeconds: 90,
        maxStartDelaySeconds: null,
      });
      expect(await runnerSla()).toEqual({ status: 200, body: saved });
      const both = await executions.setSla({
        runnerWorkflowId: workflowId,
        maxDurationSeconds: 120,
        maxStartDelaySeconds: 30,
      });
      expect(await executions.sla({ runnerWorkflowId: workflowId })).toEqual({
        sla: both,
        canEdit: true,
      });

      expect(await executions.clearSla({ runnerWorkflowId: workflowId })).toEqual({
        runnerWorkflowId: workflowId,
      });
      expect(await runnerSla()).toEqual({ status: 404, body: null });
      expect((await executions.sla({ runnerWorkflowId: workflowId })).sla).toBeNull();
    });

    it('the runner’s refusal reaches the renderer with the JSON paths of the fields', async () => {
      const error = await app.caller.runner.executions
        .setSla({ runnerWorkflowId: workflowId, maxDurationSeconds: 5, maxStartDelaySeconds: 1.5 })
        .then(
          () => null,
          (e: unknown) => e as { code: string; cause: { issues: unknown[] } },
        );
      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      expect(error!.cause.issues).toEqual(
        expect.arrayContaining([
          { path: 'maxDurationSeconds', message: 'must be at least 10 seconds' },
          { path: 'maxStartDelaySeconds', message: 'must be a whole number of seconds' },
        ]),
      );
      expect(await runnerSla()).toEqual({ status: 404, body: null });
    });

    it('a workflow the user cannot see is not found, not "no SLA"', async () => {
      await expect(
        app.caller.runner.executions.sla({
          runnerWorkflowId: '00000000-0000-4000-8000-000000000000',
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('a role without workflows:write sees the SLA read-only and is refused a change', async () => {
      await app.caller.runner.executions.setSla({
        runnerWorkflowId: workflowId,
        maxDurationSeconds: 60,
        maxStartDelaySeconds: null,
      });
      const role = await runner.runner.app.inject({
        method: 'POST',
        url: `/v1/organizations/${session.orgId}/roles`,
        headers: headers(),
        payload: { name: 'watcher', permissions: ['workflows:read', 'members:read'] },
      });
      expect(role.statusCode, role.body).toBe(201);
      const watcher = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      try {
        const theirs = await signInWithOrganization(watcher.caller, runner, 'sla-watcher');
        const added = await runner.runner.app.inject({
          method: 'POST',
          url: `/v1/organizations/${session.orgId}/users`,
          headers: headers(),
          payload: { email: theirs.user.email, role: (role.json() as { id: string }).id },
        });
        expect(added.statusCode, added.body).toBe(201);
        await watcher.caller.runner.profiles.selectOrganization({
          profileId: theirs.profileId,
          organizationId: session.orgId,
        });
        const seen = await watcher.caller.runner.executions.sla({ runnerWorkflowId: workflowId });
        expect(seen).toMatchObject({ canEdit: false, sla: { maxDurationSeconds: 60 } });
        await expect(
          watcher.caller.runner.executions.clearSla({ runnerWorkflowId: workflowId }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
        expect((await runnerSla()).body).toMatchObject({ maxDurationSeconds: 60 });
      } finally {
        await watcher.close();
      }
    });
  },
);
