// End to end: a real `maestro-runner --role worker` process (bin → tsx) runs code.js steps
// through its threaded sandbox. The slow-built-in loop that blocks an in-process sandbox for
// minutes fails with TIMEOUT at its wall-clock deadline, and the same worker keeps serving runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepResult } from '../../../shared/src/model/run-result';
import { withOrgContext } from '../db/org-context';
import { createExecution } from '../outbox/create-execution';
import { createOutboxRelay, type OutboxRelay } from '../outbox/outbox-relay';
import { createExecutionPublisher, type ExecutionPublisher } from '../queue/execution-publisher';
import {
  eventually,
  seedOrg,
  seedWorkflow,
  waitForStatus,
} from '../../test/support/execution-fixtures';
import { spawnRunner, type RunnerProcess } from '../../test/support/runner-process';
import { createTestBroker, type TestBroker } from '../../test/support/test-broker';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-db';

let db: TestDatabase;
let mq: TestBroker;
let publisher: ExecutionPublisher;
let relay: OutboxRelay;
let worker: RunnerProcess;

beforeAll(async () => {
  [db, mq] = await Promise.all([createTestDatabase(), createTestBroker()]);
  publisher = createExecutionPublisher(mq.broker);
  relay = createOutboxRelay({ orm: db.orm, publisher, listenUrl: db.url, pollIntervalMs: 200 });
  relay.start();
  worker = spawnRunner('worker', {
    DATABASE_URL: db.url,
    AMQP_URL: mq.url,
    MAESTRO_QUEUE_PREFIX: mq.prefix.replace(/\.$/, ''),
  });
  await worker.ready;
  // The worker takes messages before its sandbox threads have loaded (seconds on a busy
  // machine): this test times code.js runs, so it starts them once the threads are up.
  await eventually(
    async () => (worker.output().includes('code sandbox ready') ? true : undefined),
    90_000,
    'the worker to log "code sandbox ready"',
  );
}, 120_000);

afterAll(async () => {
  await worker?.stop('SIGTERM');
  await relay?.stop();
  await publisher?.close();
  await mq?.drop();
  await db?.drop();
}, 60_000);

const codeFlow = (name: string, code: string) => ({
  format: 'maestro/workflow@1',
  name,
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'code', type: 'code.js', config: { code } },
  ],
  edges: [{ from: 'hook', to: 'code' }],
});

async function runFlow(orgId: string, definition: Record<string, unknown>, body: unknown) {
  const wf = await seedWorkflow(db.orm, orgId, definition);
  const { id } = await withOrgContext(db.orm, orgId, (em) =>
    createExecution(em, {
      orgId,
      workflowId: wf.workflowId,
      versionId: wf.versionId,
      input: { body },
      trigger: 'webhook',
    }),
  );
  return waitForStatus(db.orm, id, ['success', 'failed', 'canceled'], 60_000);
}

describe('the runner worker runs code.js in its threaded sandbox', () => {
  it('stops a slow-built-in loop at the wall-clock deadline and goes on serving runs', async () => {
    const { orgId } = await seedOrg(db.orm);
    const started = Date.now();
    const stuck = await runFlow(
      orgId,
      codeFlow('Stuck', "const a = Array(1e5).fill('x'); for (;;) a.join('');"),
      {},
    );
    expect(stuck.status).toBe('failed');
    const step = stuck.result?.steps.code as StepResult | undefined;
    expect(step?.error?.code).toBe('TIMEOUT');
    expect(step?.error?.message).toMatch(/wall-clock deadline of 1250 ms/);
    expect(Date.now() - started).toBeLessThan(20_000); // in-process, this loop ran for minutes

    const fine = await runFlow(orgId, codeFlow('Fine', 'return input.trigger.body.n * 2;'), {
      n: 21,
    });
    expect(fine.status, JSON.stringify(fine.result)).toBe('success');
    expect(fine.result?.steps.code?.output).toBe(42);
  }, 90_000);
});
