import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext } from '../../src/db/org-context';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';

let t: TestApp;
let alice: Awaited<ReturnType<typeof signUpWithOrg>>;
let bob: Awaited<ReturnType<typeof signUpWithOrg>>;
let workflowId: string;

beforeAll(async () => {
  t = await createTestApp();
  alice = await signUpWithOrg(t.app, 'alice');
  bob = await signUpWithOrg(t.app, 'bob');
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: alice.headers,
    payload: { definition: webhookWorkflow() },
  });
  workflowId = res.json().id;
});
afterAll(() => t?.close());

const start = (
  headers: Record<string, string>,
  payload: Record<string, unknown> = { input: { n: 1 } },
) =>
  t.app.inject({ method: 'POST', url: `/v1/workflows/${workflowId}/executions`, headers, payload });

const countRows = (orgId: string, sql: string) =>
  withOrgContext(t.db.orm, orgId, async (em) => (await em.execute(sql))[0].n as number);

describe('starting executions over REST', () => {
  it('answers 202 pending and writes the execution and its outbox row together', async () => {
    const res = await start(alice.headers);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: expect.any(String), status: 'pending' });
    const id = res.json().id;
    const outbox = await countRows(
      alice.orgId,
      `select count(*)::int as n from outbox where payload->>'executionId' = '${id}'`,
    );
    expect(outbox).toBe(1);
  });

  it('the same Idempotency-Key twice makes one execution and replays the first response', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'order-42' };
    const before = await countRows(alice.orgId, 'select count(*)::int as n from executions');
    const first = await start(headers, { input: { order: 42 } });
    const second = await start(headers, { input: { order: 42 } });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(alice.orgId, 'select count(*)::int as n from executions')).toBe(
      before + 1,
    );
    const keyed = await countRows(
      alice.orgId,
      "select count(*)::int as n from executions where idempotency_key = 'order-42'",
    );
    expect(keyed).toBe(1);
  });

  it('the same key with a different body is a 409 conflict', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'order-43' };
    expect((await start(headers, { input: { order: 43 } })).statusCode).toBe(202);
    const other = await start(headers, { input: { order: 44 } });
    expect(other.statusCode).toBe(409);
    expect(other.json().detail).toMatch(/different request body/);
  });

  it('a reservation abandoned by a crashed request is taken over after its grace period', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'crashed-1' };
    expect((await start(headers, { input: { c: 1 } })).statusCode).toBe(202);
    // Simulate a process that died after reserving the key: in progress, three minutes old.
    await withOrgContext(t.db.orm, alice.orgId, (em) =>
      em.execute(
        `update idempotency_records set status_code = 0, response = null, created_at = now() - interval '3 minutes' where key like '%crashed-1'`,
      ),
    );
    const retry = await start(headers, { input: { c: 1 } });
    expect(retry.statusCode).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    // The execution itself is still deduplicated by its own unique key.
    expect(
      await countRows(
        alice.orgId,
        "select count(*)::int as n from executions where idempotency_key = 'crashed-1'",
      ),
    ).toBe(1);
  });

  it('concurrent requests with one key still make one execution', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'burst-1' };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => start(headers, { input: { burst: true } })),
    );
    const ok = replies.filter((r) => r.statusCode === 202);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of replies) expect([202, 409]).toContain(r.statusCode);
    expect(new Set(ok.map((r) => r.json().id)).size).toBe(1);
    expect(
      await countRows(
        alice.orgId,
        "select count(*)::int as n from executions where idempotency_key = 'burst-1'",
      ),
    ).toBe(1);
  });
});

