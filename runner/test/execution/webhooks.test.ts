import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { createHooksRoutes } from '../../src/modules/hooks/routes';
import { signWebhookBody } from '../../src/modules/hooks/webhook-request';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';
import { createTestBroker, type TestBroker } from '../support/test-broker';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { waitForStatus } from '../support/execution-fixtures';

let t: TestApp;
let app: FastifyInstance;
let mq: TestBroker;
let stack: ExecutionStack;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let slow: Server;
let slowUrl: string;

beforeAll(async () => {
  t = await createTestApp({}, { webhooks: createHooksRoutes({ responseTimeoutMs: 1_500 }) });
  app = t.app;
  mq = await createTestBroker();
  stack = startExecutionStack({
    orm: t.db.orm,
    broker: mq.broker,
    listenUrl: t.db.url,
    secretBox: app.secretBox,
  });
  owner = await signUpWithOrg(app);
  slow = createServer((_req, res) => setTimeout(() => res.end('late'), 5_000).unref());
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await stack?.stop();
  slow?.closeAllConnections();
  await new Promise((resolve) => slow?.close(resolve));
  await mq?.drop();
  await t?.close();
});

async function publish(definition: Record<string, unknown>) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: owner.headers,
    payload: { definition },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; webhook?: { token: string; url: string } };
}

function hookFlow(
  name: string,
  trigger: Record<string, unknown>,
  rest: { nodes: unknown[]; edges: unknown[] },
) {
  return {
    format: 'maestro/workflow@1',
    name,
    nodes: [{ id: 'hook', type: 'trigger.webhook', ...trigger }, ...rest.nodes],
    edges: rest.edges,
  };
}

const echo = {
  nodes: [{ id: 'shape', type: 'transform', config: { value: { got: '{{ trigger.body }}' } } }],
  edges: [{ from: 'hook', to: 'shape' }],
};

