/**
 * Event webhooks through the real router, against a real runner (API on 127.0.0.1, PostgreSQL,
 * RabbitMQ and a worker) and a real receiver on 127.0.0.1: create, a published workflow's run
 * becomes a delivery in the log, the runner's dispatcher delivers it, redeliver, rotate,
 * disable, delete, problem+json paths, and a member's 403.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueEvents } from '../../../runner/src/events/dispatcher';
import { createAddressPolicy } from '../../../runner/src/worker/address-policy';
import { createGuardedHttpClient } from '../../../runner/src/worker/guarded-http-client';
import { silentLog } from '../../../runner/src/worker/logger';
import { eventually } from '../../../runner/test/support/execution-fixtures';
import { createKeytarKeychain } from '../keychain/keychain';
import { signInWithOrganization } from '../../test/support/runner-alerts';
import { startRunnerStack } from '../../test/support/runner-stack';
import type { RunnerStack } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const secretService = await startSecretService();
const SERVICE = `maestro-test-event-webhooks-${process.pid}`;

/** A receiver on 127.0.0.1 that records the webhook-id of every request and answers 200. */
async function startReceiver() {
  const ids: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    ids,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hookWorkflow = {
  format: 'maestro/workflow@1',
  name: 'announced',
  nodes: [{ id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } }],
  edges: [],
};

describe.skipIf(!secretService.available)(
  `event webhooks (real runner, real receiver)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let app: TestApp;
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;
    const http = {
      strict: createGuardedHttpClient({ policy: createAddressPolicy() }),
      open: createGuardedHttpClient({ policy: createAddressPolicy({ allowPrivateNetwork: true }) }),
    };
    const hooks = () => app.caller.runner.eventWebhooks;
    /** One pass of the runner scheduler's dispatcher, retries due at once. */
    const dispatch = () =>
      dispatchDueEvents({
        orm: runner.runner.db.orm,
        box: runner.runner.app.secretBox,
        http,
        log: silentLog,
        timing: { retryDelay: () => 0 },
      });

    beforeAll(async () => {
      [runner, receiver] = await Promise.all([startRunnerStack({ worker: true }), startReceiver()]);
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      session = await signInWithOrganization(app.caller, runner, 'ada');
      // The receiver listens on 127.0.0.1: the runner's SSRF guard must let it through.
      await runner.allowPrivateNetwork(session.orgId);
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await receiver?.close();
      await Promise.all([http.strict.close(), http.open.close()]);
      await runner?.close();
      secretService.stop();
    });

    it('creates a subscription, logs and delivers a run’s event, redelivers, rotates, disables and deletes', async () => {
      const { id: workflowId } = await app.caller.workflows.create({ document: hookWorkflow });
      const published = await app.caller.runner.publish.publish({ workflowId });
      const created = await hooks().create({
        url: receiver.url,
        eventTypes: ['execution.succeeded'],
        workflowIds: [published.runnerWorkflowId],
        description: null,
      });
      expect(created).toMatchObject({
        url: receiver.url,
        eventTypes: ['execution.succeeded'],
        workflowIds: [published.runnerWorkflowId],
        enabled: true,
      });
      expect(created.secret).toMatch(/^whsec_/);
      const [listed] = await hooks().list();
      expect(listed).toMatchObject({ id: created.id, lastDelivery: null });
      expect(JSON.stringify(await hooks().list())).not.toContain(created.secret);

      const hook = await fetch(published.webhookUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(hook.status).toBe(202);
      const [logged] = await eventually(async () => {
        const items = await hooks().deliveries({ subscriptionId: created.id });
        return items.length > 0 ? items : undefined;
      });
      expect(logged).toMatchObject({ eventType: 'execution.succeeded', status: 'pending' });

      await eventually(async () => {
        await dispatch();
        return receiver.ids.length > 0 ? true : undefined;
      });
      expect(receiver.ids).toEqual([logged!.eventId]);
      const delivered = (await hooks().list()).find((s) => s.id === created.id)?.lastDelivery;
      expect(delivered).toMatchObject({
        id: logged!.id,
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
      });

      const again = await hooks().redeliver({
        subscriptionId: created.id,
        deliveryId: logged!.id,
      });
      expect(again).toMatchObject({ eventId: logged!.eventId, status: 'pending' });
      await eventually(async () => {
        await dispatch();
        return receiver.ids.length > 1 ? true : undefined;
      });
      expect(receiver.ids).toEqual([logged!.eventId, logged!.eventId]);
      expect((await hooks().deliveries({ subscriptionId: created.id })).length).toBe(2);

      const rotated = await hooks().rotateSecret({ subscriptionId: created.id });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);

      expect(
        await hooks().setEnabled({ subscriptionId: created.id, enabled: false }),
      ).toMatchObject({ enabled: false });
      await hooks().remove({ subscriptionId: created.id });
      expect((await hooks().list()).map((s) => s.id)).not.toContain(created.id);
      await expect(hooks().deliveries({ subscriptionId: created.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('carries the runner’s problem+json paths for a bad subscription', async () => {
      const error = (await hooks()
        .create({
          url: 'ftp://example.com/hooks',
          eventTypes: ['execution.exploded'],
          workflowIds: [],
        })
        .then(
          () => expect.fail('the runner accepted it'),
          (e: unknown) => e,
        )) as { code: string; cause?: { issues?: { path: string }[] } };
      expect(error.code).toBe('BAD_REQUEST');
      expect((error.cause?.issues ?? []).map((i) => i.path)).toEqual(
        expect.arrayContaining(['url', 'eventTypes[0]', 'workflowIds']),
      );
    });

    it('a member may not see or manage event webhooks: the runner answers 403', async () => {
      const member = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      try {
        const theirs = await signInWithOrganization(member.caller, runner, 'member');
        const added = await runner.runner.app.inject({
          method: 'POST',
          url: `/v1/organizations/${session.orgId}/users`,
          headers: {
            authorization: `Bearer ${session.user.accessToken}`,
            'x-organization-id': session.orgId,
          },
          payload: { email: theirs.user.email, role: 'member' },
        });
        expect(added.statusCode, added.body).toBe(201);
        await member.caller.runner.profiles.selectOrganization({
          profileId: theirs.profileId,
          organizationId: session.orgId,
        });
        await expect(member.caller.runner.eventWebhooks.list()).rejects.toMatchObject({
          code: 'FORBIDDEN',
        });
        await expect(
          member.caller.runner.eventWebhooks.create({
            url: receiver.url,
            eventTypes: ['execution.failed'],
            workflowIds: null,
          }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      } finally {
        await member.close();
      }
    });
  },
);