describe('reading executions', () => {
  it('lists newest first with cursor pagination and a status filter', async () => {
    for (let i = 0; i < 3; i++) await start(alice.headers, { input: { i } });
    const page1 = (
      await t.app.inject({
        url: `/v1/workflows/${workflowId}/executions?limit=2`,
        headers: alice.headers,
      })
    ).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (
      await t.app.inject({
        url: `/v1/workflows/${workflowId}/executions?limit=2&cursor=${page1.nextCursor}`,
        headers: alice.headers,
      })
    ).json();
    const all = [...page1.items, ...page2.items];
    const times = all.map((e: { createdAt: string }) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(all.map((e: { id: string }) => e.id)).size).toBe(all.length);

    const pending = (
      await t.app.inject({
        url: `/v1/workflows/${workflowId}/executions?status=pending`,
        headers: alice.headers,
      })
    ).json();
    expect(pending.items.length).toBeGreaterThan(0);
    expect(pending.items.every((e: { status: string }) => e.status === 'pending')).toBe(true);
    const success = (
      await t.app.inject({
        url: `/v1/workflows/${workflowId}/executions?status=success`,
        headers: alice.headers,
      })
    ).json();
    expect(success.items).toEqual([]);
    const bad = await t.app.inject({
      url: `/v1/workflows/${workflowId}/executions?status=done`,
      headers: alice.headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.status');
  });

  it('serves the run result with ids, and the logs', async () => {
    const { id } = (await start(alice.headers)).json();
    // Stand in for a worker: a finished result, a step and a log line.
    await withOrgContext(t.db.orm, alice.orgId, async (em) => {
      await em.execute(
        `update executions set status = 'success', started_at = now(), finished_at = now(), result = ?::jsonb where id = ?`,
        [
          JSON.stringify({
            status: 'success',
            startedAt: new Date().toISOString(),
            steps: { shape: { status: 'success', attempts: 1, output: { got: 1 }, durationMs: 3 } },
          }),
          id,
        ],
      );
      await em.execute(
        `insert into execution_logs (organization_id, execution_id, step_id, level, message, at) values (?, ?, 'shape', 'info', 'shaped', now())`,
        [alice.orgId, id],
      );
    });
    const got = await t.app.inject({ url: `/v1/executions/${id}`, headers: alice.headers });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      id,
      workflowId,
      version: 1,
      status: 'success',
      trigger: 'api',
      steps: { shape: { status: 'success', output: { got: 1 } } },
    });
    const logs = (
      await t.app.inject({ url: `/v1/executions/${id}/logs`, headers: alice.headers })
    ).json();
    expect(logs.items).toEqual([
      expect.objectContaining({ stepId: 'shape', level: 'info', message: 'shaped' }),
    ]);
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/v1/executions/${id}/cancel`,
      headers: alice.headers,
    });
    expect(cancel.statusCode).toBe(409);
  });

  it('cancels a pending execution at once and flags a running one for its worker', async () => {
    const pending = (await start(alice.headers)).json().id;
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/executions/${pending}/cancel`,
      headers: alice.headers,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: pending, status: 'canceled' });

    const running = (await start(alice.headers)).json().id;
    await withOrgContext(t.db.orm, alice.orgId, (em) =>
      em.execute(`update executions set status = 'running', started_at = now() where id = ?`, [
        running,
      ]),
    );
    const flagged = await t.app.inject({
      method: 'POST',
      url: `/v1/executions/${running}/cancel`,
      headers: alice.headers,
    });
    expect(flagged.json()).toMatchObject({
      status: 'running',
      cancelRequestedAt: expect.any(String),
    });
  });
});

