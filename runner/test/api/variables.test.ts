import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { newId } from '../../src/db/ids';
import { VARIABLE_LIMITS } from '../../src/modules/variables/schemas';
import { startExecutionStack, type ExecutionStack } from '../support/execution-stack';
import { waitForStatus } from '../support/execution-fixtures';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';
import { createTestBroker, type TestBroker } from '../support/test-broker';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;

let t: TestApp;
let app: FastifyInstance;
let mq: TestBroker;
let stack: ExecutionStack;
let server: Server;
let baseUrl: string;
const received: { url: string; headers: IncomingHttpHeaders }[] = [];
let failNext = 0;

beforeAll(async () => {
  t = await createTestApp();
  app = t.app;
  mq = await createTestBroker();
  stack = startExecutionStack({
    orm: t.db.orm,
    broker: mq.broker,
    listenUrl: t.db.url,
    secretBox: app.secretBox,
  });
  server = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/flaky/') && failNext > 0) {
      failNext--;
      res.writeHead(500).end('try again');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ path: req.url, token: req.headers['x-token'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => server?.close(resolve));
  await mq?.drop();
  await t?.close();
});

const put = (
  who: { headers: Record<string, string> },
  key: string,
  payload: Record<string, unknown>,
) => app.inject({ method: 'PUT', url: `/v1/variables/${key}`, headers: who.headers, payload });
const list = (who: { headers: Record<string, string> }) =>
  app.inject({ method: 'GET', url: '/v1/variables', headers: who.headers });

async function allowLocalCalls(orgId: string) {
  await withSystemContext(t.db.orm, (em) =>
    em.execute('update organizations set allow_private_network = true where id = ?', [orgId]),
  );
}

async function memberOf(owner: Owner) {
  const user = await signUp(app, 'member');
  const added = await app.inject({
    method: 'POST',
    url: `/v1/organizations/${owner.orgId}/users`,
    headers: owner.headers,
    payload: { email: user.email, role: 'member' },
  });
  expect(added.statusCode, added.body).toBe(201);
  return {
    ...user,
    headers: { authorization: `Bearer ${user.accessToken}`, 'x-organization-id': owner.orgId },
  };
}

