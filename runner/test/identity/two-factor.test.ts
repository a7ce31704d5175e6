import { Secret, TOTP, URI } from 'otpauth';
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

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => t?.close());

const PASSWORD = 'correct horse battery';
const bearer = (user: { accessToken: string }) => ({ authorization: `Bearer ${user.accessToken}` });
const login = (email: string, totp?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email, password: PASSWORD, ...(totp === undefined ? {} : { totp }) },
  });

/** Enrols and confirms TOTP for a user; returns the authenticator and the recovery codes. */
async function enableTotp(user: TestUser) {
  const enrol = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/enrol',
    headers: bearer(user),
    payload: { password: PASSWORD },
  });
  expect(enrol.statusCode).toBe(201);
  const { secret, otpauthUri } = enrol.json() as { secret: string; otpauthUri: string };
  const totp = URI.parse(otpauthUri) as TOTP;
  expect(totp).toMatchObject({ issuer: 'Maestro', label: user.email, digits: 6, period: 30 });
  expect(totp.secret.base32).toBe(secret);
  const confirm = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/confirm',
    headers: bearer(user),
    payload: { code: totp.generate() },
  });
  expect(confirm.statusCode).toBe(200);
  return { totp, secret, recoveryCodes: confirm.json().recoveryCodes as string[] };
}

describe('TOTP two-factor authentication', () => {
  it('enrols, refuses a wrong confirming code, and stores the secret sealed', async () => {
    const user = await signUp(t.app, 'enrol');
    const noPassword = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/enrol',
      headers: bearer(user),
      payload: { password: 'not my password' },
    });
    expect(noPassword.statusCode).toBe(401);
    const enrol = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/enrol',
      headers: bearer(user),
      payload: { password: PASSWORD },
    });
    const { secret } = enrol.json();
    const wrongCode = new TOTP({ secret: Secret.fromBase32(secret) }).generate({
      timestamp: Date.now() - 10 * 60_000,
    });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/confirm',
      headers: bearer(user),
      payload: { code: wrongCode },
    });
    expect(wrong.statusCode).toBe(400);
    const [row] = await withSystemContext(t.db.orm, (em) =>
      em.execute('select secret_enc, enabled_at from user_totp where user_id = ?', [user.userId]),
    );
    expect(row.enabled_at).toBeNull();
    expect(row.secret_enc).not.toContain(secret);
    // Until confirmed, login does not ask for a code.
    expect((await login(user.email)).statusCode).toBe(200);
  });

  it('requires the code at login once enabled; a code is accepted once', async () => {
    const user = await signUp(t.app, 'totp');
    const { totp, recoveryCodes } = await enableTotp(user);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    const missing = await login(user.email);
    expect(missing.statusCode).toBe(401);
    expect(missing.json().detail).toMatch(/totp/);
    const old = totp.generate({ timestamp: Date.now() - 5 * 60_000 });
    expect((await login(user.email, old)).statusCode).toBe(401);

    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    const ok = await login(user.email, next);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().accessToken).toBeTruthy();
    const replay = await login(user.email, next);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().detail).toMatch(/already used/);

    const status = await t.app.inject({ url: '/v1/auth/2fa', headers: bearer(user) });
    expect(status.json()).toEqual({ enabled: true, recoveryCodesLeft: 10 });
  });

  it('accepts each recovery code once, then disables with a code', async () => {
    const user = await signUp(t.app, 'recovery');
    const { recoveryCodes } = await enableTotp(user);
    const code = recoveryCodes[3]!;
    expect((await login(user.email, code.toUpperCase())).statusCode).toBe(200);
    expect((await login(user.email, code)).statusCode).toBe(401);
    const [row] = await withSystemContext(t.db.orm, (em) =>
      em.execute('select count(*)::int as n from recovery_codes where hash = ?', [code]),
    );
    expect(row.n).toBe(0); // stored hashed

    const wrongDisable = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/disable',
      headers: bearer(user),
      payload: { code: 'zzzzzzzzzz' },
    });
    expect(wrongDisable.statusCode).toBe(401);
    const disable = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/disable',
      headers: bearer(user),
      payload: { code: recoveryCodes[0] },
    });
    expect(disable.statusCode).toBe(200);
    expect((await login(user.email)).statusCode).toBe(200);
  });

  it('locks code guessing at disable after 5 wrong codes (429 + Retry-After)', async () => {
    const user = await signUp(t.app, 'guesser');
    await enableTotp(user);
    const disable = (code: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/2fa/disable',
        headers: bearer(user),
        payload: { code },
      });
    for (let i = 0; i < 5; i++) expect((await disable(`00000${i}`)).statusCode).toBe(401);
    const locked = await disable('000009');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('confines an admin without 2FA to the enrolment routes', async () => {
    const admin = await signUpWithOrg(t.app, 'admin');
    await withSystemContext(t.db.orm, (em) =>
      em.execute(`update memberships set role = 'admin' where user_id = ?`, [admin.userId]),
    );
    const blocked = await t.app.inject({ url: '/v1/workflows', headers: admin.headers });
    expect(blocked.statusCode).toBe(403);
    // Told apart from other 403s (a role's) by its type, so clients need not read the wording.
    expect(blocked.json()).toMatchObject({ type: TWO_FACTOR_REQUIRED_TYPE, status: 403 });
    expect(blocked.json().detail).toMatch(/two-factor/);
    const { totp } = await enableTotp(admin);
    const relogin = await login(admin.email, totp.generate({ timestamp: Date.now() + 30_000 }));
    const headers = { ...admin.headers, authorization: `Bearer ${relogin.json().accessToken}` };
    expect((await t.app.inject({ url: '/v1/workflows', headers })).statusCode).toBe(200);
    // An owner is not gated.
    const owner = await signUpWithOrg(t.app, 'owner');
    expect((await t.app.inject({ url: '/v1/workflows', headers: owner.headers })).statusCode).toBe(
      200,
    );
  });
});
