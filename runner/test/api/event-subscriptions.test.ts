import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { addMember } from '../support/team';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';

type Caller = { headers: Record<string, string> };

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let other: Awaited<ReturnType<typeof signUpWithOrg>>;
let member: Caller;
let workflowId: string;
let otherWorkflowId: string;

const call = (
  who: Caller,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) => t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

const RECEIVER = 'https://hooks.example.test/maestro';

async function subscribe(who: Caller, body: object = {}) {
  const res = await call(who, 'POST', '/v1/event-subscriptions', {
    url: RECEIVER,
    eventTypes: ['execution.failed'],
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string } & Record<string, unknown>;
}

const pathsOf = (res: { json(): { errors?: { path: string }[] } }) =>
  (res.json().errors ?? []).map((e) => e.path);

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_RATE_LIMIT_PER_MINUTE: '100000',
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  owner = await signUpWithOrg(t.app, 'owner');
  other = await signUpWithOrg(t.app, 'other');
  member = await addMember(t.app, owner, 'member');
  const wf = await call(owner, 'POST', '/v1/workflows', { definition: webhookWorkflow('A') });
  workflowId = wf.json().id as string;
  const otherWf = await call(other, 'POST', '/v1/workflows', { definition: webhookWorkflow('B') });
  otherWorkflowId = otherWf.json().id as string;
});

afterAll(async () => {
  await t?.close();
});

