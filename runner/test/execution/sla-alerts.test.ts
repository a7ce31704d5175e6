import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { openOrm } from '../../src/db/orm';
import type { AlertTiming } from '../../src/notifications/alert-digests';
import { createMailer, type Mailer } from '../../src/notifications/mailer';
import { recordSlaAlerts, sendSlaAlertEmails } from '../../src/notifications/sla-alerts';
import { breachesBetween, findWorkflowsWithBreaches } from '../../src/notifications/sla-breaches';
import { createScheduler } from '../../src/scheduler/scheduler';
import { createAddressPolicy } from '../../src/worker/address-policy';
import { createGuardedHttpClient } from '../../src/worker/guarded-http-client';
import { silentLog } from '../../src/worker/logger';
import { startSmtpCapture } from '../identity/support/smtp-capture';
import { eventually, httpWorkflow, waitForStatus } from '../support/execution-fixtures';
import { startExecutionStack } from '../support/execution-stack';
import { addMember, createRole } from '../support/team';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';
import { createTestBroker } from '../support/test-broker';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;
type Member = Awaited<ReturnType<typeof addMember>>;
type Caller = { headers: Record<string, string> };

const PUBLIC_URL = 'http://runner.test';
/** Settled at once (tests pass `now`); a minute's window, crossed by passing a later `now`. */
const TIMING: AlertTiming = { windowMs: 60_000, settleMs: 0, lookbackMs: 3_600_000 };
const SECOND = 1_000;

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mailer: Mailer;
let owner: Owner;
let editor: Member;
let reader: Member;
let mutedOne: Member;

const call = (
  who: Caller,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: object,
) => t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

const alertPass = async (now: Date, orm: MikroORM = t.db.orm) => {
  const written = await recordSlaAlerts({ orm, publicUrl: PUBLIC_URL, timing: TIMING }, now);
  await sendSlaAlertEmails({ orm, mailer, log: silentLog, publicUrl: PUBLIC_URL });
  return written;
};

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * SECOND);

/** A published workflow with an SLA; `base` is when the SLA was set (breaches count from then). */
async function workflowWithSla(
  who: Owner,
  name: string,
  sla: { maxDurationSeconds: number; maxStartDelaySeconds?: number | null },
) {
  const res = await call(who, 'POST', '/v1/workflows', { definition: webhookWorkflow(name) });
  expect(res.statusCode, res.body).toBe(201);
  const workflowId = res.json().id as string;
  const set = await call(who, 'PUT', `/v1/workflows/${workflowId}/sla`, sla);
  expect(set.statusCode, set.body).toBe(200);
  return { workflowId, base: new Date(set.json().updatedAt as string) };
}

interface ExecutionTimes {
  status: 'pending' | 'running' | 'success' | 'failed' | 'canceled';
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** An execution row as the API and a worker leave it (direct rows: times are chosen). */
async function execution(who: Owner, workflowId: string, e: ExecutionTimes): Promise<string> {
  const id = newId();
  await withOrgContext(t.db.orm, who.orgId, (em) =>
    em.execute(
      `insert into executions (id, organization_id, workflow_id, version_id, status, trigger_kind, created_at, started_at, finished_at)
       select ?, organization_id, id, active_version_id, ?, 'api', ?, ?, ? from workflows where id = ?`,
      [id, e.status, e.createdAt, e.startedAt ?? null, e.finishedAt ?? null, workflowId],
    ),
  );
  return id;
}

const finish = (who: Owner, id: string, finishedAt: Date) =>
  withOrgContext(t.db.orm, who.orgId, (em) =>
    em.execute(`update executions set status = 'success', finished_at = ? where id = ?`, [
      finishedAt,
      id,
    ]),
  );

interface AlertRow {
  id: string;
  breach_count: number;
  breaches: { executionId: string; kind: string; breachedAt: string }[];
  recipient_ids: string[];
  emailed_at: string | null;
}

const alertsOf = (orgId: string, workflowId: string) =>
  withOrgContext(t.db.orm, orgId, (em) =>
    em.execute<AlertRow[]>(
      'select id, breach_count, breaches, recipient_ids, emailed_at from sla_alerts where workflow_id = ? order by created_at',
      [workflowId],
    ),
  );

interface SlaNote {
  kind: string;
  title: string;
  body: string;
  workflowId: string | null;
  executionId: string | null;
  connectionId: string | null;
}

/** The caller's SLA notifications, through the API (GET /v1/notifications). */
const slaNotesOf = async (who: Caller) => {
  const res = await call(who, 'GET', '/v1/notifications');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as SlaNote[]).filter((n) => n.kind === 'workflow.sla_breached');
};

