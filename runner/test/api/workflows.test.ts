import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext } from '../../src/db/org-context';
import {
  createTestApp,
  scheduleWorkflow,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
} from '../support/test-app';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
beforeAll(async () => {
  t = await createTestApp({ MAESTRO_PUBLIC_URL: 'https://maestro.example.test' });
  owner = await signUpWithOrg(t.app, 'wf');
});
afterAll(() => t?.close());

const publish = (definition: unknown, headers = owner.headers) =>
  t.app.inject({ method: 'POST', url: '/v1/workflows', headers, payload: { definition } });

describe('publishing workflows', () => {
  it('publishes a webhook workflow: version 1, a 32-byte token and its URL', async () => {
    const res = await publish(webhookWorkflow());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ id: expect.any(String), version: 1 });
    expect(Buffer.from(body.webhook.token, 'base64url')).toHaveLength(32);
    expect(body.webhook.url).toBe(`https://maestro.example.test/v1/hooks/${body.webhook.token}`);
    const rows = await t.db.orm.em
      .fork()
      .execute(`select count(*)::int as n from triggers where workflow_id = '${body.id}'`);
    expect(rows[0].n).toBe(0); // RLS: the raw connection has no organization, it sees nothing
  });

  it('answers an invalid definition with 400 and JSON paths under definition', async () => {
    const bad = webhookWorkflow();
    bad.nodes.push({ id: 'call', type: 'action.http', config: { method: 'POST' } } as never);
    bad.edges.push({ from: 'shape', to: 'call' });
    const res = await publish(bad);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = (res.json().errors as { path: string }[]).map((e) => e.path);
    expect(paths).toContain('definition.nodes[2].config.url');
  });

  it('rejects unknown body fields (strict schemas) with their path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: owner.headers,
      payload: { definition: webhookWorkflow(), extra: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].message).toMatch(/extra|Unrecognized/i);
  });

  it('PUT publishes version 2, keeps the webhook URL and deactivates the old trigger', async () => {
    const first = (await publish(webhookWorkflow('v1'))).json();
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/workflows/${first.id}`,
      headers: owner.headers,
      payload: { definition: webhookWorkflow('v2') },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: first.id,
      version: 2,
      webhook: { token: first.webhook.token },
    });
    const got = (
      await t.app.inject({ url: `/v1/workflows/${first.id}`, headers: owner.headers })
    ).json();
    expect(got).toMatchObject({ name: 'v2', version: 2, trigger: { kind: 'webhook' } });
    expect(got.definition.name).toBe('v2');
    const versions = (
      await t.app.inject({ url: `/v1/workflows/${first.id}/versions`, headers: owner.headers })
    ).json();
    expect(
      versions.items.map((v: { version: number; active: boolean }) => [v.version, v.active]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    const triggers = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(
        'select active, webhook_token from triggers where workflow_id = ? order by created_at',
        [first.id],
      ),
    );
    expect(triggers).toEqual([
      { active: false, webhook_token: null },
      { active: true, webhook_token: first.webhook.token },
    ]);
  });

  it('registers a schedule with its next due time in the schedule time zone', async () => {
    const res = await publish(scheduleWorkflow('0 9 * * *', 'Asia/Tokyo'));
    expect(res.statusCode).toBe(201);
    const got = (
      await t.app.inject({ url: `/v1/workflows/${res.json().id}`, headers: owner.headers })
    ).json();
    const next = new Date(got.trigger.nextDueAt);
    expect(next.getUTCHours()).toBe(0); // 09:00 in Tokyo is 00:00 UTC
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
  });

  it('refuses a poll interval under the runner minimum with the config path', async () => {
    const res = await publish({
      format: 'maestro/workflow@1',
      name: 'poller',
      nodes: [
        {
          id: 'poll',
          type: 'trigger.poll',
          config: {
            request: { method: 'GET', url: 'https://example.test/items' },
            intervalSeconds: 5,
            items: '{{ body }}',
            key: '{{ item.id }}',
          },
        },
      ],
      edges: [],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        path: 'definition.nodes[0].config.intervalSeconds',
        message: 'must be at least 60 on the runner',
      },
    ]);
  });

  it('lists workflows newest first with a cursor', async () => {
    const page1 = (
      await t.app.inject({ url: '/v1/workflows?limit=2', headers: owner.headers })
    ).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (
      await t.app.inject({
        url: `/v1/workflows?limit=2&cursor=${page1.nextCursor}`,
        headers: owner.headers,
      })
    ).json();
    const ids = [...page1.items, ...page2.items].map((w: { id: string }) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('disables and re-enables a workflow', async () => {
    const { id } = (await publish(webhookWorkflow())).json();
    const off = await t.app.inject({
      method: 'POST',
      url: `/v1/workflows/${id}/disable`,
      headers: owner.headers,
      payload: { reason: 'maintenance' },
    });
    expect(off.json()).toMatchObject({ enabled: false, disabledReason: 'maintenance' });
    const start = await t.app.inject({
      method: 'POST',
      url: `/v1/workflows/${id}/executions`,
      headers: owner.headers,
      payload: { input: {} },
    });
    expect(start.statusCode).toBe(409);
    const on = await t.app.inject({
      method: 'POST',
      url: `/v1/workflows/${id}/enable`,
      headers: owner.headers,
    });
    expect(on.json()).toMatchObject({
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
    });
  });

  it('Idempotency-Key on publish: a retried POST creates one workflow and gets the same reply', async () => {
    const headers = { ...owner.headers, 'idempotency-key': 'publish-once' };
    const payload = { definition: webhookWorkflow('idempotent') };
    const first = await t.app.inject({ method: 'POST', url: '/v1/workflows', headers, payload });
    const again = await t.app.inject({ method: 'POST', url: '/v1/workflows', headers, payload });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const n = await withOrgContext(
      t.db.orm,
      owner.orgId,
      async (em) =>
        (await em.execute("select count(*)::int as n from workflows where name = 'idempotent'"))[0]
          .n,
    );
    expect(n).toBe(1);
  });
});
