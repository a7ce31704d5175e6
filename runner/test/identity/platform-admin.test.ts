import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { URI, type TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TWO_FACTOR_REQUIRED_TYPE } from '../../../shared/src/contracts/runner-api';
import { withSystemContext } from '../../src/db/org-context';
import {
  createTestApp,
  signUp,
  signUpWithOrg,
  type TestApp,
  type TestUser,
} from '../support/test-app';

const BIN = fileURLToPath(new URL('../../bin/maestro-runner.mjs', import.meta.url));
const PASSWORD = 'correct horse battery';

let t: TestApp;
let admin: TestUser;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
beforeAll(async () => {
  t = await createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  admin = await signUp(t.app, 'admin');
  owner = await signUpWithOrg(t.app, 'owner');
});
afterAll(() => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const ADMIN_ROUTES = [
  { method: 'GET', url: '/v1/admin/organizations' },
  { method: 'GET', url: '/v1/admin/users' },
  { method: 'GET', url: '/v1/admin/audit-events' },
  { method: 'POST', url: () => `/v1/admin/users/${owner.userId}/disable` },
  { method: 'POST', url: () => `/v1/admin/users/${owner.userId}/enable` },
] as const;
const call = (route: (typeof ADMIN_ROUTES)[number], headers: Record<string, string> = {}) =>
  t.app.inject({
    method: route.method,
    url: typeof route.url === 'function' ? route.url() : route.url,
    headers,
  });

/** `maestro-runner <args>` as an operator runs it, against this test's database. */
const cli = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.db.url,
      MAESTRO_AUTO_MIGRATE: 'false',
    },
  });

async function enableTotp(user: TestUser): Promise<TOTP> {
  const enrol = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/enrol',
    headers: bearer(user.accessToken),
    payload: { password: PASSWORD },
  });
  const totp = URI.parse(enrol.json().otpauthUri) as TOTP;
  const confirm = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/confirm',
    headers: bearer(user.accessToken),
    payload: { code: totp.generate() },
  });
  expect(confirm.statusCode).toBe(200);
  return totp;
}

describe('platform administration', () => {
  it('is refused to anonymous callers, API keys, owners and organization admins', async () => {
    const key = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: owner.headers,
        payload: { name: 'k' },
      })
    ).json().key;
    await withSystemContext(t.db.orm, (em) =>
      em.execute(`update memberships set role = 'admin' where user_id = ?`, [owner.userId]),
    );
    for (const route of ADMIN_ROUTES) {
      expect((await call(route)).statusCode).toBe(401);
      expect((await call(route, bearer(key))).statusCode).toBe(403);
      const asOwner = await call(route, owner.headers);
      expect(asOwner.statusCode).toBe(403);
      expect(asOwner.json()).toMatchObject({
        type: 'https://maestro.dev/problems/403',
        detail: expect.stringMatching(/platform administrators/),
      });
    }
    await withSystemContext(t.db.orm, (em) =>
      em.execute(`update memberships set role = 'owner' where user_id = ?`, [owner.userId]),
    );
  });

  it('is granted by `maestro-runner grant-admin`, and answers only once the admin has 2FA', async () => {
    const granted = await cli('grant-admin', admin.email.toUpperCase());
    expect(granted.stdout).toContain(`${admin.email.toUpperCase()} is a platform administrator`);
    await expect(cli('grant-admin', 'nobody@example.test')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no user with the email nobody@example.test'),
    });
    for (const route of ADMIN_ROUTES) {
      const res = await call(route, bearer(admin.accessToken));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        type: TWO_FACTOR_REQUIRED_TYPE,
        detail: expect.stringMatching(/two-factor/),
      });
    }
    const totp = await enableTotp(admin);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: {
        email: admin.email,
        password: PASSWORD,
        totp: totp.generate({ timestamp: Date.now() + 30_000 }),
      },
    });
    admin.accessToken = login.json().accessToken;

    const orgs = await call(ADMIN_ROUTES[0], bearer(admin.accessToken));
    expect(orgs.statusCode).toBe(200);
    expect(orgs.json().items).toEqual([
      expect.objectContaining({ id: owner.orgId, name: "owner's org", members: 1, planId: 'free' }),
    ]);
    const users = await t.app.inject({
      url: `/v1/admin/users?email=${encodeURIComponent(admin.email)}`,
      headers: bearer(admin.accessToken),
    });
    expect(users.json().items).toEqual([
      expect.objectContaining({
        id: admin.userId,
        platformAdmin: true,
        twoFactor: true,
        disabledAt: null,
      }),
    ]);
    const all = await call(ADMIN_ROUTES[1], bearer(admin.accessToken));
    expect(
      all
        .json()
        .items.map((u: { id: string }) => u.id)
        .sort(),
    ).toEqual([admin.userId, owner.userId].sort());
  }, 120_000); // each CLI call starts a process (tsx): ~15 s on a busy machine

  it('disables an account: sessions revoked, tokens and sign-in refused, until enabled again', async () => {
    const victim = await signUp(t.app, 'victim');
    const headers = bearer(admin.accessToken);
    const disable = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/users/${victim.userId}/disable`,
      headers,
    });
    expect(disable.statusCode).toBe(200);
    expect(disable.json().disabledAt).toEqual(expect.any(String));

    const me = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: bearer(victim.accessToken),
      payload: { name: 'x' },
    });
    expect(me.statusCode).toBe(401);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: victim.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    const login = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: victim.email, password: PASSWORD },
      });
    const refused = await login();
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toBe('wrong email or password');

    const self = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/users/${admin.userId}/disable`,
      headers,
    });
    expect(self.statusCode).toBe(409);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/users/00000000-0000-7000-8000-000000000000/disable',
      headers,
    });
    expect(unknown.statusCode).toBe(404);

    const enable = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/users/${victim.userId}/enable`,
      headers,
    });
    expect(enable.json()).toEqual({ id: victim.userId, disabledAt: null });
    expect((await login()).statusCode).toBe(200);

    // The platform trail has the admin's actions and the victim's sign-ins (no organization).
    const trail = await t.app.inject({
      url: `/v1/admin/audit-events?target=${victim.userId}`,
      headers,
    });
    expect(trail.json().items.map((e: { action: string }) => e.action)).toEqual([
      'auth.login_succeeded',
      'user.enabled',
      'auth.login_failed',
      'user.disabled',
      'auth.login_succeeded',
      'auth.registered',
    ]);
    expect(trail.json().items[1]).toMatchObject({
      actorUserId: admin.userId,
      organizationId: null,
    });
    const orgTrail = await t.app.inject({
      url: `/v1/admin/audit-events?organization=${owner.orgId}&action=organization.*`,
      headers,
    });
    expect(orgTrail.json().items.map((e: { action: string }) => e.action)).toEqual([
      'organization.created',
    ]);
  });

  it('is taken back by `maestro-runner revoke-admin`', async () => {
    await cli('revoke-admin', admin.email);
    // The flag is cached for up to 5 s per process, like memberships.
    await new Promise((r) => setTimeout(r, 5_100));
    expect((await call(ADMIN_ROUTES[0], bearer(admin.accessToken))).statusCode).toBe(403);
  }, 120_000); // each CLI call starts a process (tsx): ~15 s on a busy machine
});
