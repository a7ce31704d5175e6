import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { openOrm, type MikroORM } from '../../src/db/orm';
import { TtlCache } from '../../src/http/ttl-cache';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import { eventually } from '../support/execution-fixtures';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';

/**
 * Two API processes on one database: A takes the change, B had the credential
 * cached. B's cache lives 10 minutes here, so only the invalidation sent at
 * commit (not expiry) can make B refuse within the test.
 */
let t: TestApp;
let a: FastifyInstance;
let b: FastifyInstance;
let bOrm: MikroORM;

beforeAll(async () => {
  t = await createTestApp();
  a = t.app;
  bOrm = await openOrm({ databaseUrl: t.db.url, poolSize: 3 });
  b = await buildServer({ config: t.config, orm: bOrm, logger: false, metrics: createMetrics() });
  await b.ready();
  b.credentialCache.apiKeys = new TtlCache(10 * 60_000);
  b.credentialCache.memberships = new TtlCache(10 * 60_000);
});

afterAll(async () => {
  await b?.close();
  await bOrm?.close(true);
  await t?.close();
});

async function createKey(owner: Awaited<ReturnType<typeof signUpWithOrg>>) {
  const res = await a.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: owner.headers,
    payload: { name: 'ci' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; key: string };
}

const listWorkflows = (app: FastifyInstance, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: '/v1/workflows', headers });

describe('revocation across API processes', () => {
  it('an API key revoked through A is refused by B, which had it cached', async () => {
    const owner = await signUpWithOrg(a);
    const { id, key } = await createKey(owner);
    const auth = { authorization: `Bearer ${key}` };
    expect((await listWorkflows(b, auth)).statusCode).toBe(200);
    expect((await listWorkflows(b, auth)).statusCode).toBe(200); // served from B's cache

    const revoke = await a.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${id}`,
      headers: owner.headers,
    });
    expect(revoke.statusCode).toBe(200);
    await eventually(
      async () => ((await listWorkflows(b, auth)).statusCode === 401 ? true : undefined),
      15_000,
      'B to refuse the revoked key',
    );
    expect((await listWorkflows(a, auth)).statusCode).toBe(401);
  });

  it('a key revoked by hand in SQL is refused too (the trigger covers every write path)', async () => {
    const owner = await signUpWithOrg(a);
    const { id, key } = await createKey(owner);
    const auth = { authorization: `Bearer ${key}` };
    expect((await listWorkflows(b, auth)).statusCode).toBe(200);
    await withSystemContext(t.db.orm, (em) =>
      em.execute('update api_keys set revoked_at = now() where id = ?', [id]),
    );
    await eventually(
      async () => ((await listWorkflows(b, auth)).statusCode === 401 ? true : undefined),
      15_000,
      'B to refuse the key revoked in SQL',
    );
  });

  it('a member removed through A loses access through B', async () => {
    const owner = await signUpWithOrg(a);
    const user = await signUp(a, 'leaver');
    const added = await a.inject({
      method: 'POST',
      url: `/v1/organizations/${owner.orgId}/users`,
      headers: owner.headers,
      payload: { email: user.email, role: 'member' },
    });
    expect(added.statusCode, added.body).toBe(201);
    const headers = {
      authorization: `Bearer ${user.accessToken}`,
      'x-organization-id': owner.orgId,
    };
    expect((await listWorkflows(b, headers)).statusCode).toBe(200);

    const removed = await a.inject({
      method: 'DELETE',
      url: `/v1/organizations/${owner.orgId}/users/${user.userId}`,
      headers: owner.headers,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    await eventually(
      async () => ((await listWorkflows(b, headers)).statusCode === 404 ? true : undefined),
      15_000,
      'B to refuse the removed member',
    );
  });
});