const mailsAbout = (name: string) => smtp.mails.filter((m) => m.text.includes(`"${name}"`));

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_RATE_LIMIT_PER_MINUTE: '100000',
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  smtp = await startSmtpCapture();
  mailer = createMailer({
    smtpUrl: smtp.url,
    from: 'Maestro <alerts@maestro.test>',
    log: silentLog,
  });
  owner = await signUpWithOrg(t.app, 'sla-owner');
  editor = await addMember(t.app, owner, 'sla-editor');
  const readOnly = await createRole(t.app, owner, 'SLA reader', [
    'workflows:read',
    'executions:read',
    'notifications:read',
  ]);
  reader = await addMember(t.app, owner, 'sla-reader', readOnly);
  mutedOne = await addMember(t.app, owner, 'sla-muted');
});

afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await t?.close();
});

describe('SLA alerts', () => {
  it('a slow run gets one alert naming it, in-app and by email; fast runs and muted members none', async () => {
    const { workflowId, base } = await workflowWithSla(owner, 'Slow import', {
      maxDurationSeconds: 60,
    });
    const mute = await call(mutedOne, 'PUT', '/v1/alert-settings', {
      muteAll: false,
      mutedWorkflowIds: [workflowId],
    });
    expect(mute.statusCode, mute.body).toBe(200);
    const slow = await execution(owner, workflowId, {
      status: 'success',
      createdAt: at(base, 1),
      startedAt: at(base, 2),
      finishedAt: at(base, 100),
    });
    // 40 s from creation to finish (in the slow-turnaround index), but only 20 s running.
    await execution(owner, workflowId, {
      status: 'failed',
      createdAt: at(base, 3),
      startedAt: at(base, 23),
      finishedAt: at(base, 43),
    });
    await execution(owner, workflowId, {
      status: 'success',
      createdAt: at(base, 4),
      startedAt: at(base, 4),
      finishedAt: at(base, 5),
    });

    await alertPass(at(base, 200));
    const [alert, ...more] = await alertsOf(owner.orgId, workflowId);
    expect(more).toEqual([]);
    expect(alert?.breach_count).toBe(1);
    expect(alert?.breaches).toEqual([
      { executionId: slow, kind: 'duration', breachedAt: at(base, 62).toISOString() },
    ]);
    expect(alert?.emailed_at).not.toBeNull();
    // Who may edit it (the owner, members with workflows:write), minus the muted member.
    expect(new Set(alert?.recipient_ids)).toEqual(new Set([owner.userId, editor.userId]));

    for (const who of [owner, editor]) {
      const notes = (await slaNotesOf(who)).filter((n) => n.title.includes('"Slow import"'));
      expect(notes.map((n) => n.title)).toEqual([
        'Workflow "Slow import" breached its SLA (1 breach)',
      ]);
      expect(notes[0]?.body).toContain(
        `ran longer than 60 s (since ${at(base, 62).toISOString()}): ${PUBLIC_URL}/v1/executions/${slow}`,
      );
      expect(notes[0]).toMatchObject({ workflowId, executionId: slow, connectionId: null });
    }
    for (const who of [reader, mutedOne])
      expect((await slaNotesOf(who)).filter((n) => n.title.includes('"Slow import"'))).toEqual([]);
    expect(
      mailsAbout('Slow import')
        .map((m) => m.to)
        .sort(),
    ).toEqual([owner.email, editor.email].sort());
    expect(mailsAbout('Slow import')[0]?.text).toContain(`${PUBLIC_URL}/v1/executions/${slow}`);

    // Told once: later passes find nothing new.
    await alertPass(at(base, 400));
    expect(await alertsOf(owner.orgId, workflowId)).toHaveLength(1);
  });

  it('a run still running past its SLA is alerted while running, and not again when it finishes', async () => {
    const { workflowId, base } = await workflowWithSla(owner, 'Long report', {
      maxDurationSeconds: 30,
    });
    const running = await execution(owner, workflowId, {
      status: 'running',
      createdAt: at(base, 1),
      startedAt: at(base, 2),
    });
    // Not yet over the limit: nothing.
    await alertPass(at(base, 20));
    expect(await alertsOf(owner.orgId, workflowId)).toEqual([]);
    await alertPass(at(base, 40));
    const alerts = await alertsOf(owner.orgId, workflowId);
    expect(alerts.map((a) => a.breaches.map((b) => [b.executionId, b.kind]))).toEqual([
      [[running, 'duration']],
    ]);

    await finish(owner, running, at(base, 90));
    await alertPass(at(base, 200));
    await alertPass(at(base, 400));
    expect(await alertsOf(owner.orgId, workflowId)).toHaveLength(1);
    expect(mailsAbout('Long report').filter((m) => m.to === owner.email)).toHaveLength(1);
  });

  it('an execution left pending past the start delay is alerted (workers down, concurrency limit)', async () => {
    const { workflowId, base } = await workflowWithSla(owner, 'Queued sync', {
      maxDurationSeconds: 600,
      maxStartDelaySeconds: 30,
    });
    const stuck = await execution(owner, workflowId, { status: 'pending', createdAt: at(base, 1) });
    // Started late, then ran quickly: also a start-delay breach, found after it finished.
    const late = await execution(owner, workflowId, {
      status: 'success',
      createdAt: at(base, 2),
      startedAt: at(base, 50),
      finishedAt: at(base, 51),
    });
    // Started in time.
    await execution(owner, workflowId, {
      status: 'running',
      createdAt: at(base, 3),
      startedAt: at(base, 10),
    });
    await alertPass(at(base, 120));
    const [alert, ...more] = await alertsOf(owner.orgId, workflowId);
    expect(more).toEqual([]);
    expect(alert?.breaches).toEqual([
      { executionId: late, kind: 'start_delay', breachedAt: at(base, 32).toISOString() },
      { executionId: stuck, kind: 'start_delay', breachedAt: at(base, 31).toISOString() },
    ]);
    const [note] = (await slaNotesOf(editor)).filter((n) => n.title.includes('"Queued sync"'));
    expect(note?.title).toBe('Workflow "Queued sync" breached its SLA (2 breaches)');
    expect(note?.body).toContain('SLA: runs finish within 600 s of starting; start within 30 s');
    expect(note?.body).toContain(`pending longer than 30 s (since ${at(base, 31).toISOString()})`);
    // Still pending later: not told again.
    await alertPass(at(base, 500));
    expect(await alertsOf(owner.orgId, workflowId)).toHaveLength(1);
  });

  it('two schedulers racing write each digest once (a new cursor, then an existing one)', async () => {
    const { workflowId, base } = await workflowWithSla(owner, 'Raced SLA', {
      maxDurationSeconds: 10,
    });
    await execution(owner, workflowId, {
      status: 'running',
      createdAt: at(base, 1),
      startedAt: at(base, 1),
    });
    const second = await openOrm({ databaseUrl: t.db.url, poolSize: 5 });
    const race = (now: Date) =>
      Promise.all(Array.from({ length: 8 }, (_, i) => alertPass(now, i % 2 ? second : t.db.orm)));
    try {
      await race(at(base, 30));
      await execution(owner, workflowId, {
        status: 'success',
        createdAt: at(base, 40),
        startedAt: at(base, 40),
        finishedAt: at(base, 80),
      });
      await race(at(base, 30 + 61));
    } finally {
      await second.close(true);
    }
    expect((await alertsOf(owner.orgId, workflowId)).map((a) => a.breach_count)).toEqual([1, 1]);
    expect(
      mailsAbout('Raced SLA')
        .map((m) => m.to)
        .sort(),
    ).toEqual(
      [owner.email, owner.email, editor.email, editor.email, mutedOne.email, mutedOne.email].sort(),
    );
  });

  it('the scheduler role finds a breach on its own, once across two scheduler processes', async () => {
    const { workflowId } = await workflowWithSla(owner, 'Scheduled SLA', {
      maxDurationSeconds: 60,
    });
    // Set an hour ago, a run started five minutes ago: over the limit now, in real time.
    await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(
        `update workflow_slas set created_at = now() - interval '1 hour' where workflow_id = ?`,
        [workflowId],
      ),
    );
    const now = Date.now();
    const running = await execution(owner, workflowId, {
      status: 'running',
      createdAt: new Date(now - 300 * SECOND),
      startedAt: new Date(now - 300 * SECOND),
    });
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
      await eventually(async () => (mailsAbout('Scheduled SLA').length >= 3 ? true : undefined));
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await http.close();
      await second.close(true);
    }
    const alerts = await alertsOf(owner.orgId, workflowId);
    expect(alerts.map((a) => a.breaches.map((b) => b.executionId))).toEqual([[running]]);
    expect(
      mailsAbout('Scheduled SLA')
        .map((m) => m.to)
        .sort(),
    ).toEqual([owner.email, editor.email, mutedOne.email].sort());
  });

  it('keeps organizations apart: another organization sees nothing and cannot reach the SLA', async () => {
    const other = await signUpWithOrg(t.app, 'sla-other');
    const ours = await workflowWithSla(owner, 'Ours SLA', { maxDurationSeconds: 10 });
    const theirs = await workflowWithSla(other, 'Theirs SLA', { maxDurationSeconds: 10 });
    for (const [who, w] of [
      [owner, ours],
      [other, theirs],
    ] as const)
      await execution(who, w.workflowId, {
        status: 'running',
        createdAt: at(w.base, 1),
        startedAt: at(w.base, 1),
      });
    await alertPass(at(theirs.base, 60));
    expect((await slaNotesOf(other)).map((n) => n.title)).toEqual([
      'Workflow "Theirs SLA" breached its SLA (1 breach)',
    ]);
    expect((await slaNotesOf(owner)).some((n) => n.title.includes('Theirs SLA'))).toBe(false);
    expect(mailsAbout('Theirs SLA').map((m) => m.to)).toEqual([other.email]);
    expect(mailsAbout('Ours SLA').some((m) => m.to === other.email)).toBe(false);
    // Under org B's context, org A's SLAs and alerts do not exist (RLS).
    const seen = await withOrgContext(t.db.orm, other.orgId, (em) =>
      em.execute<{ workflow_id: string }[]>(
        'select workflow_id from sla_alerts union all select workflow_id from workflow_slas',
      ),
    );
    expect(seen.map((row) => row.workflow_id)).toEqual([theirs.workflowId, theirs.workflowId]);
    // Org B's owner naming org A's workflow in their own organization: 404, as if absent.
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await call(other, method, `/v1/workflows/${ours.workflowId}/sla`, {
        ...(method === 'PUT' ? { maxDurationSeconds: 60 } : {}),
      });
      expect(res.statusCode, `${method} ${res.body}`).toBe(404);
    }
  });
});

