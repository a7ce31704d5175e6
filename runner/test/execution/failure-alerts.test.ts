import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { openOrm } from '../../src/db/orm';
import { sendFailureAlertEmails } from '../../src/notifications/failure-alert-emails';
import {
  recordFailureAlerts,
  type FailureAlertTiming,
} from '../../src/notifications/failure-alerts';
import { createMailer, type Mailer } from '../../src/notifications/mailer';
import { createScheduler } from '../../src/scheduler/scheduler';
import { createGuardedHttpClient } from '../../src/worker/guarded-http-client';
import { createAddressPolicy } from '../../src/worker/address-policy';
import { silentLog } from '../../src/worker/logger';
import { startSmtpCapture } from '../identity/support/smtp-capture';
import { eventually, waitForStatus } from '../support/execution-fixtures';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { addMember, createRole } from '../support/team';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';
import { createTestBroker, type TestBroker } from '../support/test-broker';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;
type Member = Awaited<ReturnType<typeof addMember>>;

const PUBLIC_URL = 'http://runner.test';
const SECRET = 'sk-live-alert-0123456789';
/** Settled at once (tests pass `now`); a minute's window, crossed by passing a later `now`. */
const TIMING: FailureAlertTiming = { windowMs: 60_000, settleMs: 0, lookbackMs: 3_600_000 };

let t: TestApp;
let mq: TestBroker;
let stack: ExecutionStack;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mailer: Mailer;
let owner: Owner;
let admin: Member;
let editor: Member;
let reader: Member;
let mutedAll: Member;
let mutedOne: Member;

const call = (
  who: { headers: Record<string, string> },
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
) => t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

const alertPass = async (now = new Date(), orm: MikroORM = t.db.orm) => {
  const written = await recordFailureAlerts({ orm, publicUrl: PUBLIC_URL, timing: TIMING }, now);
  await sendFailureAlertEmails({ orm, mailer, log: silentLog, publicUrl: PUBLIC_URL });
  return written;
};