describe('organization variables: API', () => {
  it('creates (201), replaces (200) and lists variables by key; secret values are never returned', async () => {
    const owner = await signUpWithOrg(app);
    const created = await put(owner, 'CRM_URL', { value: 'https://crm.example.test' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      key: 'CRM_URL',
      value: 'https://crm.example.test',
      secret: false,
      updatedBy: owner.userId,
    });
    const replaced = await put(owner, 'CRM_URL', { value: 'https://crm2.example.test' });
    expect(replaced.statusCode).toBe(200);
    const secret = await put(owner, 'API_TOKEN', { value: 'tok-123456', secret: true });
    expect(secret.statusCode).toBe(201);
    expect(secret.json()).toMatchObject({ key: 'API_TOKEN', value: null, secret: true });

    const read = await list(owner);
    expect(read.statusCode).toBe(200);
    expect(
      read.json().items.map((v: { key: string; value: string | null }) => [v.key, v.value]),
    ).toEqual([
      ['API_TOKEN', null],
      ['CRM_URL', 'https://crm2.example.test'],
    ]);
    expect(read.body).not.toContain('tok-123456');

    // Replacing a secret without restating `secret` keeps it secret.
    const again = await put(owner, 'API_TOKEN', { value: 'tok-654321' });
    expect(again.json()).toMatchObject({ secret: true, value: null });

    // At rest: sealed, not the plain text.
    const [row] = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ value: string }[]>(
        `select value from organization_variables where organization_id = ? and key = 'API_TOKEN'`,
        [owner.orgId],
      ),
    );
    expect(row?.value).not.toContain('tok-654321');
    expect(row?.value.startsWith('v1.')).toBe(true);
  });

  it('deletes a variable (204), then answers 404', async () => {
    const owner = await signUpWithOrg(app);
    await put(owner, 'GONE', { value: 'x' });
    const del = () =>
      app.inject({ method: 'DELETE', url: '/v1/variables/GONE', headers: owner.headers });
    expect((await del()).statusCode).toBe(204);
    const second = await del();
    expect(second.statusCode).toBe(404);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect((await list(owner)).json().items).toEqual([]);
  });

  it('rejects bad keys and bodies with problem+json naming the path', async () => {
    const owner = await signUpWithOrg(app);
    const badKey = await put(owner, '1ABC', { value: 'x' });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().errors[0].path).toBe('params.key');
    const longKey = await put(owner, 'K'.repeat(VARIABLE_LIMITS.keyLength + 1), { value: 'x' });
    expect(longKey.statusCode).toBe(400);
    expect(longKey.json().errors[0]).toMatchObject({ path: 'params.key', message: /at most 64/ });
    const extra = await put(owner, 'OK', { value: 'x', note: 'no' });
    expect(extra.statusCode).toBe(400);
    const notString = await put(owner, 'OK', { value: 42 });
    expect(notString.statusCode).toBe(400);
    expect(notString.json().errors[0].path).toBe('value');
    const tooLong = await put(owner, 'OK', { value: 'x'.repeat(VARIABLE_LIMITS.valueLength + 1) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors[0].path).toBe('value');
    const shortSecret = await put(owner, 'OK', { value: 'abc', secret: true });
    expect(shortSecret.statusCode).toBe(400);
    expect(shortSecret.json().errors[0]).toMatchObject({ path: 'value' });
    expect((await list(owner)).json().items).toEqual([]);
  });

  it(`refuses a variable past ${VARIABLE_LIMITS.perOrganization} per organization with 409`, async () => {
    const owner = await signUpWithOrg(app);
    await withSystemContext(t.db.orm, async (em) => {
      for (let i = 0; i < VARIABLE_LIMITS.perOrganization; i++) {
        await em.execute(
          `insert into organization_variables (id, organization_id, key, value) values (?, ?, ?, 'v')`,
          [newId(), owner.orgId, `V_${i}`],
        );
      }
    });
    const over = await put(owner, 'ONE_MORE', { value: 'x' });
    expect(over.statusCode).toBe(409);
    expect(over.json().detail).toMatch(/most allowed is 200/);
    // Replacing an existing one is still allowed.
    expect((await put(owner, 'V_0', { value: 'y' })).statusCode).toBe(200);
  });

  it('writes audit events without the value', async () => {
    const owner = await signUpWithOrg(app);
    await put(owner, 'AUDITED', { value: 'secret-value-1', secret: true });
    await app.inject({ method: 'DELETE', url: '/v1/variables/AUDITED', headers: owner.headers });
    const rows = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ action: string; target_id: string; details: unknown }[]>(
        `select action, target_id, details from audit_events where organization_id = ? and target_type = 'variable' order by at`,
        [owner.orgId],
      ),
    );
    expect(rows.map((r) => [r.action, r.target_id])).toEqual([
      ['variable.created', 'AUDITED'],
      ['variable.deleted', 'AUDITED'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret-value-1');
  });

  it('members read variables but only owners write them', async () => {
    const owner = await signUpWithOrg(app);
    await put(owner, 'SHARED', { value: 'visible' });
    const member = await memberOf(owner);
    const read = await list(member);
    expect(read.statusCode).toBe(200);
    expect(read.json().items[0]).toMatchObject({ key: 'SHARED', value: 'visible' });
    const write = await put(member, 'SHARED', { value: 'changed' });
    expect(write.statusCode).toBe(403);
    const del = await app.inject({
      method: 'DELETE',
      url: '/v1/variables/SHARED',
      headers: member.headers,
    });
    expect(del.statusCode).toBe(403);
    expect((await list(owner)).json().items[0].value).toBe('visible');
  });

  it("never shows one organization's variables to another", async () => {
    const a = await signUpWithOrg(app, 'a');
    const b = await signUpWithOrg(app, 'b');
    await put(a, 'ONLY_A', { value: 'a-value' });
    expect((await list(b)).json().items).toEqual([]);
    const del = await app.inject({
      method: 'DELETE',
      url: '/v1/variables/ONLY_A',
      headers: b.headers,
    });
    expect(del.statusCode).toBe(404);
    // B naming A's organization is not a member there: 404.
    const cross = await list({ headers: { ...b.headers, 'x-organization-id': a.orgId } });
    expect(cross.statusCode).toBe(404);
    expect((await list(a)).json().items).toHaveLength(1);
  });
});