describe('SLA alerts with the in-process worker', () => {
  it('a slow run is alerted while it runs, the run held back by the concurrency limit while pending; once', async () => {
    const live = await signUpWithOrg(t.app, 'sla-live');
    // One run at a time, and the slow HTTP server on 127.0.0.1 allowed. Runs take 14 s: the
    // pass at 10 s finds the first still running with seconds to spare on a loaded machine.
    await withSystemContext(t.db.orm, (em) =>
      em.execute(
        'update organizations set concurrency_limit = 1, allow_private_network = true where id = ?',
        [live.orgId],
      ),
    );
    const slow = createServer((req, res) => {
      const timer = setTimeout(() => res.writeHead(200).end('{"slow":true}'), 14_000);
      req.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
    const mq = await createTestBroker();
    const stack = startExecutionStack({
      orm: t.db.orm,
      broker: mq.broker,
      listenUrl: t.db.url,
      secretBox: t.app.secretBox,
    });
    try {
      const published = await call(live, 'POST', '/v1/workflows', {
        definition: httpWorkflow(url, 'Live SLA'),
      });
      expect(published.statusCode, published.body).toBe(201);
      const workflowId = published.json().id as string;
      const sla = await call(live, 'PUT', `/v1/workflows/${workflowId}/sla`, {
        maxDurationSeconds: 10,
        maxStartDelaySeconds: 10,
      });
      expect(sla.statusCode, sla.body).toBe(200);
      const start = async () => {
        const res = await call(live, 'POST', `/v1/workflows/${workflowId}/executions`, {
          input: {},
        });
        expect(res.statusCode, res.body).toBe(202);
        return res.json().id as string;
      };
      const first = await start();
      await waitForStatus(t.db.orm, first, ['running']);
      const second = await start();
      // Both limits crossed, as the worker and the API wrote the times: one pass tells both.
      const [times] = await withOrgContext(t.db.orm, live.orgId, (em) =>
        em.execute<{ started: string; created: string; second_status: string }[]>(
          `select a.started_at as started, b.created_at as created, b.status as second_status
             from executions a, executions b where a.id = ? and b.id = ?`,
          [first, second],
        ),
      );
      expect(times?.second_status).toBe('pending');
      const crossed =
        Math.max(new Date(times!.started).getTime(), new Date(times!.created).getTime()) +
        10 * SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, crossed - Date.now() + 50)));
      const passAt = new Date();
      await alertPass(passAt);
      const states = await withOrgContext(t.db.orm, live.orgId, (em) =>
        em.execute<{ status: string }[]>(
          'select status from executions where id in (?, ?) order by created_at',
          [first, second],
        ),
      );
      // Still running and still pending when they were told.
      expect(states.map((r) => r.status)).toEqual(['running', 'pending']);
      const [alert, ...more] = await alertsOf(live.orgId, workflowId);
      expect(more).toEqual([]);
      expect(alert?.breaches.map((b) => [b.executionId, b.kind]).sort()).toEqual(
        [
          [first, 'duration'],
          [second, 'start_delay'],
        ].sort(),
      );
      expect(mailsAbout('Live SLA').map((m) => m.to)).toEqual([live.email]);

      // Cancel the queued one; let the slow one finish: neither is told again.
      expect((await call(live, 'POST', `/v1/executions/${second}/cancel`)).statusCode).toBe(202);
      await waitForStatus(t.db.orm, first, ['success', 'failed'], 15_000);
      await waitForStatus(t.db.orm, second, ['canceled'], 15_000);
      await alertPass(new Date(Math.max(Date.now(), passAt.getTime() + TIMING.windowMs + SECOND)));
      expect(await alertsOf(live.orgId, workflowId)).toHaveLength(1);
    } finally {
      await stack.stop();
      await mq.drop();
      await new Promise((resolve) => slow.close(resolve));
    }
  }, 40_000);
});