function failingWorkflow(name: string) {
  return {
    format: 'maestro/workflow@1',
    name,
    nodes: [
      { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
      {
        id: 'boom',
        type: 'flow.fail',
        config: { message: 'upstream refused key {{ env.TOKEN }}' },
      },
    ],
    edges: [{ from: 'hook', to: 'boom' }],
  };
}

async function publish(who: Owner, name: string): Promise<string> {
  const res = await call(who, 'POST', '/v1/workflows', { definition: failingWorkflow(name) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** Runs the workflow `times` times through the API and the worker; returns the execution ids. */
async function fail(who: Owner, workflowId: string, times: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < times; i++) {
    const res = await call(who, 'POST', `/v1/workflows/${workflowId}/executions`, { input: {} });
    expect(res.statusCode, res.body).toBe(202);
    ids.push(res.json().id as string);
  }
  for (const id of ids) await waitForStatus(t.db.orm, id, ['failed']);
  return ids;
}

interface AlertRow {
  id: string;
  failures: number;
  recipient_ids: string[];
  latest_execution_ids: string[];
  emailed_at: string | null;
}

const alertsOf = (orgId: string, workflowId: string) =>
  withOrgContext(t.db.orm, orgId, (em) =>
    em.execute<AlertRow[]>(
      'select id, failures, recipient_ids, latest_execution_ids, emailed_at from failure_alerts where workflow_id = ? order by created_at',
      [workflowId],
    ),
  );

interface Note {
  kind: string;
  title: string;
  body: string;
}

/** Through the API (GET /v1/notifications, the caller's own). */
const notesOf = async (who: { headers: Record<string, string> }) => {
  const res = await call(who, 'GET', '/v1/notifications');
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Note[];
};

/** Straight from the table, in the organization's context (admins need 2FA for the API). */
const storedNotesOf = (who: { orgId: string; userId: string }) =>
  withOrgContext(t.db.orm, who.orgId, (em) =>
    em.execute<Note[]>(
      'select kind, title, body from notifications where user_id = ? order by created_at desc',
      [who.userId],
    ),
  );

/** Who may edit an unrestricted workflow and has not muted every alert. */
const editors = () => [owner, admin, editor, mutedOne];
const emailsOf = (who: { email: string }[]) => who.map((w) => w.email).sort();

const mailsAbout = (name: string) => smtp.mails.filter((m) => m.text.includes(`"${name}"`));

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_RATE_LIMIT_PER_MINUTE: '100000',
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  mq = await createTestBroker();
  stack = startExecutionStack({
    orm: t.db.orm,
    broker: mq.broker,
    listenUrl: t.db.url,
    secretBox: t.app.secretBox,
  });
  smtp = await startSmtpCapture();
  mailer = createMailer({
    smtpUrl: smtp.url,
    from: 'Maestro <alerts@maestro.test>',
    log: silentLog,
  });
  owner = await signUpWithOrg(t.app, 'alert-owner');
  admin = await addMember(t.app, owner, 'alert-admin', 'admin');
  editor = await addMember(t.app, owner, 'alert-editor');
  const readOnly = await createRole(t.app, owner, 'Reader', [
    'workflows:read',
    'executions:read',
    'notifications:read',
  ]);
  reader = await addMember(t.app, owner, 'alert-reader', readOnly);
  mutedAll = await addMember(t.app, owner, 'alert-muted-all');
  mutedOne = await addMember(t.app, owner, 'alert-muted-one');
  const secret = await call(owner, 'PUT', '/v1/variables/TOKEN', { value: SECRET, secret: true });
  expect(secret.statusCode, secret.body).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
  mailer?.close();
  await smtp?.close();
  await mq?.drop();
  await t?.close();
});

describe('failure alerts', () => {
  it('sends one digest per burst to the members who may edit the workflow, in-app and by email', async () => {
    const workflowId = await publish(owner, 'Nightly import');
    const failed = await fail(owner, workflowId, 3);
    const muteAll = await call(mutedAll, 'PUT', '/v1/alert-settings', {
      muteAll: true,
      mutedWorkflowIds: [],
    });
    expect(muteAll.statusCode, muteAll.body).toBe(200);
    const muteOne = await call(mutedOne, 'PUT', '/v1/alert-settings', {
      muteAll: false,
      mutedWorkflowIds: [workflowId],
    });
    expect(muteOne.json()).toEqual({ muteAll: false, mutedWorkflowIds: [workflowId] });

    await alertPass();
    const [alert, ...more] = await alertsOf(owner.orgId, workflowId);
    expect(more).toEqual([]);
    expect(alert?.failures).toBe(3);
    expect(alert?.emailed_at).not.toBeNull();
    // Owners, admins and members with workflows:write; not a role without it, not the muted.
    expect(new Set(alert?.recipient_ids)).toEqual(
      new Set([owner.userId, admin.userId, editor.userId]),
    );
    expect(new Set(alert?.latest_execution_ids)).toEqual(new Set(failed));

    for (const who of [owner, admin, editor]) {
      const notes = (await storedNotesOf(who)).filter((n) => n.kind === 'workflow.failures');
      expect(notes).toHaveLength(1);
      expect(notes[0]?.title).toBe('Workflow "Nightly import" failed (3 failed executions)');
      expect(notes[0]?.body).toContain(
        'First error: step "boom": FAIL: upstream refused key [redacted]',
      );
      expect(notes[0]?.body).toContain(`${PUBLIC_URL}/v1/executions/${failed[2]}`);
      expect(notes[0]?.body).not.toContain(SECRET);
    }
    for (const who of [reader, mutedAll, mutedOne])
      expect((await storedNotesOf(who)).filter((n) => n.kind === 'workflow.failures')).toEqual([]);
    // The API serves the owner the same notification, naming the workflow and its newest failure.
    const served = (await notesOf(owner)).filter((n) => n.kind === 'workflow.failures');
    expect(served).toHaveLength(1);
    expect(alert?.latest_execution_ids[0]).toBeDefined();
    expect(served[0]).toMatchObject({
      workflowId,
      executionId: alert?.latest_execution_ids[0],
      connectionId: null,
    });

    const mails = mailsAbout('Nightly import');
    expect(mails.map((m) => m.to).sort()).toEqual([owner.email, admin.email, editor.email].sort());
    expect(mails[0]?.raw).toContain('Subject: =?UTF-8?Q?Workflow_=22Nightly_import=22_failed');
    expect(mails[0]?.text).toContain('Workflow "Nightly import": 3 failed executions between');
    expect(mails.some((m) => m.text.includes(SECRET))).toBe(false);

    // Nothing new: a second pass writes nothing.
    expect(await alertPass(new Date(Date.now() + TIMING.windowMs + 1_000))).not.toContain(
      alert?.id,
    );
    expect(await alertsOf(owner.orgId, workflowId)).toHaveLength(1);
  });

  it('holds a second burst until the window has passed, then sends a second digest of it alone', async () => {
    const workflowId = await publish(owner, 'Hourly sync');
    await fail(owner, workflowId, 1);
    const firstAt = new Date();
    await alertPass(firstAt);
    expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.failures)).toEqual([1]);

    await fail(owner, workflowId, 2);
    // Within the window: held back.
    await alertPass(new Date(firstAt.getTime() + TIMING.windowMs - 1_000));
    expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.failures)).toEqual([1]);
    // After it: one more digest, counting the second burst only.
    await alertPass(new Date(Math.max(Date.now(), firstAt.getTime() + TIMING.windowMs + 1_000)));
    expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.failures)).toEqual([1, 2]);
    const titles = (await notesOf(editor))
      .filter((n) => n.title.includes('"Hourly sync"'))
      .map((n) => n.title);
    expect(titles).toEqual([
      'Workflow "Hourly sync" failed (2 failed executions)',
      'Workflow "Hourly sync" failed (1 failed execution)',
    ]);
    expect(mailsAbout('Hourly sync').filter((m) => m.to === editor.email)).toHaveLength(2);
  });

  it('alerts on a restricted workflow only those who may edit it', async () => {
    const workflowId = await publish(owner, 'Payroll');
    const shared = await call(owner, 'PUT', `/v1/workflows/${workflowId}/access`, {
      restricted: true,
      members: [
        { userId: editor.userId, access: 'view' },
        { userId: mutedAll.userId, access: 'edit' },
      ],
    });
    expect(shared.statusCode, shared.body).toBe(200);
    const unmute = await call(mutedAll, 'PUT', '/v1/alert-settings', {
      muteAll: false,
      mutedWorkflowIds: [],
    });
    expect(unmute.statusCode).toBe(200);
    await fail(owner, workflowId, 1);
    await alertPass();
    const [alert] = await alertsOf(owner.orgId, workflowId);
    // The editor only views this one; the member with an edit grant hears about it.
    expect(new Set(alert?.recipient_ids)).toEqual(
      new Set([owner.userId, admin.userId, mutedAll.userId]),
    );
    const mute = await call(mutedAll, 'PUT', '/v1/alert-settings', {
      muteAll: true,
      mutedWorkflowIds: [],
    });
    expect(mute.statusCode).toBe(200);
  });

  it('two schedulers racing send each digest once (a new cursor, then an existing one)', async () => {
    const workflowId = await publish(owner, 'Raced');
    const second = await openOrm({ databaseUrl: t.db.url, poolSize: 5 });
    const race = (now: Date) =>
      Promise.all(Array.from({ length: 8 }, (_, i) => alertPass(now, i % 2 ? second : t.db.orm)));
    try {
      await fail(owner, workflowId, 4);
      const firstAt = new Date();
      await race(firstAt);
      expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.failures)).toEqual([4]);
      await fail(owner, workflowId, 2);
      await race(new Date(Math.max(Date.now(), firstAt.getTime() + TIMING.windowMs + 1_000)));
    } finally {
      await second.close(true);
    }
    expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.failures)).toEqual([4, 2]);
    const mails = mailsAbout('Raced').map((m) => m.to);
    expect(mails.sort()).toEqual([...emailsOf(editors()), ...emailsOf(editors())].sort());
  });

  it('the scheduler role sends the first alert on its own, once across two scheduler processes', async () => {
    const workflowId = await publish(owner, 'Scheduled pair');
    await fail(owner, workflowId, 2);
    const second = await openOrm({ databaseUrl: t.db.url, poolSize: 5 });
    const http = createGuardedHttpClient({ policy: createAddressPolicy() });
    const schedulers = [t.db.orm, second].map((orm) =>
      createScheduler({
        orm,
        log: silentLog,
        http: { strict: http, open: http },
        secretBox: t.app.secretBox,
        retentionDays: 30,
        scheduleTickMs: 60_000,
        pollTickMs: 60_000,
        alerts: { mailer, publicUrl: PUBLIC_URL, tickMs: 50, timing: TIMING },
      }),
    );
    try {
      schedulers.forEach((s) => s.start());
      await eventually(async () => (mailsAbout('Scheduled pair').length >= 3 ? true : undefined));
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await http.close();
      await second.close(true);
    }
    expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.failures)).toEqual([2]);
    expect(
      mailsAbout('Scheduled pair')
        .map((m) => m.to)
        .sort(),
    ).toEqual(emailsOf(editors()));
  });

  it('keeps organizations apart: another organization sees nothing of these alerts', async () => {
    const other = await signUpWithOrg(t.app, 'other-owner');
    const ours = await publish(owner, 'Ours only');
    const theirs = await publish(other, 'Theirs only');
    await fail(owner, ours, 1);
    await fail(other, theirs, 1);
    await alertPass();
    const otherNotes = await notesOf(other);
    expect(otherNotes.map((n) => n.title)).toEqual([
      'Workflow "Theirs only" failed (1 failed execution)',
    ]);
    expect((await notesOf(owner)).some((n) => n.title.includes('Theirs only'))).toBe(false);
    expect(mailsAbout('Theirs only').map((m) => m.to)).toEqual([other.email]);
    expect(mailsAbout('Ours only').some((m) => m.to === other.email)).toBe(false);
    // Under org B's context, org A's alerts do not exist (RLS).
    const seen = await withOrgContext(t.db.orm, other.orgId, (em) =>
      em.execute<{ workflow_id: string }[]>('select workflow_id from failure_alerts'),
    );
    expect(seen.map((row) => row.workflow_id)).toEqual([theirs]);
    // Org B's owner cannot mute org A's workflow by id: it does not exist for them.
    const mute = await call(other, 'PUT', '/v1/alert-settings', {
      muteAll: false,
      mutedWorkflowIds: [ours],
    });
    expect(mute.statusCode).toBe(400);
    expect(mute.json().errors).toEqual([
      { path: 'mutedWorkflowIds[0]', message: 'no such workflow' },
    ]);
  });
});