describe('organization variables: runs', () => {
  async function publish(owner: Owner, definition: Record<string, unknown>) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: owner.headers,
      payload: { definition },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
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

  const callFlow = (name: string) => ({
    format: 'maestro/workflow@1',
    name,
    nodes: [
      { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
      {
        id: 'call',
        type: 'action.http',
        config: {
          method: 'GET',
          url: '{{ env.BASE_URL }}/flaky/{{ env.TOKEN }}',
          headers: { 'x-token': '{{ env.TOKEN }}' },
        },
        retry: { maxAttempts: 2, backoffMs: 10 },
      },
      {
        id: 'shape',
        type: 'transform',
        config: { value: { token: '{{ env.TOKEN }}', base: '{{ env.BASE_URL }}' } },
      },
    ],
    edges: [
      { from: 'hook', to: 'call' },
      { from: 'call', to: 'shape' },
    ],
  });

  it('an HTTP step receives the values; the secret one is redacted from the stored result and logs', async () => {
    const owner = await signUpWithOrg(app, 'runner');
    await allowLocalCalls(owner.orgId);
    await put(owner, 'BASE_URL', { value: baseUrl });
    await put(owner, 'TOKEN', { value: 'sk-live-0123456789', secret: true });
    const wf = await publish(owner, callFlow('env flow'));
    failNext = 1; // the first attempt fails: its retry log line names the URL, token included
    received.length = 0;
    const id = await run(owner, wf.id);
    const done = await waitForStatus(t.db.orm, id, ['success', 'failed']);
    expect(done.status, JSON.stringify(done.result)).toBe('success');

    // The server saw the real value, in the path and the header, on both attempts.
    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(r.url).toBe('/flaky/sk-live-0123456789');
      expect(r.headers['x-token']).toBe('sk-live-0123456789');
    }

    const read = await app.inject({
      method: 'GET',
      url: `/v1/executions/${id}`,
      headers: owner.headers,
    });
    const body = read.json();
    expect(body.steps.shape.output).toEqual({ token: '[redacted]', base: baseUrl });
    expect(body.steps.call.output.body).toEqual({ path: '/flaky/[redacted]', token: '[redacted]' });
    const logs = await app.inject({
      method: 'GET',
      url: `/v1/executions/${id}/logs`,
      headers: owner.headers,
    });
    expect(logs.statusCode).toBe(200);
    expect(logs.body).toContain('/flaky/[redacted] returned 500');
    const stored = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ text: string }[]>(
        `select coalesce((select result::text from executions where id = ?), '') ||
                coalesce((select string_agg(coalesce(output::text, '') || coalesce(error::text, ''), ' ') from execution_steps where execution_id = ?), '') ||
                coalesce((select string_agg(message, ' ') from execution_logs where execution_id = ?), '') as text`,
        [id, id, id],
      ),
    );
    expect(stored[0]?.text).toContain('[redacted]');
    expect(stored[0]?.text).not.toContain('sk-live-0123456789');
  });

  it('a change reaches the next run at once, and runs only see their own organization', async () => {
    const a = await signUpWithOrg(app, 'a-run');
    const b = await signUpWithOrg(app, 'b-run');
    const flow = (name: string) => ({
      format: 'maestro/workflow@1',
      name,
      nodes: [
        { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
        {
          id: 'shape',
          type: 'transform',
          config: { value: { region: 'region={{ env.REGION }}' } },
        },
      ],
      edges: [{ from: 'hook', to: 'shape' }],
    });
    await put(a, 'REGION', { value: 'eu' });
    const wfA = await publish(a, flow('a'));
    const wfB = await publish(b, flow('b'));
    const outputOf = async (owner: Owner, wf: { id: string }) => {
      const done = await waitForStatus(t.db.orm, await run(owner, wf.id), ['success', 'failed']);
      return done.result?.steps.shape?.output;
    };
    expect(await outputOf(a, wfA)).toEqual({ region: 'region=eu' });
    // B has no REGION: a missing value reads as the empty string in a text template.
    expect(await outputOf(b, wfB)).toEqual({ region: 'region=' });
    // Within the cache's lifetime: the NOTIFY from the change drops it in the worker.
    await put(a, 'REGION', { value: 'us' });
    expect(await outputOf(a, wfA)).toEqual({ region: 'region=us' });
  });
});
