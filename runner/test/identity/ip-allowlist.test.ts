import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';

let t: TestApp;
let proxied: TestApp;
beforeAll(async () => {
  [t, proxied] = await Promise.all([
    createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' }),
    createTestApp({ MAESTRO_TRUSTED_PROXIES: '10.0.0.1, fd00::/8' }),
  ]);
});
afterAll(async () => {
  await Promise.all([t?.close(), proxied?.close()]);
});

const OFFICE = '198.51.100.20';

async function ownerWithOrg(app = t.app) {
  // Sign-up happens from the office address (inject's default is 127.0.0.1; the lists below name it).
  return signUpWithOrg(app, 'ipowner');
}

describe('per-organization IP allowlists', () => {
  it('validates entries, refuses a list that would lock the caller out, and audits changes', async () => {
    const owner = await ownerWithOrg();
    const url = `/v1/organizations/${owner.orgId}/ip-allowlist`;
    const bad = await t.app.inject({
      method: 'PUT',
      url,
      headers: owner.headers,
      payload: { api: ['10.0.0.0/33'], webhooks: ['nope'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'api[0]',
      'webhooks[0]',
    ]);
    const lockout = await t.app.inject({
      method: 'PUT',
      url,
      headers: owner.headers,
      remoteAddress: OFFICE,
      payload: { api: ['203.0.113.0/24'], webhooks: null },
    });
    expect(lockout.statusCode).toBe(400);
    expect(lockout.json().detail).toMatch(OFFICE);
    const ok = await t.app.inject({
      method: 'PUT',
      url,
      headers: owner.headers,
      remoteAddress: OFFICE,
      payload: { api: ['198.51.100.0/24', '2001:db8::/32'], webhooks: ['192.0.2.0/24'] },
    });
    expect(ok.statusCode).toBe(200);
    const read = await t.app.inject({ url, headers: owner.headers, remoteAddress: OFFICE });
    expect(read.json()).toEqual({
      api: ['198.51.100.0/24', '2001:db8::/32'],
      webhooks: ['192.0.2.0/24'],
    });
    const audit = await t.app.inject({
      url: '/v1/audit-events',
      headers: owner.headers,
      remoteAddress: OFFICE,
    });
    expect(JSON.stringify(audit.json())).toContain('organization.ip_allowlist_changed');
  });

  it('enforces the API list for IPv4, IPv6 and IPv4-mapped clients; other organizations are unaffected', async () => {
    const owner = await ownerWithOrg();
    await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/ip-allowlist`,
      headers: owner.headers,
      remoteAddress: OFFICE,
      payload: { api: ['198.51.100.0/24', '2001:db8::/32'], webhooks: null },
    });
    const call = (remoteAddress: string, headers = owner.headers) =>
      t.app.inject({ url: '/v1/workflows', headers, remoteAddress });
    expect((await call(OFFICE)).statusCode).toBe(200);
    expect((await call(`::ffff:${OFFICE}`)).statusCode).toBe(200);
    expect((await call('2001:db8:5::1')).statusCode).toBe(200);
    const denied = await call('203.0.113.9');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toMatch(
      /203\.0\.113\.9 is not in this organization's API IP allowlist/,
    );
    expect((await call('2001:db9::1')).statusCode).toBe(403);
    const other = await ownerWithOrg();
    expect((await call('203.0.113.9', other.headers)).statusCode).toBe(200);
  });

  it('enforces the webhook list separately from the API list', async () => {
    const owner = await ownerWithOrg();
    const published = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: owner.headers,
      payload: { definition: webhookWorkflow() },
    });
    const token = published.json().webhook.token as string;
    await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/ip-allowlist`,
      headers: owner.headers,
      payload: { api: null, webhooks: ['192.0.2.0/24'] },
    });
    const hook = (remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: `/v1/hooks/${token}`, payload: { a: 1 }, remoteAddress });
    expect((await hook('192.0.2.44')).statusCode).toBe(202);
    const denied = await hook('198.51.100.20');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toMatch(/webhook's IP allowlist/);
    // The API itself is open to that address (no API list).
    expect(
      (
        await t.app.inject({
          url: '/v1/workflows',
          headers: owner.headers,
          remoteAddress: '203.0.113.1',
        })
      ).statusCode,
    ).toBe(200);
  });
});

describe('trusted proxies (MAESTRO_TRUSTED_PROXIES)', () => {
  it('believes X-Forwarded-For only from a listed proxy', async () => {
    const owner = await ownerWithOrg(proxied.app);
    await proxied.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/ip-allowlist`,
      headers: { ...owner.headers, 'x-forwarded-for': OFFICE },
      remoteAddress: '10.0.0.1',
      payload: { api: ['198.51.100.0/24'], webhooks: null },
    });
    const via = (remoteAddress: string, forwardedFor: string) =>
      proxied.app.inject({
        url: '/v1/workflows',
        headers: { ...owner.headers, 'x-forwarded-for': forwardedFor },
        remoteAddress,
      });
    expect((await via('10.0.0.1', OFFICE)).statusCode).toBe(200);
    expect((await via('fd00::7', OFFICE)).statusCode).toBe(200);
    // A client spoofing the header directly is judged by its own address.
    expect((await via('203.0.113.50', OFFICE)).statusCode).toBe(403);
    expect((await via('10.0.0.1', '203.0.113.50')).statusCode).toBe(403);
  });
});