describe('webhooks', () => {
  it('answers 202 at once over real HTTP and the run succeeds and is served by the API', async () => {
    const wf = await publish(hookFlow('hook', { config: { method: 'POST' } }, echo));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/hooks/${wf.webhook?.token}?source=test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer caller-secret' },
      body: JSON.stringify({ total: 150 }),
    });
    expect(res.status).toBe(202);
    const { executionId } = (await res.json()) as { executionId: string };
    await waitForStatus(t.db.orm, executionId, ['success']);
    const read = await app.inject({
      method: 'GET',
      url: `/v1/executions/${executionId}`,
      headers: owner.headers,
    });
    expect(read.statusCode).toBe(200);
    const body = read.json();
    expect(body.status).toBe('success');
    expect(body.steps.shape.output).toEqual({ got: { total: 150 } });
    expect(body.steps.hook.output).toMatchObject({
      method: 'POST',
      query: { source: 'test' },
      body: { total: 150 },
    });
    // The caller's credentials are not kept in the run's input.
    expect(JSON.stringify(body)).not.toContain('caller-secret');
  });

  it('starts a run over REST once per Idempotency-Key', async () => {
    const wf = await publish(hookFlow('rest', { config: { method: 'POST' } }, echo));
    const start = () =>
      app.inject({
        method: 'POST',
        url: `/v1/workflows/${wf.id}/executions`,
        headers: { ...owner.headers, 'idempotency-key': 'start-1' },
        payload: { input: { body: { x: 1 } } },
      });
    const first = await start();
    const second = await start();
    expect(first.statusCode, first.body).toBe(202);
    expect(second.json().id).toBe(first.json().id);
    const done = await waitForStatus(t.db.orm, first.json().id, ['success', 'failed']);
    expect(done.status).toBe('success');
  });

  it('replies with the respond node on completion', async () => {
    const wf = await publish(
      hookFlow(
        'respond',
        { config: { method: 'POST', respond: 'onCompletion' } },
        {
          nodes: [
            {
              id: 'reply',
              type: 'respond',
              config: {
                status: 201,
                headers: { 'x-answer': 'yes' },
                body: { hello: '{{ trigger.body.name }}' },
              },
            },
          ],
          edges: [{ from: 'hook', to: 'reply' }],
        },
      ),
    );
    const res = await app.inject({
      method: 'POST',
      url: `/v1/hooks/${wf.webhook?.token}`,
      payload: { name: 'Ada' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['x-answer']).toBe('yes');
    expect(res.json()).toEqual({ hello: 'Ada' });
  });

  it('answers 504 problem+json when the run does not finish in time', async () => {
    await withSystemContext(t.db.orm, (em) =>
      em.execute('update organizations set allow_private_network = true where id = ?', [
        owner.orgId,
      ]),
    );
    const wf = await publish(
      hookFlow(
        'slow',
        { config: { method: 'POST', respond: 'onCompletion' } },
        {
          nodes: [{ id: 'call', type: 'action.http', config: { method: 'GET', url: slowUrl } }],
          edges: [{ from: 'hook', to: 'call' }],
        },
      ),
    );
    const res = await app.inject({
      method: 'POST',
      url: `/v1/hooks/${wf.webhook?.token}`,
      payload: {},
    });
    expect(res.statusCode).toBe(504);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 504, title: 'Gateway Timeout' });
  });

  it('honours dedupeKey: a repeated delivery gets the first run id and starts nothing', async () => {
    const wf = await publish(
      hookFlow(
        'dedupe',
        { config: { method: 'POST' }, dedupeKey: '{{ headers."x-delivery-id" }}' },
        echo,
      ),
    );
    const send = (delivery: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/hooks/${wf.webhook?.token}`,
        headers: { 'x-delivery-id': delivery },
        payload: { d: delivery },
      });
    const [a, b] = await Promise.all([send('d-1'), send('d-1')]);
    const c = await send('d-2');
    expect(a.statusCode).toBe(202);
    expect(b.json().executionId).toBe(a.json().executionId);
    expect(c.json().executionId).not.toBe(a.json().executionId);
    const rows = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ n: number }[]>(
        'select count(*)::int as n from executions where workflow_id = ?',
        [wf.id],
      ),
    );
    expect(rows[0]?.n).toBe(2);
  });

  it('checks the HMAC-SHA256 signature when the trigger has a secret', async () => {
    const wf = await publish(hookFlow('signed', { config: { method: 'POST' } }, echo));
    const secretRes = await app.inject({
      method: 'POST',
      url: `/v1/workflows/${wf.id}/webhook-secret`,
      headers: owner.headers,
    });
    expect(secretRes.statusCode, secretRes.body).toBe(201);
    const { secret } = secretRes.json() as { secret: string };
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the token cache holds the unsigned trigger ≤ 2 s
    const raw = JSON.stringify({ amount: 5 });
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: `/v1/hooks/${wf.webhook?.token}`,
        headers: { 'content-type': 'application/json', ...headers },
        payload: raw,
      });
    expect((await post({})).statusCode).toBe(401);
    expect((await post({ 'x-maestro-signature': signWebhookBody('wrong', raw) })).statusCode).toBe(
      401,
    );
    const good = await post({ 'x-maestro-signature': signWebhookBody(secret, raw) });
    expect(good.statusCode, good.body).toBe(202);
  });

  it('answers 404 for an unknown token and 405 for another method', async () => {
    const missing = await app.inject({ method: 'POST', url: '/v1/hooks/not-a-token', payload: {} });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const wf = await publish(hookFlow('method', { config: { method: 'PUT' } }, echo));
    const wrong = await app.inject({
      method: 'POST',
      url: `/v1/hooks/${wf.webhook?.token}`,
      payload: {},
    });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('PUT');
    const right = await app.inject({
      method: 'PUT',
      url: `/v1/hooks/${wf.webhook?.token}`,
      payload: {},
    });
    expect(right.statusCode).toBe(202);
  });
});