describe('SLA breach queries', () => {
  /** The plans of the queries a function runs (EXPLAIN in front of each), seq scans made last resort. */
  const plansOf = (run: (em: EntityManager) => Promise<unknown>) =>
    withSystemContext(t.db.orm, async (em) => {
      await em.execute('set local enable_seqscan = off');
      const plans: string[] = [];
      const explaining = {
        execute: async (sql: string, params: unknown[]) => {
          const rows = await em.execute<{ 'QUERY PLAN': string }[]>(`explain ${sql}`, params);
          plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
          return [];
        },
      } as unknown as EntityManager;
      await run(explaining);
      return plans;
    });

  it('read executions through indexes only: running/pending by status, finished by the slow-turnaround index', async () => {
    const now = new Date();
    const bounds = { now, from: new Date(now.getTime() - 3_600_000), to: now, dueBefore: now };
    const plans = [
      ...(await plansOf((em) => findWorkflowsWithBreaches(em, bounds, 100))),
      ...(await plansOf((em) => breachesBetween(em, newId(), bounds.from, now))),
    ];
    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      // With seq scans off, one still appears when no index can answer a branch.
      expect(plan).not.toMatch(/Seq Scan on executions/);
      expect(plan).toContain('executions_status_created_at_index');
      expect(plan).toContain('executions_slow_turnaround_idx');
    }
  });
});