describe('organization-wide execution reads', () => {
  it('lists every workflow’s executions newest first, filters by workflow and status, pages', async () => {
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: alice.headers,
      payload: { definition: webhookWorkflow('second flow') },
    });
    const otherId = other.json().id as string;
    const started = await t.app.inject({
      method: 'POST',
      url: `/v1/workflows/${otherId}/executions`,
      headers: alice.headers,
      payload: { input: {} },
    });
    const newest = started.json().id as string;
    const get = (query: string) =>
      t.app.inject({ url: `/v1/executions?${query}`, headers: alice.headers });
    const all = await get('limit=200');
    expect(all.statusCode).toBe(200);
    const items = all.json().items as { id: string; workflowId: string; createdAt: string }[];
    expect(items[0]!.id).toBe(newest);
    expect(new Set(items.map((e) => e.workflowId))).toEqual(new Set([workflowId, otherId]));
    const times = items.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const one = (await get(`workflowId=${otherId}`)).json().items as { id: string }[];
    expect(one.map((e) => e.id)).toEqual([newest]);
    const page1 = (await get('limit=2')).json();
    const page2 = (await get(`limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2.items[0].id).toBe(items[2]!.id);
    const pending = (await get('status=pending&limit=200')).json().items as { status: string }[];
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.length).toBe(
      items.filter((e) => (e as { status?: string }).status === 'pending').length,
    );
    expect(pending.every((e) => e.status === 'pending')).toBe(true);
    const bad = await get('status=done&workflowId=nope');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['query.status', 'query.workflowId']);
    // Bob's organization has its own (empty) list; Alice's workflow id is not found there.
    const bobs = await t.app.inject({ url: '/v1/executions', headers: bob.headers });
    expect(bobs.json().items).toEqual([]);
    const cross = await t.app.inject({
      url: `/v1/executions?workflowId=${workflowId}`,
      headers: bob.headers,
    });
    expect(cross.statusCode).toBe(404);
  });

  it('counts executions by status since a time (24 hours by default)', async () => {
    const stats = await t.app.inject({ url: '/v1/executions/stats', headers: alice.headers });
    expect(stats.statusCode).toBe(200);
    const body = stats.json();
    const listed = (
      await t.app.inject({ url: '/v1/executions?limit=200', headers: alice.headers })
    ).json().items as { status: string }[];
    expect(body.total).toBe(listed.length);
    for (const status of ['pending', 'running', 'success', 'failed', 'canceled'])
      expect(body.byStatus[status]).toBe(listed.filter((e) => e.status === status).length);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await t.app.inject({
      url: `/v1/executions/stats?since=${encodeURIComponent(future)}`,
      headers: alice.headers,
    });
    expect(none.json()).toMatchObject({ total: 0, since: future });
    const tooOld = await t.app.inject({
      url: '/v1/executions/stats?since=2020-01-01T00:00:00Z',
      headers: alice.headers,
    });
    expect(tooOld.statusCode).toBe(400);
    const bobs = await t.app.inject({ url: '/v1/executions/stats', headers: bob.headers });
    expect(bobs.json().total).toBe(0);
  });
});

describe('tenancy over HTTP', () => {
  it("answers 404 for another organization's workflow and execution, never 403", async () => {
    const { id } = (await start(alice.headers)).json();
    for (const url of [
      `/v1/workflows/${workflowId}`,
      `/v1/workflows/${workflowId}/executions`,
      `/v1/executions/${id}`,
      `/v1/executions/${id}/logs`,
    ]) {
      const res = await t.app.inject({ url, headers: bob.headers });
      expect(res.statusCode, url).toBe(404);
    }
    expect((await start(bob.headers)).statusCode).toBe(404);
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/v1/executions/${id}/cancel`,
      headers: bob.headers,
    });
    expect(cancel.statusCode).toBe(404);
  });

  it('answers 404 when a user names an organization they are not a member of', async () => {
    const res = await t.app.inject({
      url: '/v1/workflows',
      headers: { authorization: bob.headers.authorization, 'x-organization-id': alice.orgId },
    });
    expect(res.statusCode).toBe(404);
    const users = await t.app.inject({
      url: `/v1/organizations/${alice.orgId}/users`,
      headers: bob.headers,
    });
    expect(users.statusCode).toBe(404);
  });

  it("Bob's list does not include Alice's workflows", async () => {
    const list = (await t.app.inject({ url: '/v1/workflows', headers: bob.headers })).json();
    expect(list.items).toEqual([]);
  });
});
