import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { createExecution } from '../../src/outbox/create-execution';
import { createOutboxRelay, type OutboxRelay } from '../../src/outbox/outbox-relay';
import {
  createExecutionPublisher,
  type ExecutionPublisher,
} from '../../src/queue/execution-publisher';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { createTestBroker, type TestBroker } from '../support/test-broker';
import {
  eventually,
  readExecution,
  seedOrg,
  seedWorkflow,
  waitForStatus,
} from '../support/execution-fixtures';
import { spawnRunner, type RunnerProcess } from '../support/runner-process';

let db: TestDatabase;
let mq: TestBroker;
let publisher: ExecutionPublisher;
let relay: OutboxRelay;
let slow: Server;
let slowUrl: string;
let slowRequests = 0;
let prepRequests = 0;
const workers: RunnerProcess[] = [];

beforeAll(async () => {
  [db, mq] = await Promise.all([createTestDatabase(), createTestBroker()]);
  publisher = createExecutionPublisher(mq.broker);
  relay = createOutboxRelay({ orm: db.orm, publisher, listenUrl: db.url, pollIntervalMs: 200 });
  relay.start();
  slow = createServer((req, res) => {
    if (req.url === '/prep') {
      prepRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"prepared":true}');
      return;
    }
    slowRequests++;
    setTimeout(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}'),
      2_500,
    ).unref();
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/work`;
  const env = {
    DATABASE_URL: db.url,
    AMQP_URL: mq.url,
    MAESTRO_QUEUE_PREFIX: mq.prefix.replace(/\.$/, ''),
    MAESTRO_LEASE_MS: '3000',
    MAESTRO_SHUTDOWN_GRACE_MS: '2000',
  };
  workers.push(
    spawnRunner('worker', { ...env, MAESTRO_WORKER_ID: 'worker-a' }),
    spawnRunner('worker', { ...env, MAESTRO_WORKER_ID: 'worker-b' }),
  );
  await Promise.all(workers.map((w) => w.ready));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGTERM')));
  await relay?.stop();
  await publisher?.close();
  slow?.closeAllConnections();
  await new Promise((resolve) => slow?.close(resolve));
  await mq?.drop();
  await db?.drop();
}, 60_000);

const flow = (url: string) => ({
  format: 'maestro/workflow@1',
  name: 'Crash me',
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    {
      id: 'prep',
      type: 'action.http',
      config: {
        method: 'POST',
        url: url.replace('/work', '/prep'),
        body: { n: '{{ trigger.body.n }}' },
      },
    },
    { id: 'call', type: 'action.http', config: { method: 'GET', url } },
    { id: 'done', type: 'transform', config: { value: '{{ steps.call.body.done }}' } },
  ],
  edges: [
    { from: 'hook', to: 'prep' },
    { from: 'prep', to: 'call' },
    { from: 'call', to: 'done' },
  ],
});

describe('a worker killed mid-run', () => {
  it('leaves the message unacked; another worker resumes the run and it completes exactly once', async () => {
    const { orgId } = await seedOrg(db.orm, { allowPrivateNetwork: true });
    const wf = await seedWorkflow(db.orm, orgId, flow(slowUrl));
    const { id } = await withOrgContext(db.orm, orgId, (em) =>
      createExecution(em, {
        orgId,
        workflowId: wf.workflowId,
        versionId: wf.versionId,
        input: { body: { n: 7 } },
        trigger: 'webhook',
      }),
    );
    await eventually(
      async () => (slowRequests === 1 ? true : undefined),
      30_000,
      'the slow call to start',
    );
    const running = await readExecution(db.orm, id);
    expect(running?.status).toBe('running');
    const victim = workers.find(
      (w) => running?.claimed_by === (w === workers[0] ? 'worker-a' : 'worker-b'),
    );
    expect(victim, `claimed by ${running?.claimed_by}`).toBeDefined();
    const prepBefore = await stepFinishedAt(id, 'prep');
    expect(prepBefore).toBeDefined();
    victim?.child.kill('SIGKILL');
    await victim?.exited;

    const done = await waitForStatus(db.orm, id, ['success', 'failed', 'canceled'], 60_000);
    expect(done.status).toBe('success');
    expect(done.attempt).toBe(2);
    expect(done.claimed_by).not.toBe(running?.claimed_by);
    expect(done.result?.steps.done?.output).toBe(true);
    // Resumed: the step that finished before the crash was not run again.
    expect(prepRequests).toBe(1);
    expect(await stepFinishedAt(id, 'prep')).toEqual(prepBefore);
    expect(slowRequests).toBe(2);

    // A duplicate delivery of the finished execution changes nothing.
    await publisher.publish([
      { executionId: id, organizationId: orgId },
      { executionId: id, organizationId: orgId },
    ]);
    await eventually(async () => {
      const q = await mq.broker.connection.queueDeclare({
        queue: mq.broker.topology.executionsQueue,
        passive: true,
      });
      return q.messageCount === 0 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await readExecution(db.orm, id);
    expect(after).toMatchObject({ status: 'success', attempt: 2 });
    expect(slowRequests).toBe(2);
    const count = await withSystemContext(db.orm, (em) =>
      em.execute<{ n: number }[]>(
        'select count(*)::int as n from executions where workflow_id = ?',
        [wf.workflowId],
      ),
    );
    expect(count[0]?.n).toBe(1);
  }, 120_000);
});

async function stepFinishedAt(executionId: string, stepId: string): Promise<string | undefined> {
  const [row] = await withSystemContext(db.orm, (em) =>
    em.execute<{ finished_at: unknown }[]>(
      'select finished_at from execution_steps where execution_id = ? and step_id = ?',
      [executionId, stepId],
    ),
  );
  return row ? String(row.finished_at) : undefined;
}