describe('event subscriptions API', () => {
  it('shows the signing secret on create only, and keeps it sealed at rest', async () => {
    const created = await subscribe(owner, {
      eventTypes: ['execution.succeeded', 'execution.failed', 'execution.failed'],
      workflowIds: [workflowId],
      description: 'CRM sync',
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({
      url: RECEIVER,
      eventTypes: ['execution.succeeded', 'execution.failed'],
      workflowIds: [workflowId],
      description: 'CRM sync',
      enabled: true,
      disabledReason: null,
    });
    const one = await call(owner, 'GET', `/v1/event-subscriptions/${created.id}`);
    const list = await call(owner, 'GET', '/v1/event-subscriptions');
    const patched = await call(owner, 'PATCH', `/v1/event-subscriptions/${created.id}`, {
      description: 'renamed',
    });
    for (const res of [one, list, patched]) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain(created.secret);
      expect(res.body).not.toContain('"secret"');
    }
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(created.id);
    const [row] = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ secret_enc: string }[]>(
        'select secret_enc from event_subscriptions where id = ?',
        [created.id],
      ),
    );
    expect(row?.secret_enc.startsWith('v1.')).toBe(true);
    expect(row?.secret_enc).not.toContain(created.secret.slice(6));

    const rotated = await call(
      owner,
      'POST',
      `/v1/event-subscriptions/${created.id}/rotate-secret`,
    );
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(created.secret);
    const again = await call(owner, 'GET', `/v1/event-subscriptions/${created.id}`);
    expect(again.body).not.toContain(rotated.json().secret);
  });

  it('refuses bad input with the JSON path of each problem', async () => {
    const cases: [object, string[]][] = [
      [{ url: 'ftp://example.test/x', eventTypes: ['execution.failed'] }, ['url']],
      [{ url: 'http://hooks.example.test/x', eventTypes: ['execution.failed'] }, ['url']],
      [{ url: 'https://u:p@hooks.example.test/', eventTypes: ['execution.failed'] }, ['url']],
      [{ url: 'not a url', eventTypes: ['execution.failed'] }, ['url']],
      [{ url: RECEIVER, eventTypes: [] }, ['eventTypes']],
      [{ url: RECEIVER, eventTypes: ['execution.started'] }, ['eventTypes[0]']],
      [
        { url: RECEIVER, eventTypes: ['execution.failed'], workflowIds: ['nope'] },
        ['workflowIds[0]'],
      ],
      [{ url: RECEIVER, eventTypes: ['execution.failed'], workflowIds: [] }, ['workflowIds']],
      [{ url: RECEIVER, eventTypes: ['execution.failed'], secret: 'mine' }, ['']],
      [{ eventTypes: ['execution.failed'] }, ['url']],
    ];
    for (const [body, paths] of cases) {
      const res = await call(owner, 'POST', '/v1/event-subscriptions', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      for (const path of paths.filter(Boolean)) expect(pathsOf(res), res.body).toContain(path);
    }
    // Another organization's workflow is not a workflow of this one.
    const foreign = await call(owner, 'POST', '/v1/event-subscriptions', {
      url: RECEIVER,
      eventTypes: ['execution.failed'],
      workflowIds: [workflowId, otherWorkflowId],
    });
    expect(foreign.statusCode, foreign.body).toBe(400);
    expect(pathsOf(foreign)).toEqual(['workflowIds[1]']);
    const created = await subscribe(owner);
    const empty = await call(owner, 'PATCH', `/v1/event-subscriptions/${created.id}`, {});
    expect(empty.statusCode).toBe(400);
    const badPatch = await call(owner, 'PATCH', `/v1/event-subscriptions/${created.id}`, {
      url: 'http://10.0.0.1/x',
      enabled: 'yes',
    });
    expect(badPatch.statusCode).toBe(400);
    expect(pathsOf(badPatch)).toEqual(expect.arrayContaining(['url', 'enabled']));
  });

  it("keeps each organization's subscriptions to itself (404 elsewhere) and from members (403)", async () => {
    const mine = await subscribe(owner);
    const urls = [
      ['GET', `/v1/event-subscriptions/${mine.id}`],
      ['PATCH', `/v1/event-subscriptions/${mine.id}`, { enabled: false }],
      ['DELETE', `/v1/event-subscriptions/${mine.id}`],
      ['POST', `/v1/event-subscriptions/${mine.id}/rotate-secret`],
      ['GET', `/v1/event-subscriptions/${mine.id}/deliveries`],
    ] as const;
    for (const [method, url, body] of urls) {
      expect((await call(other, method, url, body)).statusCode, `${method} ${url}`).toBe(404);
      expect((await call(member, method, url, body)).statusCode, `${method} ${url}`).toBe(403);
    }
    const theirs = await call(other, 'GET', '/v1/event-subscriptions');
    expect(theirs.json().items.map((s: { id: string }) => s.id)).not.toContain(mine.id);
    const still = await call(owner, 'GET', `/v1/event-subscriptions/${mine.id}`);
    expect(still.json().enabled).toBe(true);
    const unknown = await call(owner, 'GET', '/v1/event-subscriptions/not-an-id');
    expect(unknown.statusCode).toBe(400);
  });

  it('changes, disables and deletes a subscription, each audited', async () => {
    const sub = await subscribe(owner);
    const patched = await call(owner, 'PATCH', `/v1/event-subscriptions/${sub.id}`, {
      eventTypes: ['workflow.disabled', 'execution.canceled'],
      workflowIds: null,
      enabled: false,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      eventTypes: ['workflow.disabled', 'execution.canceled'],
      workflowIds: null,
      enabled: false,
    });
    const deleted = await call(owner, 'DELETE', `/v1/event-subscriptions/${sub.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await call(owner, 'GET', `/v1/event-subscriptions/${sub.id}`)).statusCode).toBe(404);
    expect((await call(owner, 'DELETE', `/v1/event-subscriptions/${sub.id}`)).statusCode).toBe(404);
    const audit = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ action: string; actor_user_id: string }[]>(
        'select action, actor_user_id from audit_events where target_id = ? order by id',
        [sub.id],
      ),
    );
    expect(audit.map((a) => a.action)).toEqual([
      'event_subscription.created',
      'event_subscription.updated',
      'event_subscription.deleted',
    ]);
    expect(new Set(audit.map((a) => a.actor_user_id))).toEqual(new Set([owner.userId]));
  });
});
