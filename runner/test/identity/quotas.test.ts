import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import {
  forgetUsage,
  QUOTA_PROBLEM_TYPE,
  queryIn,
  QuotaExceeded,
  reserveExecutions,
  type QueryRunner,
} from '../../src/modules/quotas/execution-quota';
import { secondsUntilNextMonth } from '../../src/modules/quotas/month-window';
import { QUOTA_NOTIFICATION_KIND } from '../../src/modules/quotas/quota-notifications';
import { runDuePolls } from '../../src/scheduler/poller';
import { fireDueSchedules } from '../../src/scheduler/schedule-firer';
import { createAddressPolicy } from '../../src/worker/address-policy';
import { createGuardedHttpClient } from '../../src/worker/guarded-http-client';
import { silentLog } from '../../src/worker/logger';
import {
  createTestApp,
  scheduleWorkflow,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
} from '../support/test-app';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;
let t: TestApp;
let feed: Server;
let feedUrl: string;
let feedItems: { id: number }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  feed = createServer((_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ data: feedItems })),
  );
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed`;
  await sql(
    `insert into plans (id, name, max_concurrent_executions, max_executions_per_month) values ('tiny', 'Tiny', 10, 3), ('pair', 'Pair', 10, 2)`,
  );
});
afterAll(async () => {
  await new Promise((resolve) => feed?.close(resolve));
  await t?.close();
});

function sql<T = unknown>(query: string, params: unknown[] = []) {
  return withSystemContext(t.db.orm, (em) => em.execute<T[]>(query, params));
}

/** An organization on `plan`, set before it starts anything (the quota view is cached per process). */
async function orgOnPlan(plan: string): Promise<Owner> {
  const owner = await signUpWithOrg(t.app, plan);
  await sql('update organizations set plan_id = ? where id = ?', [plan, owner.orgId]);
  return owner;
}

async function publish(owner: Owner, definition: unknown) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: owner.headers,
    payload: { definition },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; webhook?: { token: string } };
}

const hook = (token: string) =>
  t.app.inject({ method: 'POST', url: `/v1/hooks/${token}`, payload: { n: 1 } });
const start = (owner: Owner, workflowId: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/workflows/${workflowId}/executions`,
    headers: { ...owner.headers, ...headers },
    payload: { input: {} },
  });

function expectQuotaProblem(res: Awaited<ReturnType<typeof hook>>) {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({
    type: QUOTA_PROBLEM_TYPE,
    status: 429,
    detail: expect.stringMatching(/3 of the 3 executions its plan "tiny" allows in \d{4}-\d\d/),
  });
  const retryAfter = Number(res.headers['retry-after']);
  const expected = secondsUntilNextMonth(new Date());
  expect(retryAfter).toBeGreaterThan(expected - 30);
  expect(retryAfter).toBeLessThanOrEqual(expected + 1);
}

