import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEvent } from '../../../shared/src/contracts/runner-api/event-subscriptions';
import { withSystemContext } from '../../src/db/org-context';
import { openOrm } from '../../src/db/orm';
import { dispatchDueEvents, type DispatchTiming } from '../../src/events/dispatcher';
import { createAddressPolicy } from '../../src/worker/address-policy';
import {
  createGuardedHttpClient,
  type GuardedHttpClient,
} from '../../src/worker/guarded-http-client';
import { createScheduler } from '../../src/scheduler/scheduler';
import { silentLog } from '../../src/worker/logger';
import { eventually, waitForStatus } from '../support/execution-fixtures';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';
import { createTestBroker, type TestBroker } from '../support/test-broker';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  event: WebhookEvent;
}

/** A real receiver on 127.0.0.1: records every request, answers with the next queued status (else 200). */
async function startReceiver(options: { delayMs?: number; hang?: boolean } = {}) {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body, event: WebhookEvent.parse(JSON.parse(body)) });
      if (options.hang) return;
      const status = answers.shift() ?? 200;
      setTimeout(
        () => res.writeHead(status).end(status === 200 ? 'ok' : 'no'),
        options.delayMs ?? 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Standard Webhooks verification, written from the spec rather than with the runner's code. */
function verifySignature(secret: string, received: Received): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = String(received.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${received.body}`).digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return (
        version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
      );
    });
}

let t: TestApp;
let mq: TestBroker;
let stack: ExecutionStack;
let http: { strict: GuardedHttpClient; open: GuardedHttpClient };
let alice: Owner;
let bob: Owner;
const receivers: Receiver[] = [];

const call = (
  who: Owner,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) => t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

/** Retries due at once, so a test's next dispatch pass makes the next attempt. */
const NOW: Partial<DispatchTiming> = { retryDelay: () => 0 };

const dispatch = (timing: Partial<DispatchTiming> = NOW, orm: MikroORM = t.db.orm) =>
  dispatchDueEvents({ orm, box: t.app.secretBox, http, log: silentLog, timing });

async function receiver(options?: { delayMs?: number; hang?: boolean }) {
  const r = await startReceiver(options);
  receivers.push(r);
  return r;
}

async function subscribe(who: Owner, url: string, eventTypes: string[], extra: object = {}) {
  const res = await call(who, 'POST', '/v1/event-subscriptions', { url, eventTypes, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
}

async function publish(who: Owner, definition: object): Promise<string> {
  const res = await call(who, 'POST', '/v1/workflows', { definition });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function run(who: Owner, workflowId: string): Promise<string> {
  const res = await call(who, 'POST', `/v1/workflows/${workflowId}/executions`, { input: {} });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().id as string;
}

const failingWorkflow = (name: string) => ({
  format: 'maestro/workflow@1',
  name,
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'boom', type: 'flow.fail', config: { message: 'nope' } },
  ],
  edges: [{ from: 'hook', to: 'boom' }],
});

const deliveriesOf = async (who: Owner, subscriptionId: string) => {
  const res = await call(who, 'GET', `/v1/event-subscriptions/${subscriptionId}/deliveries`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as {
    id: string;
    eventId: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    lastError: string | null;
    nextAttemptAt: string | null;
  }[];
};

const allowPrivateNetwork = (orgId: string) =>
  withSystemContext(t.db.orm, (em) =>
    em.execute('update organizations set allow_private_network = true where id = ?', [orgId]),
  );

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_RATE_LIMIT_PER_MINUTE: '100000',
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  mq = await createTestBroker();
  stack = startExecutionStack({
    orm: t.db.orm,
    broker: mq.broker,
    listenUrl: t.db.url,
    secretBox: t.app.secretBox,
  });
  http = {
    strict: createGuardedHttpClient({ policy: createAddressPolicy() }),
    open: createGuardedHttpClient({ policy: createAddressPolicy({ allowPrivateNetwork: true }) }),
  };
  alice = await signUpWithOrg(t.app, 'alice');
  bob = await signUpWithOrg(t.app, 'bob');
  await allowPrivateNetwork(alice.orgId);
  await allowPrivateNetwork(bob.orgId);
});

afterAll(async () => {
  await stack?.stop();
  await mq?.drop();
  await Promise.all([http?.strict.close(), http?.open.close()]);
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});

describe('event webhooks', () => {
  it('delivers a succeeded and a failed run once each, signed, and nothing to another organization', async () => {
    const mine = await receiver();
    const theirs = await receiver();
    const sub = await subscribe(alice, mine.url, ['execution.succeeded', 'execution.failed']);
    await subscribe(bob, theirs.url, [
      'execution.succeeded',
      'execution.failed',
      'execution.canceled',
    ]);
    const ok = await run(alice, await publish(alice, webhookWorkflow('fine')));
    const bad = await run(alice, await publish(alice, failingWorkflow('broken')));
    await waitForStatus(t.db.orm, ok, ['success']);
    await waitForStatus(t.db.orm, bad, ['failed']);
    await eventually(async () => {
      await dispatch();
      return mine.received.length >= 2 ? true : undefined;
    });
    for (let i = 0; i < 3; i++) await dispatch();
    expect(mine.received).toHaveLength(2);
    expect(theirs.received).toHaveLength(0);
    const byExecution = new Map(mine.received.map((r) => [r.event.data.executionId, r]));
    expect(byExecution.get(ok)?.event).toMatchObject({
      type: 'execution.succeeded',
      data: { executionId: ok, status: 'success', trigger: 'api' },
    });
    expect(byExecution.get(bad)?.event).toMatchObject({
      type: 'execution.failed',
      data: { executionId: bad, status: 'failed' },
    });
    for (const r of mine.received) {
      expect(verifySignature(sub.secret, r)).toBe(true);
      expect(verifySignature(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, r)).toBe(false);
      expect(r.headers['webhook-id']).toBe(r.event.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Math.abs(Number(r.headers['webhook-timestamp']) * 1_000 - Date.now())).toBeLessThan(
        600_000,
      );
      // Ids, status and timing only: no input, output or error text of the run.
      expect(Object.keys(r.event.data).sort()).toEqual(
        [
          'attempt',
          'createdAt',
          'executionId',
          'finishedAt',
          'startedAt',
          'status',
          'trigger',
          'workflowId',
        ].sort(),
      );
      expect(r.body).not.toContain('nope');
    }
    const log = await deliveriesOf(alice, sub.id);
    expect(log.map((d) => [d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['delivered', 1, 200],
      ['delivered', 1, 200],
    ]);
  });

  it('retries a 500 and delivers once; a 400 is not retried; redeliver sends the event again', async () => {
    const r = await receiver();
    const workflowId = await publish(alice, webhookWorkflow('toggled'));
    const sub = await subscribe(alice, r.url, ['workflow.disabled', 'workflow.enabled'], {
      workflowIds: [workflowId],
    });
    r.answers.push(500);
    const disabled = await call(alice, 'POST', `/v1/workflows/${workflowId}/disable`, {
      reason: 'maintenance',
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect((await dispatch()).retrying).toBe(1);
    const [pending] = await deliveriesOf(alice, sub.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(pending?.nextAttemptAt).not.toBeNull();
    expect((await dispatch()).delivered).toBe(1);
    await dispatch();
    expect(r.received).toHaveLength(2);
    expect(r.received[0]?.headers['webhook-id']).toBe(r.received[1]?.headers['webhook-id']);
    expect(r.received[1]?.event).toMatchObject({
      type: 'workflow.disabled',
      data: { workflowId, name: 'toggled', enabled: false, reason: 'maintenance' },
    });
    const [delivered] = await deliveriesOf(alice, sub.id);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });

    r.answers.push(400);
    expect((await call(alice, 'POST', `/v1/workflows/${workflowId}/enable`)).statusCode).toBe(200);
    expect((await dispatch()).failed).toBe(1);
    await dispatch();
    expect(r.received).toHaveLength(3);
    const [refused] = await deliveriesOf(alice, sub.id);
    expect(refused).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 400,
      nextAttemptAt: null,
    });

    const again = await call(
      alice,
      'POST',
      `/v1/event-subscriptions/${sub.id}/deliveries/${refused!.id}/redeliver`,
    );
    expect(again.statusCode, again.body).toBe(202);
    expect((await dispatch()).delivered).toBe(1);
    expect(r.received).toHaveLength(4);
    expect(r.received[3]?.event.id).toBe(r.received[2]?.event.id);
    expect(r.received[3]?.event.type).toBe('workflow.enabled');
    const foreign = await call(
      bob,
      'POST',
      `/v1/event-subscriptions/${sub.id}/deliveries/${refused!.id}/redeliver`,
    );
    expect(foreign.statusCode).toBe(404);
  });

  it('tells a pending execution canceled through the API, with the run times it had', async () => {
    const r = await receiver();
    const workflowId = await publish(alice, webhookWorkflow('held'));
    const sub = await subscribe(alice, r.url, ['execution.canceled'], {
      workflowIds: [workflowId],
    });
    // A pending row no worker was told about: the cancel is what finishes it.
    const [row] = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ id: string }[]>(
        `insert into executions (id, organization_id, workflow_id, version_id, status, trigger_kind)
         select gen_random_uuid(), organization_id, id, active_version_id, 'pending', 'api'
           from workflows where id = ? returning id`,
        [workflowId],
      ),
    );
    const canceled = await call(alice, 'POST', `/v1/executions/${row!.id}/cancel`);
    expect(canceled.statusCode, canceled.body).toBe(202);
    expect((await dispatch()).delivered).toBe(1);
    expect(verifySignature(sub.secret, r.received[0]!)).toBe(true);
    expect(r.received[0]?.event).toMatchObject({
      type: 'execution.canceled',
      data: { executionId: row!.id, workflowId, status: 'canceled', startedAt: null },
    });
  });

  it('two dispatchers deliver each event once', async () => {
    const r = await receiver({ delayMs: 100 });
    const workflowId = await publish(alice, webhookWorkflow('flapping'));
    await subscribe(alice, r.url, ['workflow.disabled', 'workflow.enabled'], {
      workflowIds: [workflowId],
    });
    for (let i = 0; i < 4; i++) {
      await call(alice, 'POST', `/v1/workflows/${workflowId}/disable`);
      await call(alice, 'POST', `/v1/workflows/${workflowId}/enable`);
    }
    const second = await openOrm({ databaseUrl: t.db.url, poolSize: 2 });
    try {
      const results = await Promise.all([
        dispatchDueEvents(
          { orm: t.db.orm, box: t.app.secretBox, http, log: silentLog },
          new Date(),
          5,
        ),
        dispatchDueEvents(
          { orm: second, box: t.app.secretBox, http, log: silentLog },
          new Date(),
          5,
        ),
      ]);
      expect(results.map((x) => x.taken).reduce((a, b) => a + b)).toBe(8);
      expect(results.every((x) => x.taken > 0)).toBe(true);
    } finally {
      await second.close(true);
    }
    await dispatch();
    const ids = r.received.map((x) => x.event.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
  });

  it('sends only the subscribed workflows, and nothing while disabled', async () => {
    const r = await receiver();
    const watched = await publish(alice, webhookWorkflow('watched'));
    const ignored = await publish(alice, webhookWorkflow('ignored'));
    const sub = await subscribe(alice, r.url, ['workflow.disabled'], { workflowIds: [watched] });
    await call(alice, 'POST', `/v1/workflows/${ignored}/disable`);
    await call(alice, 'POST', `/v1/workflows/${watched}/disable`);
    await dispatch();
    await call(alice, 'PATCH', `/v1/event-subscriptions/${sub.id}`, { enabled: false });
    await call(alice, 'POST', `/v1/workflows/${watched}/enable`);
    await call(alice, 'POST', `/v1/workflows/${watched}/disable`);
    await dispatch();
    expect(r.received.map((x) => x.event.data.workflowId)).toEqual([watched]);
    expect(await deliveriesOf(alice, sub.id)).toHaveLength(1);
  });

  it('goes through the SSRF guard: a loopback receiver is refused unless the organization allows private networks', async () => {
    const r = await receiver();
    const carol = await signUpWithOrg(t.app, 'carol');
    const sub = await subscribe(carol, r.url, ['workflow.disabled']);
    const workflowId = await publish(carol, webhookWorkflow('guarded'));
    await call(carol, 'POST', `/v1/workflows/${workflowId}/disable`);
    expect((await dispatch()).failed).toBe(1);
    expect(r.received).toHaveLength(0);
    const [refused] = await deliveriesOf(carol, sub.id);
    expect(refused?.status).toBe('failed');
    expect(refused?.lastError).toMatch(/refused/);
  });

  it('disables a subscription failing for too long and tells its owners', async () => {
    const r = await receiver();
    const workflowId = await publish(alice, webhookWorkflow('down'));
    const sub = await subscribe(alice, r.url, ['workflow.disabled'], { workflowIds: [workflowId] });
    r.answers.push(503, 503);
    await call(alice, 'POST', `/v1/workflows/${workflowId}/disable`);
    expect((await dispatch()).retrying).toBe(1);
    const failing = await call(alice, 'GET', `/v1/event-subscriptions/${sub.id}`);
    expect(failing.json()).toMatchObject({ enabled: true });
    expect(failing.json().failingSince).not.toBeNull();
    await dispatch({ retryDelay: () => 0, disableAfterMs: 0 });
    const disabled = await call(alice, 'GET', `/v1/event-subscriptions/${sub.id}`);
    expect(disabled.json()).toMatchObject({ enabled: false });
    expect(disabled.json().disabledReason).toMatch(/failed/);
    // A disabled subscription's pending delivery waits.
    expect((await dispatch()).taken).toBe(0);
    const notes = await call(alice, 'GET', '/v1/notifications');
    expect(
      (notes.json().items as { kind: string; body: string }[]).filter(
        (n) => n.kind === 'event_subscription.disabled' && n.body.includes(r.url),
      ),
    ).toHaveLength(1);
    // Enabled again, it picks up where it stopped and is healthy after a success.
    await call(alice, 'PATCH', `/v1/event-subscriptions/${sub.id}`, { enabled: true });
    expect((await dispatch()).delivered).toBe(1);
    const healthy = await call(alice, 'GET', `/v1/event-subscriptions/${sub.id}`);
    expect(healthy.json()).toMatchObject({
      enabled: true,
      disabledReason: null,
      failingSince: null,
    });
  });

  it('retries a receiver that does not answer in time', async () => {
    const r = await receiver({ hang: true });
    const workflowId = await publish(alice, webhookWorkflow('silent'));
    const sub = await subscribe(alice, r.url, ['workflow.disabled'], { workflowIds: [workflowId] });
    await call(alice, 'POST', `/v1/workflows/${workflowId}/disable`);
    const result = await dispatch({ timeoutMs: 300, retryDelay: () => 60_000 });
    expect(result).toMatchObject({ taken: 1, retrying: 1 });
    expect(r.received).toHaveLength(1);
    const [late] = await deliveriesOf(alice, sub.id);
    expect(late).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(late?.lastError).toBeTruthy();
    expect(new Date(late!.nextAttemptAt!).getTime()).toBeGreaterThan(Date.now() + 30_000);
    // Not due yet: the next pass leaves it alone.
    expect((await dispatch()).taken).toBe(0);
    await call(alice, 'DELETE', `/v1/event-subscriptions/${sub.id}`);
  });

  it('the scheduler role delivers on its own', async () => {
    const r = await receiver();
    const workflowId = await publish(alice, webhookWorkflow('scheduled delivery'));
    const sub = await subscribe(alice, r.url, ['workflow.disabled'], { workflowIds: [workflowId] });
    const scheduler = createScheduler({
      orm: t.db.orm,
      log: silentLog,
      http,
      secretBox: t.app.secretBox,
      retentionDays: 30,
      events: { tickMs: 100 },
    });
    scheduler.start();
    try {
      await call(alice, 'POST', `/v1/workflows/${workflowId}/disable`);
      await eventually(async () => (r.received.length > 0 ? true : undefined));
    } finally {
      await scheduler.stop();
    }
    expect(verifySignature(sub.secret, r.received[0]!)).toBe(true);
    expect(r.received[0]?.event).toMatchObject({ type: 'workflow.disabled', data: { workflowId } });
  });
});
