import { scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';

let t: TestApp;
const sent: { to: string; subject: string; text: string }[] = [];
beforeAll(async () => {
  t = await createTestApp(
    { MAESTRO_PUBLIC_URL: 'https://maestro.example.test' },
    { mailer: { send: async (mail) => void sent.push(mail) } },
  );
});
afterAll(() => t?.close());

describe('auth: register, login, refresh', () => {
  it('registers, logs in with a 15-minute JWT that carries a kid, and reads /v1/users/me', async () => {
    const user = await signUp(t.app, 'alice');
    const [header] = user.accessToken.split('.');
    const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString());
    expect(decoded).toMatchObject({ alg: 'HS256', kid: t.config.jwt.kid });
    const payload = JSON.parse(
      Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString(),
    );
    expect(payload.exp - payload.iat).toBe(900);
    const me = await t.app.inject({
      url: '/v1/users/me',
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: user.userId, email: user.email, emailVerified: false });
  });

  it('stores a scrypt hash, never the password', async () => {
    const user = await signUp(t.app, 'hash');
    const [row] = await t.db.orm.em
      .fork()
      .execute('select password_hash from users where id = ?', [user.userId]);
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row.password_hash).not.toContain('correct horse');
  });

  it('upgrades a hash made with older, cheaper parameters at the next login', async () => {
    const user = await signUp(t.app, 'rehash');
    const password = 'correct horse battery'; // signUp's
    // The same password hashed with N=1024, as an older release might have stored it.
    const salt = Buffer.alloc(16, 7);
    const key = scryptSync(password, salt, 64, { N: 1024, r: 8, p: 1 });
    const old = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    const em = t.db.orm.em.fork();
    await em.execute('update users set password_hash = ? where id = ?', [old, user.userId]);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password },
    });
    expect(login.statusCode).toBe(200);
    const [row] = await em.execute('select password_hash from users where id = ?', [user.userId]);
    expect(row!.password_hash).toMatch(/^scrypt\$16384\$8\$/);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password },
    });
    expect(again.statusCode).toBe(200);
  });

  it('refuses a duplicate email (case-insensitive) with 409', async () => {
    const user = await signUp(t.app, 'dup');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: user.email.toUpperCase(), password: 'another password', name: 'x' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('answers a wrong password with 401 problem+json', async () => {
    const user = await signUp(t.app, 'wrong');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'not the password' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      detail: 'wrong email or password',
    });
  });

  it('rotates refresh tokens and revokes the family when a used one is replayed', async () => {
    const user = await signUp(t.app, 'refresh');
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(first.statusCode).toBe(200);
    const rotated = first.json().refreshToken as string;
    expect(rotated).not.toBe(user.refreshToken);

    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(replay.statusCode).toBe(401);
    // The replay revoked the whole family: the newest token no longer works either.
    const after = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: rotated },
    });
    expect(after.statusCode).toBe(401);
  });

  it('rejects missing, malformed and forged credentials with 401', async () => {
    expect((await t.app.inject({ url: '/v1/users/me' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/v1/users/me', headers: { authorization: 'Basic x' } }))
        .statusCode,
    ).toBe(401);
    const user = await signUp(t.app, 'forge');
    const [h, p] = user.accessToken.split('.');
    const forged = `${h}.${p}.${'A'.repeat(43)}`;
    const res = await t.app.inject({
      url: '/v1/users/me',
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('creates an organization whose creator is its owner', async () => {
    const owner = await signUpWithOrg(t.app, 'bob');
    const res = await t.app.inject({
      url: `/v1/organizations/${owner.orgId}/users`,
      headers: owner.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ id: owner.userId, email: owner.email, role: 'owner' }),
    ]);
    const mine = await t.app.inject({
      url: '/v1/organizations',
      headers: { authorization: owner.headers.authorization },
    });
    expect(mine.json().items).toEqual([{ id: owner.orgId, name: "bob's org", role: 'owner' }]);
  });

  it('sends a verification link on register; the token verifies the address once it is used', async () => {
    const user = await signUp(t.app, 'verify');
    const mail = sent.find((m) => m.to === user.email);
    expect(mail?.text).toMatch(/https:\/\/maestro\.example\.test\/verify-email\?token=/);
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail!.text)![1]!);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/verify-email',
      payload: { token: `${token}x` },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/verify-email',
      payload: { token },
    });
    expect(ok.statusCode).toBe(200);
    const me = await t.app.inject({
      url: '/v1/users/me',
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(me.json().emailVerified).toBe(true);
  });

  it('resets a forgotten password once, ending every session; unknown emails look the same', async () => {
    const user = await signUp(t.app, 'forgot');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: 'nobody@example.test' },
    });
    expect(unknown.statusCode).toBe(202);
    const asked = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: user.email },
    });
    expect(asked.statusCode).toBe(202);
    const mail = sent.find((m) => m.to === user.email && m.subject.includes('Reset'));
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail!.text)![1]!);
    const reset = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/password/reset',
        payload: { token, password: 'a brand new passphrase' },
      });
    expect((await reset()).statusCode).toBe(200);
    expect((await reset()).statusCode).toBe(400); // single use: the password hash changed
    const oldRefresh = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(oldRefresh.statusCode).toBe(401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'a brand new passphrase' },
    });
    expect(login.statusCode).toBe(200);
  });
});