describe('plan quota: executions per month', () => {
  it('refuses the 4th webhook and REST start of a plan allowing 3, with a quota problem', async () => {
    const owner = await orgOnPlan('tiny');
    const flow = await publish(owner, webhookWorkflow());
    for (let i = 0; i < 2; i++) expect((await hook(flow.webhook!.token)).statusCode).toBe(202);
    expect((await start(owner, flow.id)).statusCode).toBe(202);

    expectQuotaProblem(await hook(flow.webhook!.token));
    expectQuotaProblem(await start(owner, flow.id));

    const [{ count }] = await sql<{ count: number }>(
      'select count(*)::int as count from executions where organization_id = ?',
      [owner.orgId],
    );
    expect(count).toBe(3);

    const usage = await t.app.inject({ url: '/v1/usage', headers: owner.headers });
    expect(usage.statusCode).toBe(200);
    expect(usage.json()).toMatchObject({
      plan: 'tiny',
      executions: 3,
      quota: 3,
      remaining: 0,
      month: new Date().toISOString().slice(0, 7),
    });
    expect(new Date(usage.json().resetsAt).getUTCDate()).toBe(1);
  });

  it('is exact within one process when webhooks arrive together (group commit)', async () => {
    const owner = await orgOnPlan('tiny');
    const flow = await publish(owner, webhookWorkflow());
    const answers = await Promise.all(Array.from({ length: 12 }, () => hook(flow.webhook!.token)));
    const codes = answers.map((res) => res.statusCode).sort();
    expect(codes).toEqual([...Array(3).fill(202), ...Array(9).fill(429)]);
    const usage = (await t.app.inject({ url: '/v1/usage', headers: owner.headers })).json();
    expect(usage).toMatchObject({ executions: 3, quota: 3 });
  });

  it('leaves other organizations alone and counts unlimited plans too', async () => {
    const other = await signUpWithOrg(t.app, 'free');
    const flow = await publish(other, webhookWorkflow());
    for (let i = 0; i < 5; i++) expect((await hook(flow.webhook!.token)).statusCode).toBe(202);
    const usage = (await t.app.inject({ url: '/v1/usage', headers: other.headers })).json();
    expect(usage).toMatchObject({ plan: 'free', executions: 5, quota: null, remaining: null });
  });

  it('does not count a repeated Idempotency-Key (same execution) against the quota', async () => {
    const owner = await orgOnPlan('pair');
    const flow = await publish(owner, webhookWorkflow());
    const first = await start(owner, flow.id, { 'idempotency-key': 'k-1' });
    const again = await start(owner, flow.id, { 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(202);
    expect(again.json().id).toBe(first.json().id);
    expect((await start(owner, flow.id)).statusCode).toBe(202);
    expect((await start(owner, flow.id)).statusCode).toBe(429);
    const usage = (await t.app.inject({ url: '/v1/usage', headers: owner.headers })).json();
    expect(usage).toMatchObject({ executions: 2, quota: 2 });

    // A refusal is not stored under its Idempotency-Key: the same key works once there is room.
    expect((await start(owner, flow.id, { 'idempotency-key': 'k-2' })).statusCode).toBe(429);
    await sql(`update organizations set plan_id = 'tiny' where id = ?`, [owner.orgId]);
    forgetUsage(owner.orgId);
    expect((await start(owner, flow.id, { 'idempotency-key': 'k-2' })).statusCode).toBe(202);
  });

  it('lets members read usage (GET /v1/usage needs a signed-in member of the organization)', async () => {
    expect((await t.app.inject({ url: '/v1/usage' })).statusCode).toBe(401);
  });

  it('skips a due schedule over the quota with one notification to the owners, not a silent drop', async () => {
    const owner = await orgOnPlan('pair');
    const hooks = await publish(owner, webhookWorkflow());
    for (let i = 0; i < 2; i++) expect((await hook(hooks.webhook!.token)).statusCode).toBe(202);
    const scheduled = await publish(owner, scheduleWorkflow('* * * * *', 'UTC'));
    await sql(
      `update triggers set next_due_at = date_trunc('minute', now()) - interval '1 minute' where workflow_id = ? and kind = 'schedule'`,
      [scheduled.id],
    );

    expect(await fireDueSchedules(t.db.orm, silentLog, new Date())).toBe(0);
    const fires = await sql<{ execution_id: string | null }>(
      'select f.execution_id from schedule_fires f join triggers t on t.id = f.trigger_id where t.workflow_id = ?',
      [scheduled.id],
    );
    expect(fires).toEqual([{ execution_id: null }]);
    const [{ runs }] = await sql<{ runs: number }>(
      'select count(*)::int as runs from executions where workflow_id = ?',
      [scheduled.id],
    );
    expect(runs).toBe(0);

    const notes = await sql<{ user_id: string; title: string; body: string }>(
      'select user_id, title, body, workflow_id, execution_id from notifications where organization_id = ? and kind = ?',
      [owner.orgId, QUOTA_NOTIFICATION_KIND],
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      user_id: owner.userId,
      title: expect.stringContaining('2'),
      workflow_id: scheduled.id,
      execution_id: null,
    });
    expect(notes[0]!.body).toContain(scheduled.id);

    // A second refusal this month adds no second notification.
    await sql('delete from schedule_fires');
    await sql(
      `update triggers set next_due_at = date_trunc('minute', now()) - interval '1 minute' where workflow_id = ? and kind = 'schedule'`,
      [scheduled.id],
    );
    await fireDueSchedules(t.db.orm, silentLog, new Date());
    expect(await sql('select due_at from schedule_fires')).toHaveLength(1);
    const again = await sql('select id from notifications where organization_id = ? and kind = ?', [
      owner.orgId,
      QUOTA_NOTIFICATION_KIND,
    ]);
    expect(again).toHaveLength(1);
  });

  it('records poll items over the quota as seen without runs, and tells the owners', async () => {
    const owner = await orgOnPlan('pair');
    await sql('update organizations set allow_private_network = true where id = ?', [owner.orgId]);
    const flow = await publish(owner, {
      format: 'maestro/workflow@1',
      name: 'poll',
      nodes: [
        {
          id: 'poll',
          type: 'trigger.poll',
          config: {
            request: { method: 'GET', url: feedUrl },
            intervalSeconds: 60,
            items: '{{ body.data }}',
            key: '{{ item.id }}',
          },
        },
        { id: 'shape', type: 'transform', config: { value: '{{ trigger.item.id }}' } },
      ],
      edges: [{ from: 'poll', to: 'shape' }],
    });
    const due = () =>
      sql(
        `update triggers set next_due_at = now() - interval '1 second' where workflow_id = ? and kind = 'poll'`,
        [flow.id],
      );
    const policy = createAddressPolicy({ allowPrivateNetwork: true });
    const client = createGuardedHttpClient({ policy });
    const deps = {
      orm: t.db.orm,
      http: { strict: client, open: client },
      secretBox: t.app.secretBox,
      log: silentLog,
    };
    feedItems = [{ id: 1 }];
    await due();
    expect(await runDuePolls(deps)).toBe(0); // the baseline
    feedItems = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];
    await due();
    expect(await runDuePolls(deps)).toBe(2);

    const runs = await sql<{ item: number }>(
      `select (input->'item'->>'id')::int as item from executions where workflow_id = ? order by item`,
      [flow.id],
    );
    expect(runs).toEqual([{ item: 2 }, { item: 3 }]);
    const [state] = await sql<{ seen: string[] }>(
      `select poll_state->'seen' as seen from triggers where workflow_id = ? and kind = 'poll'`,
      [flow.id],
    );
    expect(state!.seen).toEqual(['1', '2', '3', '4']);
    const notes = await sql<{ body: string }>(
      'select body from notifications where organization_id = ? and kind = ?',
      [owner.orgId, QUOTA_NOTIFICATION_KIND],
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('1 new item(s)');
  });

  it('starts counting again when the month (UTC) changes', async () => {
    const owner = await orgOnPlan('pair');
    const flow = await publish(owner, webhookWorkflow());
    for (let i = 0; i < 2; i++) expect((await hook(flow.webhook!.token)).statusCode).toBe(202);
    const query: QueryRunner = (text, params) =>
      withSystemContext(t.db.orm, (em) => queryIn(em)(text, params));
    await expect(reserveExecutions(query, owner.orgId)).rejects.toBeInstanceOf(QuotaExceeded);
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const reservation = await reserveExecutions(query, owner.orgId, 1, nextMonth);
    reservation.release();
    // The last instant of this month still counts in this month.
    await expect(
      reserveExecutions(query, owner.orgId, 1, new Date(nextMonth.getTime() - 1)),
    ).rejects.toBeInstanceOf(QuotaExceeded);
  });
});
