import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { latestDueAtOrBefore, nextDueAfter, planDue } from '../../src/scheduler/cron-times';
import { runDuePolls } from '../../src/scheduler/poller';
import { pruneOldData } from '../../src/scheduler/pruning';
import { fireDueSchedules } from '../../src/scheduler/schedule-firer';
import { createAddressPolicy } from '../../src/worker/address-policy';
import { createGuardedHttpClient } from '../../src/worker/guarded-http-client';
import { silentLog } from '../../src/worker/logger';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { seedOrg, seedWorkflow } from '../support/execution-fixtures';
import { testSecretBox } from '../support/execution-stack';

let db: TestDatabase;
let feed: Server;
let feedUrl: string;
let items: { id: number; title: string }[] = [];
const strict = createGuardedHttpClient({ policy: createAddressPolicy() });
const open = createGuardedHttpClient({
  policy: createAddressPolicy({ allowPrivateNetwork: true }),
});

beforeAll(async () => {
  db = await createTestDatabase();
  feed = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: items })),
  );
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/items`;
});
afterAll(async () => {
  await Promise.all([strict.close(), open.close()]);
  await new Promise((resolve) => feed?.close(resolve));
  await db?.drop();
});

const scheduled = (cron: string, timezone: string) => ({
  format: 'maestro/workflow@1',
  name: 'tick',
  nodes: [
    { id: 'tick', type: 'trigger.schedule', config: { cron, timezone } },
    { id: 'shape', type: 'transform', config: { value: '{{ trigger.scheduledAt }}' } },
  ],
  edges: [{ from: 'tick', to: 'shape' }],
});

async function executionsOf(workflowId: string) {
  return withSystemContext(db.orm, (em) =>
    em.execute<{ input: { scheduledAt?: string; item?: { id: number } } }[]>(
      'select input from executions where workflow_id = ? order by created_at',
      [workflowId],
    ),
  );
}

describe('cron due times', () => {
  it('computes due times in the trigger time zone', () => {
    // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
    expect(
      nextDueAfter('0 9 * * *', 'Europe/Paris', new Date('2026-01-10T12:00:00Z')).toISOString(),
    ).toBe('2026-01-11T08:00:00.000Z');
    expect(
      nextDueAfter('0 9 * * *', 'Europe/Paris', new Date('2026-07-10T12:00:00Z')).toISOString(),
    ).toBe('2026-07-11T07:00:00.000Z');
    expect(
      latestDueAtOrBefore('*/5 * * * *', 'UTC', new Date('2026-01-01T10:05:00Z')).toISOString(),
    ).toBe('2026-01-01T10:05:00.000Z');
  });

  it('fires only the most recent missed time after downtime', () => {
    const plan = planDue(
      '*/5 * * * *',
      'UTC',
      new Date('2026-01-01T10:00:00Z'),
      new Date('2026-01-01T10:17:00Z'),
    );
    expect(plan.fire?.toISOString()).toBe('2026-01-01T10:15:00.000Z');
    expect(plan.skipped).toBe(3); // 10:00, 10:05, 10:10
    expect(plan.next.toISOString()).toBe('2026-01-01T10:20:00.000Z');
    const early = planDue(
      '*/5 * * * *',
      'UTC',
      new Date('2026-01-01T10:20:00Z'),
      new Date('2026-01-01T10:17:00Z'),
    );
    expect(early.fire).toBeUndefined();
  });
});

describe('schedules', () => {
  it('fires each due time exactly once, even when schedulers race', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, scheduled('* * * * *', 'UTC'), {
      kind: 'schedule',
      cron: '* * * * *',
      timezone: 'UTC',
      nextDueAt: new Date('2026-01-01T10:00:00Z'),
    });
    const now = new Date('2026-01-01T10:03:30Z');
    const fired = await Promise.all(
      [1, 2, 3, 4].map(() => fireDueSchedules(db.orm, silentLog, now)),
    );
    expect(fired.reduce((a, b) => a + b, 0)).toBe(1);
    // A scheduler whose view is stale (next_due_at rewound) still cannot fire 10:03 again.
    await withSystemContext(db.orm, (em) =>
      em.execute('update triggers set next_due_at = ? where id = ?', [
        new Date('2026-01-01T10:03:00Z'),
        wf.triggerId,
      ]),
    );
    expect(await fireDueSchedules(db.orm, silentLog, now)).toBe(0);
    expect(await fireDueSchedules(db.orm, silentLog, new Date('2026-01-01T10:04:01Z'))).toBe(1);
    const runs = await executionsOf(wf.workflowId);
    expect(runs.map((r) => r.input.scheduledAt)).toEqual([
      '2026-01-01T10:03:00.000Z',
      '2026-01-01T10:04:00.000Z',
    ]);
  });
});

describe('polls', () => {
  it('records a baseline, then starts one execution per new item', async () => {
    const { orgId } = await seedOrg(db.orm, { allowPrivateNetwork: true });
    const wf = await seedWorkflow(
      db.orm,
      orgId,
      {
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
          { id: 'shape', type: 'transform', config: { value: '{{ trigger.item.title }}' } },
        ],
        edges: [{ from: 'poll', to: 'shape' }],
      },
      { kind: 'poll', pollIntervalSeconds: 60, nextDueAt: new Date('2026-01-01T00:00:00Z') },
    );
    const deps = {
      orm: db.orm,
      http: { strict, open },
      secretBox: testSecretBox(),
      log: silentLog,
    };
    items = [{ id: 1, title: 'old' }];
    expect(await runDuePolls(deps, new Date('2026-01-01T00:00:00Z'))).toBe(0);
    // Not due again before its interval.
    items = [
      { id: 1, title: 'old' },
      { id: 2, title: 'new' },
    ];
    expect(await runDuePolls(deps, new Date('2026-01-01T00:00:30Z'))).toBe(0);
    expect(await runDuePolls(deps, new Date('2026-01-01T00:01:00Z'))).toBe(1);
    expect(await runDuePolls(deps, new Date('2026-01-01T00:02:00Z'))).toBe(0);
    const runs = await executionsOf(wf.workflowId);
    expect(runs.map((r) => r.input.item?.id)).toEqual([2]);
  });

  it('polls through the SSRF guard for organizations that do not allow private networks', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(
      db.orm,
      orgId,
      {
        format: 'maestro/workflow@1',
        name: 'blocked poll',
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
          { id: 'shape', type: 'transform', config: { value: 1 } },
        ],
        edges: [{ from: 'poll', to: 'shape' }],
      },
      { kind: 'poll', pollIntervalSeconds: 60, nextDueAt: new Date('2026-01-01T00:00:00Z') },
    );
    await runDuePolls(
      { orm: db.orm, http: { strict, open }, secretBox: testSecretBox(), log: silentLog },
      new Date('2026-01-01T00:00:00Z'),
    );
    const [row] = await withSystemContext(db.orm, (em) =>
      em.execute<{ poll_state: { lastError?: string } }[]>(
        'select poll_state from triggers where id = ?',
        [wf.triggerId],
      ),
    );
    expect(row?.poll_state.lastError).toMatch(/loopback|private/);
  });
});

describe('pruning', () => {
  it('deletes executions older than the retention with their steps, and keeps recent ones', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, scheduled('0 * * * *', 'UTC'), {
      kind: 'schedule',
      cron: '0 * * * *',
      timezone: 'UTC',
    });
    await withSystemContext(db.orm, async (em) => {
      for (const [id, age] of [
        ['00000000-0000-7000-8000-000000000001', 31],
        ['00000000-0000-7000-8000-000000000002', 29],
      ] as const) {
        await em.execute(
          `insert into executions (id, organization_id, workflow_id, version_id, status, trigger_kind, created_at) values (?, ?, ?, ?, 'success', 'schedule', now() - make_interval(days => ?))`,
          [id, orgId, wf.workflowId, wf.versionId, age],
        );
        await em.execute(
          `insert into execution_steps (id, organization_id, execution_id, step_id, status) values (gen_random_uuid(), ?, ?, 'tick', 'success')`,
          [orgId, id],
        );
      }
    });
    await withSystemContext(db.orm, async (em) => {
      for (const [key, hours] of [
        ['old-key', 25],
        ['fresh-key', 1],
      ] as const) {
        await em.execute(
          `insert into idempotency_records (organization_id, key, request_hash, status_code, created_at) values (?, ?, repeat('0', 64), 202, now() - make_interval(hours => ?))`,
          [orgId, key, hours],
        );
      }
    });
    const result = await pruneOldData(db.orm, 30);
    expect(result.executions).toBe(1);
    expect(result.idempotencyKeys).toBe(1);
    const keys = await withSystemContext(db.orm, (em) =>
      em.execute<{ key: string }[]>(
        'select key from idempotency_records where organization_id = ?',
        [orgId],
      ),
    );
    expect(keys).toEqual([{ key: 'fresh-key' }]);
    const left = await withSystemContext(db.orm, (em) =>
      em.execute<{ id: string; steps: number }[]>(
        'select e.id, (select count(*)::int from execution_steps s where s.execution_id = e.id) as steps from executions e where e.workflow_id = ?',
        [wf.workflowId],
      ),
    );
    expect(left).toEqual([{ id: '00000000-0000-7000-8000-000000000002', steps: 1 }]);
  });
});
