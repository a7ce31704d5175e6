import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { pgArray } from '../../src/outbox/pg-array';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { echoWorkflow, eventually, seedOrg, seedWorkflow } from '../support/execution-fixtures';
import { spawnRunner, type RunnerProcess } from '../support/runner-process';
import { createSecondBroker, type SecondBroker } from '../support/second-broker';

let db: TestDatabase;
let rabbit: SecondBroker;
let api: RunnerProcess;
let worker: RunnerProcess;
let apiUrl: string;

beforeAll(async () => {
  rabbit = createSecondBroker();
  [db] = await Promise.all([createTestDatabase(), rabbit.start()]);
  const env = {
    DATABASE_URL: db.url,
    AMQP_URL: rabbit.url,
    MAESTRO_QUEUE_PREFIX: 'fault',
    MAESTRO_LEASE_MS: '5000',
  };
  api = spawnRunner('api', env);
  worker = spawnRunner('worker', env);
  const [{ port }] = await Promise.all([api.ready, worker.ready]);
  apiUrl = `http://127.0.0.1:${port}`;
}, 240_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await rabbit?.destroy();
  await db?.drop();
}, 120_000);

describe('the broker stops and restarts while webhooks arrive', () => {
  it('accepts every webhook and completes every accepted execution', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, echoWorkflow('Through the outage'));
    const accepted: string[] = [];
    const refused: number[] = [];
    let sending = true;
    let n = 0;
    const sender = (async () => {
      while (sending) {
        const res = await fetch(`${apiUrl}/v1/hooks/${wf.token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: n++ }),
        });
        if (res.status === 202)
          accepted.push(((await res.json()) as { executionId: string }).executionId);
        else refused.push(res.status);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    // Traffic flows before the outage (on a loaded machine the first replies can take seconds).
    await eventually(
      async () => (accepted.length >= 5 ? true : undefined),
      60_000,
      'webhooks accepted before the outage',
    );
    const beforeOutage = accepted.length;
    await rabbit.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const duringOutage = accepted.length - beforeOutage;
    await rabbit.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    sending = false;
    await sender;

    expect(refused).toEqual([]);
    expect(beforeOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeGreaterThan(0);
    const unfinished = async () => {
      const rows = await withSystemContext(db.orm, (em) =>
        em.execute<{ status: string; n: number }[]>(
          'select status, count(*)::int as n from executions where id = any(?::uuid[]) group by status',
          [pgArray(accepted)],
        ),
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    };
    const final = await eventually(
      async () => {
        const counts = await unfinished();
        return counts.success === accepted.length ? counts : undefined;
      },
      120_000,
      'every accepted webhook to finish',
    ).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}: ${JSON.stringify(await unfinished())} of ${accepted.length}\n${worker.output().slice(-3000)}`,
      );
    });
    expect(final).toEqual({ success: accepted.length });
    const total = await withSystemContext(db.orm, (em) =>
      em.execute<{ n: number }[]>(
        'select count(*)::int as n from executions where workflow_id = ?',
        [wf.workflowId],
      ),
    );
    expect(total[0]?.n).toBe(accepted.length);
  }, 300_000);
});