describe('SLA settings', () => {
  it('validate with JSON paths, replace whole, are audited, and go away with DELETE', async () => {
    const res = await call(owner, 'POST', '/v1/workflows', {
      definition: webhookWorkflow('Settings SLA'),
    });
    const workflowId = res.json().id as string;
    const url = `/v1/workflows/${workflowId}/sla`;
    const none = await call(owner, 'GET', url);
    expect(none.statusCode).toBe(404);
    expect(none.json().detail).toBe('SLA of this workflow not found');

    const bad = await call(owner, 'PUT', url, {
      maxDurationSeconds: 5,
      maxStartDelaySeconds: 1.5,
      maxQueue: 3,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json().errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      '',
      'maxDurationSeconds',
      'maxStartDelaySeconds',
    ]);
    const tooLong = await call(owner, 'PUT', url, { maxDurationSeconds: 86_401 });
    expect(tooLong.json().errors).toEqual([
      { path: 'maxDurationSeconds', message: 'must be at most 86400 seconds (a day)' },
    ]);
    const missing = await call(owner, 'PUT', url, { maxStartDelaySeconds: 60 });
    expect((missing.json().errors as { path: string }[]).map((e) => e.path)).toEqual([
      'maxDurationSeconds',
    ]);

    const set = await call(editor, 'PUT', url, {
      maxDurationSeconds: 120,
      maxStartDelaySeconds: 30,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({
      workflowId,
      maxDurationSeconds: 120,
      maxStartDelaySeconds: 30,
    });
    // Replaced whole: a body without the delay clears it.
    const replaced = await call(owner, 'PUT', url, { maxDurationSeconds: 90 });
    expect(replaced.json()).toMatchObject({ maxDurationSeconds: 90, maxStartDelaySeconds: null });
    expect((await call(reader, 'GET', url)).json()).toMatchObject({ maxDurationSeconds: 90 });

    const events = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ actor_user_id: string; details: unknown }[]>(
        `select actor_user_id, details from audit_events where action = 'workflow.sla_changed' and target_id = ? order by at, id`,
        [workflowId],
      ),
    );
    expect(events.map((e) => e.details)).toEqual([
      { before: null, after: { maxDurationSeconds: 120, maxStartDelaySeconds: 30 } },
      {
        before: { maxDurationSeconds: 120, maxStartDelaySeconds: 30 },
        after: { maxDurationSeconds: 90, maxStartDelaySeconds: null },
      },
    ]);
    expect(events[0]?.actor_user_id).toBe(editor.userId);

    const removed = await call(owner, 'DELETE', url);
    expect(removed.statusCode).toBe(204);
    expect((await call(owner, 'GET', url)).statusCode).toBe(404);
  });

  it('need the right to edit the workflow, and respect workflow sharing', async () => {
    const res = await call(owner, 'POST', '/v1/workflows', {
      definition: webhookWorkflow('Shared SLA'),
    });
    const workflowId = res.json().id as string;
    const url = `/v1/workflows/${workflowId}/sla`;
    expect((await call(owner, 'PUT', url, { maxDurationSeconds: 60 })).statusCode).toBe(200);
    // A role without workflows:write reads but cannot set.
    expect((await call(reader, 'GET', url)).statusCode).toBe(200);
    expect((await call(reader, 'PUT', url, { maxDurationSeconds: 30 })).statusCode).toBe(403);
    expect((await call(reader, 'DELETE', url)).statusCode).toBe(403);

    const shared = await call(owner, 'PUT', `/v1/workflows/${workflowId}/access`, {
      restricted: true,
      members: [{ userId: mutedOne.userId, access: 'view' }],
    });
    expect(shared.statusCode, shared.body).toBe(200);
    // Not named on the restricted workflow: it does not exist for them.
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const body = method === 'PUT' ? { maxDurationSeconds: 30 } : undefined;
      expect((await call(editor, method, url, body)).statusCode).toBe(404);
    }
    // Shared for view: reads, but setting needs edit.
    expect((await call(mutedOne, 'GET', url)).statusCode).toBe(200);
    const denied = await call(mutedOne, 'PUT', url, { maxDurationSeconds: 30 });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toBe(
      'this workflow is shared with you for view only; edit is needed',
    );
  });
});
