import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { createExecution } from '../../src/outbox/create-execution';
import { EXECUTION_CANCEL_CHANNEL } from '../../src/outbox/channels';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { createTestBroker, type TestBroker } from '../support/test-broker';
import {
  startExecutionStack,
  testSecretBox,
  type ExecutionStack,
} from '../support/execution-stack';
import { connectionSecretContext } from '../../src/crypto/contexts';
import { newId } from '../../src/db/ids';
import {
  echoWorkflow,
  eventually,
  httpWorkflow,
  readExecution,
  seedOrg,
  seedWorkflow,
  waitForStatus,
} from '../support/execution-fixtures';

let db: TestDatabase;
let mq: TestBroker;
let stack: ExecutionStack;
let slow: Server;
let slowUrl: string;
let inFlight = 0;
let lastAuthorization: string | undefined;
let maxInFlight = 0;

beforeAll(async () => {
  [db, mq] = await Promise.all([createTestDatabase(), createTestBroker()]);
  stack = startExecutionStack({ orm: db.orm, broker: mq.broker, listenUrl: db.url });
  slow = createServer((req, res) => {
    if (req.url === '/echo-auth') {
      lastAuthorization = req.headers.authorization;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ youSent: req.headers.authorization }));
      return;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 300);
    const timer = setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}');
    }, ms);
    req.on('close', () => {
      if (!res.writableEnded) {
        clearTimeout(timer);
        inFlight--;
      }
    });
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => slow?.close(resolve));
  await mq?.drop();
  await db?.drop();
});

