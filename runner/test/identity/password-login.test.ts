import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUp, type TestApp } from '../support/test-app';

let t: TestApp;
const sent: { to: string; subject: string; text: string }[] = [];
beforeAll(async () => {
  t = await createTestApp(
    { MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' },
    {
      mailer: { send: async (mail) => void sent.push(mail) },
      identity: { throttle: { maxPerAccount: 3, maxPerIp: 6 } },
    },
  );
});
afterAll(() => t?.close());

const email = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.test`;
const login = (body: object, remoteAddress = '203.0.113.1') =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: body, remoteAddress });

describe('password policy', () => {
  it('refuses common, short and email-based passwords at register with a problem naming /password', async () => {
    for (const password of [
      'Password1234',
      'qwertyuiop',
      'iloveyou2024',
      'short1!',
      'aaaaabbbbbaaaa',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email: email('weak'), password, name: 'weak' },
      });
      expect(res.statusCode, password).toBe(400);
      expect(res.json().errors?.[0]?.path ?? res.json().detail, password).toMatch(/password/);
    }
    const address = email('johnsmith');
    const own = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: address, password: `${address.split('@')[0]}!x`, name: 'j' },
    });
    expect(own.statusCode).toBe(400);
    expect(own.json().errors[0].message).toMatch(/email/);
  });

  it('accepts a long uncommon password', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: email('strong'), password: 'violet staple orbit 42', name: 's' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('refuses a common password at reset too, and the link stays usable', async () => {
    const user = await signUp(t.app, 'resetter');
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: user.email },
    });
    const mail = sent.findLast((m) => m.to === user.email)!;
    const token = new URL(/https?:\/\/\S+/.exec(mail.text)![0]).searchParams.get('token')!;
    const weak = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/reset',
      payload: { token, password: 'password123' },
    });
    expect(weak.statusCode).toBe(400);
    const good = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/reset',
      payload: { token, password: 'a much better passphrase' },
    });
    expect(good.statusCode).toBe(200);
  });
});

describe('login throttling', () => {
  it('answers unknown emails and wrong passwords identically', async () => {
    const user = await signUp(t.app, 'same');
    const wrong = await login({ email: user.email, password: 'not it at all' }, '198.51.100.7');
    const unknown = await login(
      { email: email('ghost'), password: 'not it at all' },
      '198.51.100.7',
    );
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('locks an account after 3 failures with 429 + Retry-After, even for the right password', async () => {
    const user = await signUp(t.app, 'locked');
    for (let i = 0; i < 3; i++)
      expect(
        (await login({ email: user.email, password: `wrong ${i} guess` }, `192.0.2.${i}`))
          .statusCode,
      ).toBe(401);
    const res = await login({ email: user.email, password: 'correct horse battery' }, '192.0.2.9');
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().detail).toMatch(/retry in \d+ s/);
    // An unknown email locks the same way: the lock reveals nothing.
    const ghost = email('ghost');
    for (let i = 0; i < 3; i++)
      await login({ email: ghost, password: 'whatever it is' }, `192.0.2.${20 + i}`);
    expect(
      (await login({ email: ghost, password: 'whatever it is' }, '192.0.2.30')).statusCode,
    ).toBe(429);
  });

  it('a success resets the account counter', async () => {
    const user = await signUp(t.app, 'reset-counter');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++)
        await login({ email: user.email, password: 'nope nope nope' }, '10.9.0.1');
      expect(
        (await login({ email: user.email, password: 'correct horse battery' }, '10.9.0.2'))
          .statusCode,
      ).toBe(200);
    }
  });

  it('locks an IP spraying many accounts, not other IPs', async () => {
    const ip = '203.0.113.77';
    for (let i = 0; i < 6; i++)
      await login({ email: email(`spray${i}`), password: 'Summer2026!' }, ip);
    const fresh = email('fresh');
    const blocked = await login({ email: fresh, password: 'Summer2026!' }, ip);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect(
      (await login({ email: fresh, password: 'Summer2026!' }, '203.0.113.78')).statusCode,
    ).toBe(401);
  });
});

describe('logout', () => {
  it('revokes the refresh token and its whole family; unknown tokens also get 204', async () => {
    const user = await signUp(t.app, 'bye');
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(rotated.statusCode).toBe(200);
    const current = rotated.json().refreshToken as string;
    const out = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      payload: { refreshToken: current },
    });
    expect(out.statusCode).toBe(204);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: current },
    });
    expect(again.statusCode).toBe(401);
    const [row] = await t.db.orm.em
      .fork()
      .execute(
        'select count(*)::int as live from refresh_tokens where user_id = ? and revoked_at is null',
        [user.userId],
      );
    expect(row.live).toBe(0);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      payload: { refreshToken: 'mrt_not_a_real_token' },
    });
    expect(unknown.statusCode).toBe(204);
  });

  it('logout-all ends every session of the user and needs a user token', async () => {
    const user = await signUp(t.app, 'everywhere');
    const second = await login(
      { email: user.email, password: 'correct horse battery' },
      '10.7.0.1',
    );
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout-all' })).statusCode).toBe(
      401,
    );
    const out = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout-all',
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(out.statusCode).toBe(204);
    for (const refreshToken of [user.refreshToken, second.json().refreshToken]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        payload: { refreshToken },
      });
      expect(res.statusCode).toBe(401);
    }
  });
});
