import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { createFailureStreakHandler } from '../../src/notifications/failure-streak';
import { createMailer } from '../../src/notifications/mailer';
import { createExecution } from '../../src/outbox/create-execution';
import { silentLog } from '../../src/worker/logger';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { createTestBroker, type TestBroker } from '../support/test-broker';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { eventually, seedOrg, seedWorkflow, waitForStatus } from '../support/execution-fixtures';

let db: TestDatabase;
let mq: TestBroker;
let stack: ExecutionStack;
let smtp: SMTPServer;
const mails: { to: string; text: string }[] = [];
let mailer: ReturnType<typeof createMailer>;

beforeAll(async () => {
  [db, mq] = await Promise.all([createTestDatabase(), createTestBroker()]);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  mailer = createMailer({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: 'Maestro <no-reply@maestro.test>',
    log: silentLog,
  });
  stack = startExecutionStack({
    orm: db.orm,
    broker: mq.broker,
    listenUrl: db.url,
    onFailureStreak: createFailureStreakHandler({
      orm: db.orm,
      mailer,
      log: silentLog,
      publicUrl: 'http://runner.test',
    }),
  });
});

afterAll(async () => {
  await stack?.stop();
  mailer?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await mq?.drop();
  await db?.drop();
});

const failing = {
  format: 'maestro/workflow@1',
  name: 'Always fails',
  nodes: [
    { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'boom', type: 'flow.fail', config: { message: 'nope' } },
  ],
  edges: [{ from: 'hook', to: 'boom' }],
};

describe('failure streak', () => {
  it('disables a workflow after 10 consecutive failures and notifies its owners in-app and by email', async () => {
    const { orgId, ownerId, ownerEmail } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, failing);
    const start = () =>
      withOrgContext(db.orm, orgId, (em) =>
        createExecution(em, {
          orgId,
          workflowId: wf.workflowId,
          versionId: wf.versionId,
          input: {},
          trigger: 'api',
        }),
      );
    // Nine failures: still enabled.
    for (let i = 0; i < 9; i++) await waitForStatus(db.orm, (await start()).id, ['failed']);
    const streak = () =>
      withSystemContext(db.orm, (em) =>
        em.execute<
          { enabled: boolean; consecutive_failures: number; disabled_reason: string | null }[]
        >('select enabled, consecutive_failures, disabled_reason from workflows where id = ?', [
          wf.workflowId,
        ]),
      );
    expect((await streak())[0]).toMatchObject({ enabled: true, consecutive_failures: 9 });
    const tenth = await start();
    await waitForStatus(db.orm, tenth.id, ['failed']);
    const disabled = await eventually(async () => {
      const [row] = await streak();
      return row && !row.enabled ? row : undefined;
    });
    expect(disabled.disabled_reason).toMatch(/10 consecutive failed/);
    const notes = await withOrgContext(db.orm, orgId, (em) =>
      em.execute(
        'select user_id, kind, title, workflow_id, execution_id, connection_id from notifications',
      ),
    );
    // It names the workflow and the failure that disabled it.
    expect(notes).toEqual([
      {
        user_id: ownerId,
        kind: 'workflow.disabled',
        title: 'Workflow "Always fails" was disabled',
        workflow_id: wf.workflowId,
        execution_id: tenth.id,
        connection_id: null,
      },
    ]);
    const mail = await eventually(async () => mails.find((m) => m.to === ownerEmail));
    expect(mail.text).toContain('It failed 10 times in a row');
    expect(mail.text).toMatch(/^Subject: /m);
  });

  it('resets the streak on a success', async () => {
    const { orgId } = await seedOrg(db.orm);
    const wf = await seedWorkflow(db.orm, orgId, failing);
    const ok = await seedWorkflow(db.orm, orgId, {
      ...failing,
      nodes: [failing.nodes[0], { id: 'boom', type: 'transform', config: { value: 1 } }],
    });
    const run = (versionId: string) =>
      withOrgContext(db.orm, orgId, (em) =>
        createExecution(em, {
          orgId,
          workflowId: wf.workflowId,
          versionId,
          input: {},
          trigger: 'api',
        }),
      ).then(({ id }) => waitForStatus(db.orm, id, ['failed', 'success']));
    await run(wf.versionId);
    await run(wf.versionId);
    // The same workflow row, run with a version that succeeds.
    expect((await run(ok.versionId)).status).toBe('success');
    const [row] = await withSystemContext(db.orm, (em) =>
      em.execute<{ consecutive_failures: number }[]>(
        'select consecutive_failures from workflows where id = ?',
        [wf.workflowId],
      ),
    );
    expect(row?.consecutive_failures).toBe(0);
  });
});
