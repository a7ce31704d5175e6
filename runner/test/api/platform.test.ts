import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionSecretContext } from '../../src/crypto/contexts';
import { withOrgContext } from '../../src/db/org-context';
import {
  createTestApp,
  signUp,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
} from '../support/test-app';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let brokerUp = true;

// A route that fails like a bug would, to check 5xx details stay hidden.
async function boomRoutes(app: FastifyInstance) {
  app.get('/v1/test/boom', { config: { access: 'public' } }, async () => {
    throw new Error('secret internal detail: db password is hunter2');
  });
}

beforeAll(async () => {
  t = await createTestApp(
    { MAESTRO_BODY_LIMIT_BYTES: '4096', MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' },
    {
      routes: [boomRoutes],
      checkBroker: async () => {
        if (!brokerUp) throw new Error('broker connection closed');
      },
    },
  );
  owner = await signUpWithOrg(t.app, 'owner');
});
afterAll(() => t?.close());

describe('connections: secrets are write-only and encrypted at rest', () => {
  it('stores AES-256-GCM ciphertext, never returns the secret, and opens with the key', async () => {
    const secret = 'tok_live_4f9a8b7c6d5e';
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: owner.headers,
      payload: {
        name: 'crm',
        kind: 'http',
        config: { baseUrl: 'https://crm.example' },
        secrets: { token: secret },
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(secret);
    const body = res.json();
    expect(body.connection).toMatchObject({ name: 'crm', secretFields: ['token'] });

    const list = await t.app.inject({ url: '/v1/connections', headers: owner.headers });
    expect(list.body).not.toContain(secret);
    expect(list.json().items[0].secretFields).toEqual(['token']);

    const [row] = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute('select id, secret_enc from connections where name = ?', ['crm']),
    );
    expect(row.secret_enc).not.toContain(secret);
    expect(row.secret_enc).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(t.app.secretBox.openJson(row.secret_enc, connectionSecretContext(row.id))).toEqual({
      token: secret,
    });

    const audit = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute("select details::text as d from audit_events where action = 'connection.created'"),
    );
    expect(audit[0].d).not.toContain(secret);
  });

  it('replaces secrets without returning them', async () => {
    const created = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/connections',
        headers: owner.headers,
        payload: { name: 'basic', secrets: { username: 'u', password: 'p4ss-w0rd-xyz' } },
      })
    ).json();
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/connections/${created.id}/secrets`,
      headers: owner.headers,
      payload: { secrets: { token: 'new-token-value-123' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('new-token-value-123');
    expect(res.json().secretFields).toEqual(['token']);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/v1/connections/${created.id}`,
      headers: owner.headers,
    });
    expect(removed.statusCode).toBe(204);
    const names = (await t.app.inject({ url: '/v1/connections', headers: owner.headers }))
      .json()
      .items.map((c: { name: string }) => c.name);
    expect(names).not.toContain('basic');
    const connectors = (
      await t.app.inject({ url: '/v1/connectors', headers: owner.headers })
    ).json().items;
    expect(connectors).toEqual([
      expect.objectContaining({
        name: 'crm',
        kind: 'http',
        config: { baseUrl: 'https://crm.example' },
      }),
    ]);
  });
});

describe('API keys and roles', () => {
  it('creates a key shown once, stores only its hash, authenticates with it, and revokes it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'ci', scopes: ['workflows:read', 'workflows:write', 'executions:run'] },
    });
    expect(res.statusCode).toBe(201);
    const { key, id, prefix } = res.json();
    expect(key).toMatch(/^mk_[0-9a-f]{8}_/);
    expect(key.startsWith(prefix)).toBe(true);
    const rows = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute('select hash from api_keys where id = ?', [id]),
    );
    expect(rows[0].hash).not.toContain(key.slice(12));

    const listed = await t.app.inject({ url: '/v1/api-keys', headers: owner.headers });
    expect(listed.body).not.toContain(key);

    // The key carries its organization: no X-Organization-Id needed.
    const auth = { authorization: `Bearer ${key}` };
    const publish = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: auth,
      payload: { definition: webhookWorkflow() },
    });
    expect(publish.statusCode).toBe(201);
    // Outside its scopes → 403; naming another organization → 404.
    expect((await t.app.inject({ url: '/v1/api-keys', headers: auth })).statusCode).toBe(403);
    const other = await signUpWithOrg(t.app, 'other');
    expect(
      (
        await t.app.inject({
          url: '/v1/workflows',
          headers: { ...auth, 'x-organization-id': other.orgId },
        })
      ).statusCode,
    ).toBe(404);

    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${id}`,
      headers: owner.headers,
    });
    expect(revoke.json().revokedAt).toEqual(expect.any(String));
    expect((await t.app.inject({ url: '/v1/workflows', headers: auth })).statusCode).toBe(401);
  });

  it('a member builds and runs workflows but cannot manage keys or members (403)', async () => {
    const member = await signUp(t.app, 'member');
    const add = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${owner.orgId}/users`,
      headers: owner.headers,
      payload: { email: member.email, role: 'member' },
    });
    expect(add.statusCode).toBe(201);
    const headers = {
      authorization: `Bearer ${member.accessToken}`,
      'x-organization-id': owner.orgId,
    };
    const publish = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers,
      payload: { definition: webhookWorkflow() },
    });
    expect(publish.statusCode).toBe(201);
    const keys = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers,
      payload: { name: 'x' },
    });
    expect(keys.statusCode).toBe(403);
    expect(keys.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    const promote = await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/users/${member.userId}`,
      headers,
      payload: { role: 'owner' },
    });
    expect(promote.statusCode).toBe(403);
    const lastOwner = await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/users/${owner.userId}`,
      headers: owner.headers,
      payload: { role: 'member' },
    });
    expect(lastOwner.statusCode).toBe(409);
    const remove = await t.app.inject({
      method: 'DELETE',
      url: `/v1/organizations/${owner.orgId}/users/${owner.userId}`,
      headers,
    });
    expect(remove.statusCode).toBe(403);
  });
});

