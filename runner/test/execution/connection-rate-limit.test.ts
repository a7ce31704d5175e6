import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { waitForStatus } from '../support/execution-fixtures';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';
import { createTestBroker, type TestBroker } from '../support/test-broker';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;

let t: TestApp;
let app: FastifyInstance;
let mq: TestBroker;
let stacks: ExecutionStack[];
let server: Server;
let apiUrl: string;
/** Arrival times at the API (its own clock), per path. */
const arrivals = new Map<string, number[]>();

beforeAll(async () => {
  [t, mq] = await Promise.all([createTestApp(), createTestBroker()]);
  app = t.app;
  // Two workers: the limit is shared between them, not per process.
  stacks = ['w1', 'w2'].map((workerId) =>
    startExecutionStack({
      orm: t.db.orm,
      broker: mq.broker,
      listenUrl: t.db.url,
      secretBox: app.secretBox,
      workerId,
    }),
  );
  server = createServer((req, res) => {
    const list = arrivals.get(req.url ?? '') ?? [];
    list.push(performance.now());
    arrivals.set(req.url ?? '', list);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all((stacks ?? []).map((s) => s.stop()));
  await new Promise((resolve) => server?.close(resolve));
  await mq?.drop();
  await t?.close();
});

async function owner(name: string): Promise<Owner> {
  const o = await signUpWithOrg(app, name);
  await withSystemContext(t.db.orm, (em) =>
    em.execute('update organizations set allow_private_network = true where id = ?', [o.orgId]),
  );
  return o;
}

async function publishCall(who: Owner, connection: string, path: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: who.headers,
    payload: {
      definition: {
        format: 'maestro/workflow@1',
        name: `limited ${path}`,
        nodes: [
          { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
          {
            id: 'call',
            type: 'action.http',
            config: { method: 'GET', url: `${apiUrl}${path}`, auth: { connection } },
          },
        ],
        edges: [{ from: 'hook', to: 'call' }],
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function runAll(who: Owner, workflowId: string, n: number) {
  const ids = await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/workflows/${workflowId}/executions`,
        headers: who.headers,
        payload: { input: {} },
      });
      expect(res.statusCode, res.body).toBe(202);
      return res.json().id as string;
    }),
  );
  return Promise.all(ids.map((id) => waitForStatus(t.db.orm, id, ['success', 'failed'], 30_000)));
}

describe('per-connection rate limits', () => {
  it('are validated, shown, changed and removed through the API', async () => {
    const o = await owner('limits');
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/connections',
      headers: o.headers,
      payload: {
        name: 'x',
        secrets: { token: 't' },
        rateLimit: { requests: 0, intervalSeconds: 1 },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('rateLimit.requests');
    const created = await app.inject({
      method: 'POST',
      url: '/v1/connections',
      headers: o.headers,
      payload: {
        name: 'crm',
        secrets: { token: 't' },
        rateLimit: { requests: 5, intervalSeconds: 60 },
      },
    });
    expect(created.json().rateLimit).toEqual({ requests: 5, intervalSeconds: 60 });
    const set = (rateLimit: unknown) =>
      app.inject({
        method: 'PUT',
        url: `/v1/connections/${created.json().id}/rate-limit`,
        headers: o.headers,
        payload: { rateLimit },
      });
    expect((await set({ requests: 2, intervalSeconds: 1 })).json().rateLimit).toEqual({
      requests: 2,
      intervalSeconds: 1,
    });
    const tooLong = await set({ requests: 2, intervalSeconds: 100_000 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors[0].path).toBe('rateLimit.intervalSeconds');
    const removed = await app.inject({
      method: 'DELETE',
      url: `/v1/connections/${created.json().id}/rate-limit`,
      headers: o.headers,
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().rateLimit).toBeNull();
  });

  it('delays the steps over the limit instead of failing them, across workers', async () => {
    const o = await owner('delayed');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/connections',
      headers: o.headers,
      payload: {
        name: 'slow-api',
        secrets: { token: 'tok-rate-limited' },
        rateLimit: { requests: 1, intervalSeconds: 1 },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const wf = await publishCall(o, 'slow-api', '/limited');
    const done = await runAll(o, wf, 4);
    for (const run of done) expect(run.status, JSON.stringify(run.result)).toBe('success');
    const times = [...(arrivals.get('/limited') ?? [])].sort((a, b) => a - b);
    expect(times).toHaveLength(4);
    // One per second: the four calls span three seconds. A lower bound only (a slow machine
    // spreads them more), with a second of slack for the first call's own latency.
    expect(times[3]! - times[0]!).toBeGreaterThan(2_000);
  });

  it('leaves connections without a limit alone', async () => {
    const o = await owner('free');
    await app.inject({
      method: 'POST',
      url: '/v1/connections',
      headers: o.headers,
      payload: { name: 'open-api', secrets: { token: 'tok-open' } },
    });
    const wf = await publishCall(o, 'open-api', '/open');
    const done = await runAll(o, wf, 4);
    for (const run of done) expect(run.status).toBe('success');
    const [slots] = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ n: string }[]>(
        `select count(*)::text as n from connection_rate_slots where organization_id = ?`,
        [o.orgId],
      ),
    );
    expect(slots?.n).toBe('0');
  });
});
