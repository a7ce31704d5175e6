import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { waitForStatus } from '../support/execution-fixtures';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';
import { createTestBroker, type TestBroker } from '../support/test-broker';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;

let t: TestApp;
let app: FastifyInstance;
let mq: TestBroker;
let stack: ExecutionStack;
let oauth: OAuth2TestServer;

beforeAll(async () => {
  [t, mq, oauth] = await Promise.all([createTestApp(), createTestBroker(), startOAuth2Server()]);
  app = t.app;
  stack = startExecutionStack({
    orm: t.db.orm,
    broker: mq.broker,
    listenUrl: t.db.url,
    secretBox: app.secretBox,
  });
});

afterAll(async () => {
  await stack?.stop();
  await oauth?.close();
  await mq?.drop();
  await t?.close();
});

beforeEach(() => {
  oauth.mode = 'normal';
  oauth.apiRejectsAll = false;
  oauth.delayMs = 0;
});

async function ownerWithLocalAccess(name: string): Promise<Owner> {
  const owner = await signUpWithOrg(app, name);
  await withSystemContext(t.db.orm, (em) =>
    em.execute('update organizations set allow_private_network = true where id = ?', [owner.orgId]),
  );
  return owner;
}

/** An OAuth 2.0 connection whose pasted access token expired a minute ago. */
async function expiredConnection(owner: Owner, name: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/connections',
    headers: owner.headers,
    payload: {
      name,
      kind: 'oauth2',
      oauth2: {
        tokenUrl: oauth.tokenUrl,
        grant: 'refresh_token',
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
        clientAuth: 'body',
        refreshToken: oauth.consent(),
        accessToken: 'stale-access-token',
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  // Not the scheduler's: this file tests the worker's own refresh.
  await withSystemContext(t.db.orm, (em) =>
    em.execute('update connections set refresh_due_at = null where id = ?', [res.json().id]),
  );
  return res.json() as { id: string };
}

async function publishCall(owner: Owner, connection: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: owner.headers,
    payload: {
      definition: {
        format: 'maestro/workflow@1',
        name: `call with ${connection}`,
        nodes: [
          { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
          {
            id: 'call',
            type: 'action.http',
            config: { method: 'GET', url: oauth.apiUrl, auth: { connection } },
          },
        ],
        edges: [{ from: 'hook', to: 'call' }],
      },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function run(owner: Owner, workflowId: string) {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/workflows/${workflowId}/executions`,
    headers: owner.headers,
    payload: { input: {} },
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().id as string;
}

/** Everything stored about a run: result, step outputs and errors, log lines. */
async function storedText(id: string): Promise<string> {
  const [row] = await withSystemContext(t.db.orm, (em) =>
    em.execute<{ text: string }[]>(
      `select coalesce((select result::text from executions where id = ?), '') ||
              coalesce((select string_agg(coalesce(output::text, '') || coalesce(error::text, ''), ' ') from execution_steps where execution_id = ?), '') ||
              coalesce((select string_agg(message, ' ') from execution_logs where execution_id = ?), '') as text`,
      [id, id, id],
    ),
  );
  return row?.text ?? '';
}

describe('OAuth 2.0 connections: inline refresh in a worker run', () => {
  it('a run finding the token expired refreshes it once, then calls the API with the new one', async () => {
    const owner = await ownerWithLocalAccess('inline');
    await expiredConnection(owner, 'crm');
    const wf = await publishCall(owner, 'crm');
    const before = oauth.tokenRequests.length;
    const apiBefore = oauth.apiCalls.length;
    const id = await run(owner, wf);
    const done = await waitForStatus(t.db.orm, id, ['success', 'failed'], 20_000);
    expect(done.status, JSON.stringify(done.result)).toBe('success');
    expect(oauth.tokenRequests.slice(before).map((r) => r.grant)).toEqual(['refresh_token']);
    const calls = oauth.apiCalls.slice(apiBefore);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.status).toBe(200);
    expect(calls[0]!.authorization).toMatch(/^Bearer at-/);

    const listed = await app.inject({ url: '/v1/connections', headers: owner.headers });
    const crm = (listed.json().items as { name: string; expiresAt: string; status: string }[]).find(
      (c) => c.name === 'crm',
    );
    expect(crm?.status).toBe('ok');
    expect(new Date(crm!.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const text = await storedText(id);
    expect(text).toContain('[redacted]');
    for (const secret of [...oauth.secrets(), 'stale-access-token'])
      expect(text).not.toContain(secret);
    const read = await app.inject({ url: `/v1/executions/${id}`, headers: owner.headers });
    for (const secret of oauth.secrets()) expect(read.body).not.toContain(secret);
  });

  it('runs that find the same expired token at once refresh it once (single flight across the row lock)', async () => {
    const owner = await ownerWithLocalAccess('together');
    await expiredConnection(owner, 'shared');
    const wf = await publishCall(owner, 'shared');
    oauth.delayMs = 300;
    const before = oauth.tokenRequests.length;
    const ids = await Promise.all([1, 2, 3, 4].map(() => run(owner, wf)));
    for (const id of ids) {
      const done = await waitForStatus(t.db.orm, id, ['success', 'failed'], 20_000);
      expect(done.status, JSON.stringify(done.result)).toBe('success');
    }
    expect(oauth.tokenRequests.length - before).toBe(1);
  });

  it('a 401 from the API with a freshly refreshed token fails the step; no refresh loop', async () => {
    const owner = await ownerWithLocalAccess('rejected');
    await expiredConnection(owner, 'strict-api');
    const wf = await publishCall(owner, 'strict-api');
    oauth.apiRejectsAll = true;
    const before = oauth.tokenRequests.length;
    const apiBefore = oauth.apiCalls.length;
    const id = await run(owner, wf);
    const done = await waitForStatus(t.db.orm, id, ['success', 'failed'], 20_000);
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done.result)).toMatch(/401/);
    expect(oauth.tokenRequests.length - before).toBe(1);
    expect(oauth.apiCalls.length - apiBefore).toBeGreaterThanOrEqual(1);
    for (const secret of oauth.secrets()) expect(await storedText(id)).not.toContain(secret);
  });

  it('a revoked grant fails the run with a clear error and marks the connection', async () => {
    const owner = await ownerWithLocalAccess('revoked');
    const { id: connectionId } = await expiredConnection(owner, 'gone');
    const wf = await publishCall(owner, 'gone');
    oauth.mode = 'invalid_grant';
    const id = await run(owner, wf);
    const done = await waitForStatus(t.db.orm, id, ['success', 'failed'], 20_000);
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done.result)).toMatch(/needs to be authorized again/);
    const one = await app.inject({
      url: `/v1/connections/${connectionId}`,
      headers: owner.headers,
    });
    expect(one.json()).toMatchObject({ status: 'needs_reauthorization' });
    // The next run does not ask the token endpoint again.
    const before = oauth.tokenRequests.length;
    const next = await run(owner, wf);
    expect((await waitForStatus(t.db.orm, next, ['success', 'failed'], 20_000)).status).toBe(
      'failed',
    );
    expect(oauth.tokenRequests.length).toBe(before);
    for (const secret of oauth.secrets()) expect(await storedText(id)).not.toContain(secret);
  });
});
