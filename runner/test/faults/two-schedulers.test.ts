import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { createTestBroker, type TestBroker } from '../support/test-broker';
import { seedOrg, seedWorkflow } from '../support/execution-fixtures';
import { spawnRunner, type RunnerProcess } from '../support/runner-process';

let db: TestDatabase;
let mq: TestBroker;
const schedulers: RunnerProcess[] = [];

beforeAll(async () => {
  [db, mq] = await Promise.all([createTestDatabase(), createTestBroker()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  await mq?.drop();
  await db?.drop();
}, 60_000);

const everyMinute = {
  format: 'maestro/workflow@1',
  name: 'Every minute',
  nodes: [
    {
      id: 'tick',
      type: 'trigger.schedule',
      config: { cron: '* * * * *', timezone: 'Europe/Paris' },
    },
    { id: 'shape', type: 'transform', config: { value: '{{ trigger.scheduledAt }}' } },
  ],
  edges: [{ from: 'tick', to: 'shape' }],
};

describe('two scheduler processes', () => {
  it('start one execution per due time', async () => {
    const { orgId } = await seedOrg(db.orm);
    const triggers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const wf = await seedWorkflow(db.orm, orgId, everyMinute, {
        kind: 'schedule',
        cron: '* * * * *',
        timezone: 'Europe/Paris',
        // Missed while "down": only the latest due time fires (docs/decisions/0005).
        nextDueAt: new Date(Date.now() - 5 * 60_000),
      });
      triggers.push(wf.triggerId);
    }
    const env = {
      DATABASE_URL: db.url,
      AMQP_URL: mq.url,
      MAESTRO_QUEUE_PREFIX: mq.prefix.replace(/\.$/, ''),
    };
    schedulers.push(spawnRunner('scheduler', env), spawnRunner('scheduler', env));
    await Promise.all(schedulers.map((s) => s.ready));
    // Wait past the next minute boundary so that both processes race on a fresh due time too.
    const boundary = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000);
    await new Promise((resolve) => setTimeout(resolve, boundary.getTime() - Date.now() + 4_000));

    const rows = await withSystemContext(db.orm, (em) =>
      em.execute<{ trigger_id: string; scheduled_at: string; n: number }[]>(
        `select f.trigger_id, e.input->>'scheduledAt' as scheduled_at, count(*)::int as n
           from schedule_fires f join executions e on e.id = f.execution_id
          group by 1, 2`,
      ),
    );
    const executions = await withSystemContext(db.orm, (em) =>
      em.execute<{ n: number }[]>(
        `select count(*)::int as n from executions where trigger_kind = 'schedule'`,
      ),
    );
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(executions[0]?.n).toBe(rows.length);
    for (const trigger of triggers) {
      const times = rows.filter((r) => r.trigger_id === trigger).map((r) => r.scheduled_at);
      // The missed backlog fired once (not five times), and the boundary fired exactly once.
      expect(times.filter((t) => t === boundary.toISOString())).toHaveLength(1);
      expect(times.length).toBeLessThanOrEqual(3);
    }
  }, 180_000);
});
