import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { openOrm, type MikroORM } from '../../src/db/orm';
import type { OrganizationAllowlists } from '../../src/identity/ip-allowlist';
import type { AccountStatus } from '../../src/modules/admin/platform-admins';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import { signUpPlatformAdmin } from '../support/platform-admin';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';
import { WatchedCache } from '../support/watched-cache';

/**
 * Two API processes on one database: A takes the change (or it is made in SQL), B had the
 * account status or the IP allowlist cached for 10 minutes. B must refuse on the request right
 * after the invalidation reaches it — the test waits for that event, never for a TTL.
 */
let t: TestApp;
let a: FastifyInstance;
let b: FastifyInstance;
let bOrm: MikroORM;
let accounts: WatchedCache<AccountStatus>;
let allowlists: WatchedCache<OrganizationAllowlists>;

beforeAll(async () => {
  t = await createTestApp();
  a = t.app;
  bOrm = await openOrm({ databaseUrl: t.db.url, poolSize: 3 });
  b = await buildServer({ config: t.config, orm: bOrm, logger: false, metrics: createMetrics() });
  await b.ready();
  accounts = new WatchedCache(10 * 60_000);
  allowlists = new WatchedCache(10 * 60_000);
  b.credentialCache.accounts = accounts;
  b.credentialCache.ipAllowlists = allowlists;
});

afterAll(async () => {
  await b?.close();
  await bOrm?.close(true);
  await t?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/v1/users/me', headers: bearer(token) });
const sql = (query: string, params: unknown[]) =>
  withSystemContext(t.db.orm, (em) => em.execute(query, params));

describe('account status across API processes', () => {
  it('an account disabled through A is refused by B on its next request, and enabled again', async () => {
    const admin = await signUpPlatformAdmin(a, t.db.orm);
    const user = await signUp(a, 'disabled');
    expect((await me(b, user.accessToken)).statusCode).toBe(200);
    expect((await me(b, user.accessToken)).statusCode).toBe(200); // from B's cache

    let cleared = accounts.clearedFor(user.userId);
    const disabled = await a.inject({
      method: 'POST',
      url: `/v1/admin/users/${user.userId}/disable`,
      headers: bearer(admin.accessToken),
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    await cleared;
    const refused = await me(b, user.accessToken);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toBe('this account is disabled');

    cleared = accounts.clearedFor(user.userId);
    const enabled = await a.inject({
      method: 'POST',
      url: `/v1/admin/users/${user.userId}/enable`,
      headers: bearer(admin.accessToken),
    });
    expect(enabled.statusCode, enabled.body).toBe(200);
    await cleared;
    expect((await me(b, user.accessToken)).statusCode).toBe(200);
  });

  it('an account disabled by hand in SQL is refused too (the trigger covers every write path)', async () => {
    const user = await signUp(a, 'sql-disabled');
    expect((await me(b, user.accessToken)).statusCode).toBe(200);
    const cleared = accounts.clearedFor(user.userId);
    await sql('update users set disabled_at = now() where id = ?', [user.userId]);
    await cleared;
    expect((await me(b, user.accessToken)).statusCode).toBe(401);
  });

  it('a platform administrator flag taken back in SQL closes /v1/admin on B', async () => {
    const admin = await signUpPlatformAdmin(a, t.db.orm);
    const list = () =>
      b.inject({ method: 'GET', url: '/v1/admin/users', headers: bearer(admin.accessToken) });
    expect((await list()).statusCode).toBe(200);
    const cleared = accounts.clearedFor(admin.userId);
    await sql('update users set platform_admin = false where id = ?', [admin.userId]);
    await cleared;
    expect((await list()).statusCode).toBe(403);
  });
});

describe('IP allowlists across API processes', () => {
  it('an allowlist set through A refuses an outside address on B at once; cleared in SQL, B lets it in again', async () => {
    const owner = await signUpWithOrg(a, 'allowlisted');
    const fromOutside = () =>
      b.inject({
        method: 'GET',
        url: '/v1/workflows',
        headers: owner.headers,
        remoteAddress: '203.0.113.7',
      });
    expect((await fromOutside()).statusCode).toBe(200);
    expect((await fromOutside()).statusCode).toBe(200); // B has "no list" cached

    let cleared = allowlists.clearedFor(owner.orgId);
    const put = await a.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/ip-allowlist`,
      headers: owner.headers,
      payload: { api: ['127.0.0.1/32'], webhooks: null },
    });
    expect(put.statusCode, put.body).toBe(200);
    await cleared;
    const refused = await fromOutside();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain("203.0.113.7 is not in this organization's API IP");

    cleared = allowlists.clearedFor(owner.orgId);
    await sql('update organizations set api_ip_allowlist = null where id = ?', [owner.orgId]);
    await cleared;
    expect((await fromOutside()).statusCode).toBe(200);
  });
});