describe('problem+json shapes', () => {
  it('400 lists every error with a path', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'nope', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ type: expect.any(String), title: 'Bad Request', status: 400 });
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'email',
      'name',
      'password',
    ]);
  });

  it('404 for an unknown route, 413 for a body over the limit', async () => {
    const missing = await t.app.inject({ url: '/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not Found' });
    const big = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: owner.headers,
      payload: { definition: { name: 'x'.repeat(10_000) } },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('500 hides the details and keeps a request id', async () => {
    const res = await t.app.inject({
      url: '/v1/test/boom',
      headers: { 'x-request-id': 'req-abc-123' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json()).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(res.headers['x-request-id']).toBe('req-abc-123');
  });
});

describe('rate limiting', () => {
  it('answers 429 problem+json with Retry-After past the auth limit', async () => {
    const limited = await createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const login = () =>
        limited.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: 'a@b.test', password: 'x' },
        });
      expect((await login()).statusCode).toBe(401);
      expect((await login()).statusCode).toBe(401);
      const third = await login();
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    } finally {
      await limited.close();
    }
  });
});

describe('OpenAPI and probes', () => {
  it('serves an OpenAPI 3 document that lists every API route', async () => {
    const res = await t.app.inject({ url: '/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const expected = [
      'POST /v1/auth/register',
      'POST /v1/auth/login',
      'POST /v1/auth/refresh',
      'POST /v1/auth/verify-email',
      'POST /v1/auth/password/forgot',
      'POST /v1/auth/password/reset',
      'GET /v1/users/me',
      'POST /v1/organizations',
      'GET /v1/organizations',
      'GET /v1/organizations/{orgId}/users',
      'POST /v1/organizations/{orgId}/users',
      'DELETE /v1/organizations/{orgId}/users/{userId}',
      'PUT /v1/organizations/{orgId}/users/{userId}',
      'POST /v1/api-keys',
      'GET /v1/api-keys',
      'DELETE /v1/api-keys/{id}',
      'POST /v1/workflows',
      'GET /v1/workflows',
      'GET /v1/workflows/{id}',
      'PUT /v1/workflows/{id}',
      'GET /v1/workflows/{id}/versions',
      'POST /v1/workflows/{id}/enable',
      'POST /v1/workflows/{id}/disable',
      'POST /v1/workflows/{id}/webhook-secret',
      'POST /v1/workflows/{id}/executions',
      'GET /v1/workflows/{id}/executions',
      'GET /v1/executions/{id}',
      'GET /v1/executions/{id}/logs',
      'POST /v1/executions/{id}/cancel',
      'POST /v1/connectors',
      'GET /v1/connectors',
      'POST /v1/connections',
      'GET /v1/connections',
      'PUT /v1/connections/{id}/secrets',
      'DELETE /v1/connections/{id}',
      'POST /v1/hooks/{token}',
      'GET /v1/notifications',
      'POST /v1/notifications/{id}/read',
      'GET /v1/audit-events',
    ];
    for (const op of expected) expect(operations, op).toContain(op);
    const publish = doc.paths['/v1/workflows'].post;
    expect(publish.requestBody.content['application/json'].schema).toBeDefined();
    expect(Object.keys(publish.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403']),
    );
    const docs = await t.app.inject({ url: '/v1/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });

  it('/healthz, /readyz (database + broker) and /metrics', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ database: { ok: true }, broker: { ok: true } });
    brokerUp = false;
    const notReady = await t.app.inject({ url: '/readyz' });
    brokerUp = true;
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().broker).toEqual({ ok: false, error: 'broker connection closed' });
    const wf = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/workflows',
        headers: owner.headers,
        payload: { definition: webhookWorkflow() },
      })
    ).json();
    await t.app.inject({
      method: 'POST',
      url: `/v1/workflows/${wf.id}/executions`,
      headers: owner.headers,
      payload: {},
    });
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('maestro_http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/maestro_executions\{status="pending"\} \d+/);
  });
});

describe('over a real socket', () => {
  it('serves the API on 127.0.0.1 with security headers and CORS for the desktop', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/users/me`, {
      headers: { authorization: `Bearer ${owner.accessToken}`, origin: 'http://localhost:5173' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const foreign = await fetch(`${address}/healthz`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