describe('alert settings', () => {
  it('start unmuted, refuse bad bodies with the path, and are audited', async () => {
    const fresh = await addMember(t.app, owner, 'alert-fresh');
    expect((await call(fresh, 'GET', '/v1/alert-settings')).json()).toEqual({
      muteAll: false,
      mutedWorkflowIds: [],
    });
    const bad = await call(fresh, 'PUT', '/v1/alert-settings', {
      muteAll: 'yes',
      mutedWorkflowIds: ['not-an-id'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json().errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'muteAll',
      'mutedWorkflowIds[0]',
    ]);
    const workflowId = await publish(owner, 'Audited mute');
    const ok = await call(fresh, 'PUT', '/v1/alert-settings', {
      muteAll: false,
      mutedWorkflowIds: [workflowId, workflowId],
    });
    expect(ok.json()).toEqual({ muteAll: false, mutedWorkflowIds: [workflowId] });
    const [event] = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ action: string; actor_user_id: string; details: unknown }[]>(
        `select action, actor_user_id, details from audit_events where action = 'alert-settings.update' and actor_user_id = ?`,
        [fresh.userId],
      ),
    );
    expect(event).toEqual({
      action: 'alert-settings.update',
      actor_user_id: fresh.userId,
      details: { muteAll: false, mutedWorkflowIds: [workflowId] },
    });
  });
});