describe('execution path: outbox → relay → queue → worker', () => {
  it('runs a started execution and stores its result and steps', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, echoWorkflow());
    const { id, created } = await withOrgContext(db.orm, orgId, (em) =>
      createExecution(em, {
        orgId,
        workflowId: wf.workflowId,
        versionId: wf.versionId,
        input: { body: { n: 1 } },
        trigger: 'api',
      }),
    );
    expect(created).toBe(true);
    const done = await waitForStatus(db.orm, id, ['success', 'failed', 'canceled']);
    expect(done.status).toBe('success');
    expect(done.attempt).toBe(1);
    expect(done.result?.steps.shape?.output).toEqual({ got: { n: 1 } });
    const steps = await withOrgContext(db.orm, orgId, (em) =>
      em.execute<{ step_id: string; status: string }[]>(
        'select step_id, status from execution_steps where execution_id = ? order by step_id',
        [id],
      ),
    );
    expect(steps).toEqual([
      { step_id: 'hook', status: 'success' },
      { step_id: 'shape', status: 'success' },
    ]);
    // The relay marks rows sent after the broker's confirm, which may come after the run itself.
    const unsent = () =>
      withSystemContext(db.orm, (em) =>
        em.execute<{ n: number }[]>('select count(*)::int as n from outbox where sent_at is null'),
      );
    await eventually(
      async () => ((await unsent())[0]?.n === 0 ? true : undefined),
      5_000,
      'the outbox row to be marked sent',
    );
  });

  it('returns the same execution for a repeated Idempotency-Key', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, echoWorkflow());
    const start = () =>
      withOrgContext(db.orm, orgId, (em) =>
        createExecution(em, {
          orgId,
          workflowId: wf.workflowId,
          versionId: wf.versionId,
          input: {},
          trigger: 'api',
          idempotencyKey: 'k-1',
        }),
      );
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.id).toBe(b.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const c = await start();
    expect(c).toEqual({ id: a.id, created: false });
    await waitForStatus(db.orm, a.id, ['success']);
    const count = await withOrgContext(db.orm, orgId, (em) =>
      em.execute<{ n: number }[]>(
        'select count(*)::int as n from executions where workflow_id = ?',
        [wf.workflowId],
      ),
    );
    expect(count[0]?.n).toBe(1);
  });

  it('acks a duplicate delivery of a finished execution without running it again', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, echoWorkflow());
    const { id } = await withOrgContext(db.orm, orgId, (em) =>
      createExecution(em, {
        orgId,
        workflowId: wf.workflowId,
        versionId: wf.versionId,
        input: {},
        trigger: 'api',
      }),
    );
    const first = await waitForStatus(db.orm, id, ['success']);
    await stack.publisher.publish([
      { executionId: id, organizationId: orgId },
      { executionId: id, organizationId: orgId },
    ]);
    await eventually(async () =>
      (
        await mq.broker.connection.queueDeclare({
          queue: mq.broker.topology.executionsQueue,
          passive: true,
        })
      ).messageCount === 0
        ? true
        : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await readExecution(db.orm, id);
    expect(again?.attempt).toBe(first.attempt);
    expect(again?.status).toBe('success');
  });

  it('delivers a cancel to a running worker', async () => {
    const { orgId } = await seedOrg(db.orm, { allowPrivateNetwork: true });
    const wf = await seedWorkflow(db.orm, orgId, httpWorkflow(`${slowUrl}/?ms=20000`));
    const { id } = await withOrgContext(db.orm, orgId, (em) =>
      createExecution(em, {
        orgId,
        workflowId: wf.workflowId,
        versionId: wf.versionId,
        input: {},
        trigger: 'api',
      }),
    );
    await waitForStatus(db.orm, id, ['running']);
    await eventually(
      async () => (inFlight > 0 ? true : undefined),
      5_000,
      'the slow call to start',
    );
    const requestedAt = Date.now();
    await withOrgContext(db.orm, orgId, (em) =>
      em
        .execute(`update executions set cancel_requested_at = now() where id = ?; `, [id])
        .then(() => em.execute('select pg_notify(?, ?)', [EXECUTION_CANCEL_CHANNEL, id])),
    );
    const done = await waitForStatus(db.orm, id, ['success', 'failed', 'canceled'], 5_000);
    expect(done.status).toBe('canceled');
    expect(Date.now() - requestedAt).toBeLessThan(3_000);
    expect(done.result?.steps.call?.status).toBe('canceled');
  });

  it('makes executions over the organization limit wait, and runs them all', async () => {
    const { orgId } = await seedOrg(db.orm, { concurrencyLimit: 1, allowPrivateNetwork: true });
    const wf = await seedWorkflow(db.orm, orgId, httpWorkflow(`${slowUrl}/?ms=250`));
    maxInFlight = 0;
    const ids = await withOrgContext(db.orm, orgId, async (em) => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        out.push(
          (
            await createExecution(em, {
              orgId,
              workflowId: wf.workflowId,
              versionId: wf.versionId,
              input: {},
              trigger: 'api',
            })
          ).id,
        );
      }
      return out;
    });
    for (const id of ids)
      expect((await waitForStatus(db.orm, id, ['success', 'failed'], 20_000)).status).toBe(
        'success',
      );
    expect(maxInFlight).toBe(1);
  });

  it('resolves a connection secret for action.http and redacts it from the stored result', async () => {
    const { orgId } = await seedOrg(db.orm, { allowPrivateNetwork: true });
    const connectionId = newId();
    const sealed = testSecretBox().sealJson(
      { token: 'tok-123456' },
      connectionSecretContext(connectionId),
    );
    await withSystemContext(db.orm, (em) =>
      em.execute(
        `insert into connections (id, organization_id, name, kind, secret_enc, created_at) values (?, ?, 'crm', 'bearer', ?, now())`,
        [connectionId, orgId, sealed],
      ),
    );
    const wf = await seedWorkflow(db.orm, orgId, {
      format: 'maestro/workflow@1',
      name: 'Auth',
      nodes: [
        { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
        {
          id: 'call',
          type: 'action.http',
          config: { method: 'GET', url: `${slowUrl}/echo-auth`, auth: { connection: 'crm' } },
        },
      ],
      edges: [{ from: 'hook', to: 'call' }],
    });
    const { id } = await withOrgContext(db.orm, orgId, (em) =>
      createExecution(em, {
        orgId,
        workflowId: wf.workflowId,
        versionId: wf.versionId,
        input: {},
        trigger: 'api',
      }),
    );
    const done = await waitForStatus(db.orm, id, ['success', 'failed']);
    expect(done.status, JSON.stringify(done.result)).toBe('success');
    expect(lastAuthorization).toBe('Bearer tok-123456');
    const stored = await withSystemContext(db.orm, (em) =>
      em.execute<{ blob: string }[]>(
        `select e.result::text || coalesce((select string_agg(output::text, '') from execution_steps where execution_id = e.id), '') as blob from executions e where e.id = ?`,
        [id],
      ),
    );
    expect(stored[0]?.blob).toContain('[redacted]');
    expect(stored[0]?.blob).not.toContain('tok-123456');
  });
});
