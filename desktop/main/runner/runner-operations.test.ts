/**
 * Publishing, the executions dashboard and administration through the real
 * router, against a real runner (API on 127.0.0.1 + PostgreSQL + a relay and
 * worker on RabbitMQ) and a real Secret Service for the session.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeytarKeychain } from '../keychain/keychain';
import { RUNNER_PASSWORD, startRunnerStack } from '../../test/support/runner-stack';
import type { RunnerStack } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const secretService = await startSecretService();
const SERVICE = `maestro-test-runner-ops-${process.pid}`;

const hookWorkflow = (name: string) => ({
  format: 'maestro/workflow@1',
  name,
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'shape', type: 'transform', config: { value: { got: '{{ trigger.body }}' } } },
  ],
  edges: [{ from: 'hook', to: 'shape' }],
});

/** Polls (the runner works in the background) until `check` passes or 20 s have gone. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!secretService.available)(
  `publish, executions, admin (real runner + worker)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let app: TestApp;
    let orgId: string;
    let owner: Awaited<ReturnType<RunnerStack['signUp']>>;

    /** A desktop signed in as a new user, with an organization of its own. */
    async function desktopAs(target: TestApp, name: string, createOrg = true) {
      const user = await runner.signUp(name);
      const profile = await target.caller.runner.profiles.create({ name, baseUrl: runner.url });
      await target.caller.runner.profiles.setActive({ profileId: profile.id });
      await target.caller.runner.profiles.signIn({
        profileId: profile.id,
        email: user.email,
        password: RUNNER_PASSWORD,
      });
      if (!createOrg) return { user, profile, orgId: '' };
      const org = await target.caller.runner.admin.createOrganization({ name: `${name} org` });
      await target.caller.runner.profiles.selectOrganization({
        profileId: profile.id,
        organizationId: org.id,
      });
      return { user, profile, orgId: org.id };
    }

    beforeAll(async () => {
      runner = await startRunnerStack({ worker: true });
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      ({ orgId, user: owner } = await desktopAs(app, 'olivia'));
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await runner?.close();
      secretService.stop();
    });

    it('publishes with POST the first time and PUT after, remembering the runner id', async () => {
      const { id } = await app.caller.workflows.create({ document: hookWorkflow('orders') });
      expect(await app.caller.runner.publish.status({ workflowId: id })).toBeNull();
      const first = await app.caller.runner.publish.publish({ workflowId: id });
      expect(first).toMatchObject({ created: true, version: 1, organizationId: orgId });
      expect(first.webhookUrl).toMatch(new RegExp(`^${runner.url}/v1/hooks/`));
      const second = await app.caller.runner.publish.publish({ workflowId: id });
      expect(second).toMatchObject({
        created: false,
        version: 2,
        runnerWorkflowId: first.runnerWorkflowId,
        webhookUrl: first.webhookUrl,
      });
      expect(await app.caller.runner.publish.status({ workflowId: id })).toMatchObject({
        runnerWorkflowId: first.runnerWorkflowId,
        version: 2,
      });
    });

    it('shows the runner’s validation errors with the editor’s paths', async () => {
      const { id } = await app.caller.workflows.create({ document: hookWorkflow('draft') });
      const broken = hookWorkflow('draft');
      broken.nodes.push({ id: 'call', type: 'action.http', config: { method: 'GET' } } as never);
      broken.edges.push({ from: 'shape', to: 'call' });
      await app.caller.workflows.save({ id, document: broken });
      const error = await app.caller.runner.publish.publish({ workflowId: id }).then(
        () => null,
        (e: unknown) => e as { code: string; message: string; cause: { issues: unknown[] } },
      );
      expect(error).toMatchObject({ code: 'BAD_REQUEST', message: /not valid/ });
      expect(error!.cause.issues).toContainEqual({
        path: 'nodes[2].config.url',
        message: expect.any(String),
      });
      expect(await app.caller.runner.publish.status({ workflowId: id })).toBeNull();
    });

    it('a webhook call shows up as a successful execution with steps and logs', async () => {
      const { id } = await app.caller.workflows.create({ document: hookWorkflow('hooked') });
      const published = await app.caller.runner.publish.publish({ workflowId: id });
      const hook = await fetch(published.webhookUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ total: 150 }),
      });
      expect(hook.status).toBe(202);
      const { executionId } = (await hook.json()) as { executionId: string };
      const list = await eventually(
        () => app.caller.runner.executions.list({ runnerWorkflowId: published.runnerWorkflowId }),
        (page) => page.items[0]?.status === 'success',
      );
      expect(list.items.map((e) => [e.id, e.status, e.trigger])).toEqual([
        [executionId, 'success', 'webhook'],
      ]);
      const detail = await app.caller.runner.executions.get({ executionId });
      expect(detail.steps.shape).toMatchObject({
        status: 'success',
        output: { got: { total: 150 } },
      });
      await expect(app.caller.runner.executions.cancel({ executionId })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: /already ended/,
      });

      const workflows = await app.caller.runner.executions.workflows();
      expect(workflows.find((w) => w.runnerWorkflowId === published.runnerWorkflowId)).toEqual({
        runnerWorkflowId: published.runnerWorkflowId,
        name: 'hooked',
        version: 1,
        enabled: true,
        webhookUrl: published.webhookUrl,
        localWorkflowId: id,
      });
      // The organization-wide list has it too, with the workflow it belongs to.
      const recent = await app.caller.runner.executions.list({});
      expect(recent.items.find((e) => e.id === executionId)).toMatchObject({
        workflowId: published.runnerWorkflowId,
        status: 'success',
        trigger: 'webhook',
      });
    });

    it('a failing step’s retries are in the logs, and the run counts as failed', async () => {
      await runner.allowPrivateNetwork(orgId);
      const down = createServer((_req, res) => res.writeHead(503).end('busy'));
      await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/`;
        const document = hookWorkflow('flaky');
        document.nodes.push({
          id: 'call',
          type: 'action.http',
          config: { method: 'GET', url },
          retry: { maxAttempts: 2, backoffMs: 10 },
        } as never);
        document.edges.push({ from: 'shape', to: 'call' });
        const { id } = await app.caller.workflows.create({ document });
        const published = await app.caller.runner.publish.publish({ workflowId: id });
        const res = await fetch(published.webhookUrl!, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        const { executionId } = (await res.json()) as { executionId: string };
        const detail = await eventually(
          () => app.caller.runner.executions.get({ executionId }),
          (e) => e.status === 'failed',
        );
        expect(detail).toMatchObject({
          status: 'failed',
          steps: { call: { status: 'failed', attempts: 2 } },
        });
        const logs = await app.caller.runner.executions.logs({ executionId });
        expect(logs.items).toContainEqual(
          expect.objectContaining({
            stepId: 'call',
            level: 'warn',
            message: expect.stringMatching(
              /^attempt 1 failed \(HTTP_STATUS: GET .* returned 503\); attempt 2 in/,
            ),
          }),
        );
        const failed = await app.caller.runner.executions.list({
          runnerWorkflowId: published.runnerWorkflowId,
          status: 'failed',
        });
        expect(failed.items.map((e) => e.id)).toEqual([executionId]);
        // Across the organization, the failed filter finds it and nothing that succeeded.
        const allFailed = await app.caller.runner.executions.list({ status: 'failed' });
        expect(allFailed.items.map((e) => e.id)).toContain(executionId);
        expect(allFailed.items.every((e) => e.status === 'failed')).toBe(true);
      } finally {
        await new Promise((resolve) => down.close(resolve));
      }
    });

    it('cancels a running execution', async () => {
      await runner.allowPrivateNetwork(orgId);
      // A step that waits on a server that answers late keeps the run `running`.
      const slow = createServer((_req, res) => setTimeout(() => res.end('late'), 10_000).unref());
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
      try {
        const document = hookWorkflow('slow');
        document.nodes.push({
          id: 'wait',
          type: 'action.http',
          config: {
            method: 'GET',
            url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`,
          },
        } as never);
        document.edges.push({ from: 'shape', to: 'wait' });
        const { id } = await app.caller.workflows.create({ document });
        const published = await app.caller.runner.publish.publish({ workflowId: id });
        const res = await fetch(published.webhookUrl!, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        const { executionId } = (await res.json()) as { executionId: string };
        await eventually(
          () => app.caller.runner.executions.get({ executionId }),
          (e) => e.status === 'running',
        );
        expect(await app.caller.runner.executions.cancel({ executionId })).toMatchObject({
          id: executionId,
        });
        const ended = await eventually(
          () => app.caller.runner.executions.get({ executionId }),
          (e) => e.status === 'canceled',
        );
        expect(ended.status).toBe('canceled');
      } finally {
        slow.closeAllConnections();
        await new Promise((resolve) => slow.close(resolve));
      }
    });

    it('filters by status and pages with the cursor', async () => {
      const { id } = await app.caller.workflows.create({ document: hookWorkflow('paged') });
      const published = await app.caller.runner.publish.publish({ workflowId: id });
      for (let i = 0; i < 3; i++) {
        const res = await fetch(published.webhookUrl!, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(202);
      }
      const runnerWorkflowId = published.runnerWorkflowId;
      await eventually(
        () => app.caller.runner.executions.list({ runnerWorkflowId, status: 'success' }),
        (page) => page.items.length === 3,
      );
      const first = await app.caller.runner.executions.list({ runnerWorkflowId, limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toBeTruthy();
      const rest = await app.caller.runner.executions.list({
        runnerWorkflowId,
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(rest.items).toHaveLength(1);
      expect(new Set([...first.items, ...rest.items].map((e) => e.id)).size).toBe(3);
      expect(
        (await app.caller.runner.executions.list({ runnerWorkflowId, status: 'failed' })).items,
      ).toEqual([]);
    });

    it('counts by status over each window match what the runner holds; pages cover them all', async () => {
      // Nothing in flight, so the database and the answer describe the same moment.
      const settled = () =>
        runner.countExecutions(orgId, new Date(0)).then((c) => !c.pending && !c.running);
      await eventually(settled, Boolean);
      const all = await app.caller.runner.executions.list({ limit: 200 });
      expect(all.items.length).toBeGreaterThanOrEqual(3);
      // One run three days back: outside the last hour and day, inside the last week.
      const old = all.items.find((e) => e.status === 'success')!;
      await runner.backdateExecution(old.id, new Date(Date.now() - 3 * 24 * 60 * 60 * 1000));

      const expected = { pending: 0, running: 0, success: 0, failed: 0, canceled: 0 };
      for (const [window, hours] of [
        ['1h', 1],
        ['24h', 24],
        ['7d', 7 * 24],
      ] as const) {
        const stats = await app.caller.runner.executions.stats({ window });
        const held = {
          ...expected,
          ...(await runner.countExecutions(orgId, new Date(Date.now() - hours * 3600_000))),
        };
        expect(stats.byStatus, window).toEqual(held);
        const ended = held.success + held.failed + held.canceled;
        expect(stats).toMatchObject({
          window,
          total: Object.values(held).reduce((a, b) => a + b, 0),
          ended,
          successRate: held.success / ended,
          failureRate: held.failed / ended,
        });
      }
      const day = await app.caller.runner.executions.stats({ window: '24h' });
      const week = await app.caller.runner.executions.stats({ window: '7d' });
      expect(week.byStatus.success).toBe(day.byStatus.success + 1);
      expect(week.byStatus.failed).toBeGreaterThanOrEqual(1);
      expect(week.byStatus.canceled).toBeGreaterThanOrEqual(1);

      // Cursor pages of two walk every execution once, newest first.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await app.caller.runner.executions.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(week.total);
    });

    it('another organization’s executions are not found', async () => {
      const { id } = await app.caller.workflows.create({ document: hookWorkflow('private') });
      const published = await app.caller.runner.publish.publish({ workflowId: id });
      const other = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      try {
        await desktopAs(other, 'mallory');
        await expect(
          other.caller.runner.executions.list({ runnerWorkflowId: published.runnerWorkflowId }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      } finally {
        await other.close();
      }
    });

    /** Adds an existing user to the organization through the runner's API, as its owner. */
    async function addToOrg(email: string) {
      const res = await runner.runner.app.inject({
        method: 'POST',
        url: `/v1/organizations/${orgId}/users`,
        headers: { authorization: `Bearer ${owner.accessToken}`, 'x-organization-id': orgId },
        payload: { email, role: 'member' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }

    it('owners manage members and roles; a member gets a read-only view and is refused', async () => {
      const member = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      try {
        const { user } = await desktopAs(member, 'max', false);
        const orgs = await app.caller.runner.admin.organizations();
        expect(orgs.find((o) => o.id === orgId)).toMatchObject({ role: 'owner' });
        await addToOrg(user.email);

        const listed = await app.caller.runner.admin.members({ organizationId: orgId });
        expect(listed).toMatchObject({ canManage: true, canShare: true });
        expect(listed.items.map((m) => m.role).sort()).toEqual(['member', 'owner']);
        expect(listed.roles.map((r) => r.id)).toEqual(
          expect.arrayContaining(['owner', 'admin', 'member']),
        );

        // The member's own desktop: read-only, and the runner refuses changes.
        const seen = await member.caller.runner.admin.members({ organizationId: orgId });
        expect(seen).toMatchObject({ canManage: false, canShare: false });
        expect(seen.items).toHaveLength(2);
        await expect(
          member.caller.runner.admin.changeRole({
            organizationId: orgId,
            userId: user.userId,
            role: 'owner',
          }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });

        expect(
          await app.caller.runner.admin.changeRole({
            organizationId: orgId,
            userId: user.userId,
            role: 'admin',
          }),
        ).toMatchObject({ id: user.userId, role: 'admin' });
        await app.caller.runner.admin.removeMember({ organizationId: orgId, userId: user.userId });
        const after = await app.caller.runner.admin.members({ organizationId: orgId });
        expect(after.items.map((m) => m.email)).not.toContain(user.email);
        await expect(
          member.caller.runner.admin.members({ organizationId: orgId }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      } finally {
        await member.close();
      }
    });

    it('invites by email, lists pending invitations and revokes one', async () => {
      const sent = await app.caller.runner.admin.invite({
        organizationId: orgId,
        email: 'new.person@example.test',
        role: 'member',
      });
      expect(sent).toMatchObject({ email: 'new.person@example.test', role: 'member' });
      const pending = await app.caller.runner.admin.invitations({ organizationId: orgId });
      expect(pending.items.map((i) => i.email)).toContain('new.person@example.test');
      await app.caller.runner.admin.revokeInvitation({
        organizationId: orgId,
        invitationId: sent.id,
      });
      expect(
        (await app.caller.runner.admin.invitations({ organizationId: orgId })).items,
      ).not.toContainEqual(expect.objectContaining({ id: sent.id }));
      await expect(
        app.caller.runner.admin.invite({ organizationId: orgId, email: 'not an email' }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('restricts a published workflow to named members', async () => {
      const member = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      try {
        const { user, profile } = await desktopAs(member, 'rita', false);
        await addToOrg(user.email);
        await member.caller.runner.profiles.selectOrganization({
          profileId: profile.id,
          organizationId: orgId,
        });
        const { id } = await app.caller.workflows.create({ document: hookWorkflow('secretive') });
        const { runnerWorkflowId } = await app.caller.runner.publish.publish({ workflowId: id });
        expect(await app.caller.runner.admin.workflowAccess({ runnerWorkflowId })).toEqual({
          restricted: false,
          members: [],
        });
        expect((await member.caller.runner.executions.list({ runnerWorkflowId })).items).toEqual(
          [],
        );

        await app.caller.runner.admin.setWorkflowAccess({
          runnerWorkflowId,
          restricted: true,
          members: [],
        });
        await expect(
          member.caller.runner.executions.list({ runnerWorkflowId }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });

        const shared = await app.caller.runner.admin.setWorkflowAccess({
          runnerWorkflowId,
          restricted: true,
          members: [{ userId: user.userId, access: 'view' }],
        });
        expect(shared.members).toEqual([
          { userId: user.userId, email: user.email, name: 'rita', access: 'view' },
        ]);
        expect((await member.caller.runner.executions.list({ runnerWorkflowId })).items).toEqual(
          [],
        );
      } finally {
        await member.close();
      }
    });

    it('keeps the last owner', async () => {
      const me = (await app.caller.runner.admin.members({ organizationId: orgId })).items[0]!;
      await expect(
        app.caller.runner.admin.changeRole({
          organizationId: orgId,
          userId: me.id,
          role: 'member',
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT', message: /at least one owner/ });
    });
  },
);
