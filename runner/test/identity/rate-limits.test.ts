import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm } from '../../src/db/orm';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import {
  createTestApp,
  signUp,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
} from '../support/test-app';

const LIMIT = 6;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    MAESTRO_WEBHOOK_RATE_LIMIT_PER_MINUTE: '3',
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
});
afterAll(() => t?.close());

/** Sends until the first 429 (at most `max` requests); returns how many passed and the refusal. */
async function spend(app: FastifyInstance, request: InjectOptions, max = 50) {
  for (let passed = 0; passed < max; passed++) {
    const res = await app.inject(request);
    if (res.statusCode === 429) return { passed, refused: res };
  }
  throw new Error(`no 429 after ${max} requests`);
}

function expectRateLimited(res: Awaited<ReturnType<FastifyInstance['inject']>>, per: string) {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({
    type: 'https://maestro.dev/problems/429',
    status: 429,
    detail: expect.stringContaining(`per minute per ${per}`),
  });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers['x-ratelimit-remaining']).toBe('0');
}

async function clearWindows() {
  await t.db.orm.em.getConnection().execute('delete from rate_limit_hits');
}

describe('authenticated calls: one budget per user or API key', () => {
  it('counts every access token of a user together, and shows the budget in headers', async () => {
    await clearWindows();
    const owner = await signUpWithOrg(t.app, 'rl-owner');
    const second = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: owner.email, password: 'correct horse battery' },
    });
    const otherToken = second.json().accessToken as string;
    expect(otherToken).not.toBe(owner.accessToken);

    const first = await t.app.inject({ url: '/v1/users/me', headers: owner.headers });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    // Creating the organization was the first request of this user.
    expect(first.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 2));
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);

    const { passed, refused } = await spend(t.app, {
      url: '/v1/users/me',
      headers: { authorization: `Bearer ${otherToken}` },
    });
    expect(passed).toBe(LIMIT - 2);
    expectRateLimited(refused, 'user');
    // The first token shares the spent budget.
    expect((await t.app.inject({ url: '/v1/users/me', headers: owner.headers })).statusCode).toBe(
      429,
    );

    // Another user, and an API key of the same organization, have their own budgets.
    const other = await signUp(t.app, 'rl-other');
    const mine = await t.app.inject({
      url: '/v1/users/me',
      headers: { authorization: `Bearer ${other.accessToken}` },
    });
    expect(mine.statusCode).toBe(200);
  });

  it('gives an API key its own budget, keyed by the key (not the user who made it)', async () => {
    await clearWindows();
    const owner = await signUpWithOrg(t.app, 'rl-keys');
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'ci', scopes: ['workflows:read'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json().key as string;
    const { passed, refused } = await spend(t.app, {
      url: '/v1/workflows',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(passed).toBe(LIMIT);
    expectRateLimited(refused, 'API key');
    // The owner has spent 2 (organization, key): still allowed.
    expect((await t.app.inject({ url: '/v1/workflows', headers: owner.headers })).statusCode).toBe(
      200,
    );
  });

  it('is shared by API processes (counted in PostgreSQL), and starts over when the window has passed', async () => {
    await clearWindows();
    const owner = await signUpWithOrg(t.app, 'rl-shared');
    const orm = await openOrm({ databaseUrl: t.db.url, poolSize: 2 });
    const other = await buildServer({
      config: t.config,
      orm,
      logger: false,
      metrics: createMetrics(),
    });
    try {
      const me = { url: '/v1/users/me', headers: owner.headers };
      for (let i = 0; i < 2; i++) expect((await t.app.inject(me)).statusCode).toBe(200);
      // 1 (organization) + 2 here: the other process has LIMIT - 3 left.
      const { passed, refused } = await spend(other, me);
      expect(passed).toBe(LIMIT - 3);
      expectRateLimited(refused, 'user');
      expect((await t.app.inject(me)).statusCode).toBe(429);

      await t.db.orm.em
        .getConnection()
        .execute(`update rate_limit_hits set window_start = now() - interval '61 seconds'`);
      const again = await other.inject(me);
      expect(again.statusCode).toBe(200);
      expect(again.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
    } finally {
      await other.close();
      await orm.close(true);
    }
  });
});

describe('anonymous calls: one budget per client IP', () => {
  it('limits requests without credentials by IP before authentication, apart from signed-in ones', async () => {
    await clearWindows();
    const user = await signUp(t.app, 'rl-anon');
    const from = (ip: string, headers: Record<string, string> = {}) => ({
      url: '/v1/users/me',
      remoteAddress: ip,
      headers,
    });
    const { passed, refused } = await spend(t.app, from('198.51.100.7'));
    expect(passed).toBe(LIMIT);
    expectRateLimited(refused, 'IP address');
    // Public routes share the IP's anonymous budget.
    expect(
      (await t.app.inject({ url: '/v1/openapi.json', remoteAddress: '198.51.100.7' })).statusCode,
    ).toBe(429);
    // Another IP, and a signed-in user from the same IP, are not held back.
    expect((await t.app.inject(from('198.51.100.8'))).statusCode).toBe(401);
    const signedIn = await t.app.inject(
      from('198.51.100.7', { authorization: `Bearer ${user.accessToken}` }),
    );
    expect(signedIn.statusCode).toBe(200);
  });

  it('counts invalid API keys against the IP, then refuses unknown keys from it before any lookup', async () => {
    await clearWindows();
    const owner = await signUpWithOrg(t.app, 'rl-spray');
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'good', scopes: ['workflows:read'] },
    });
    const good = created.json().key as string;
    const ip = '192.0.2.44';
    // The good key is used once from there first, so this process knows it is valid.
    const goodCall = () =>
      t.app.inject({
        url: '/v1/workflows',
        remoteAddress: ip,
        headers: { authorization: `Bearer ${good}` },
      });
    expect((await goodCall()).statusCode).toBe(200);

    const bad = (n: number) => ({
      url: '/v1/workflows',
      remoteAddress: ip,
      headers: { authorization: `Bearer ${good.slice(0, -6)}${String(n).padStart(6, '0')}` },
    });
    let refused: Awaited<ReturnType<typeof t.app.inject>> | undefined;
    let unauthorized = 0;
    for (let n = 0; n < 20 && !refused; n++) {
      const res = await t.app.inject(bad(n));
      if (res.statusCode === 429) refused = res;
      else {
        expect(res.statusCode).toBe(401);
        unauthorized++;
      }
    }
    // The count is written after each answer, so the refusal comes at the limit or just after it.
    expect(unauthorized).toBeGreaterThanOrEqual(LIMIT);
    expect(unauthorized).toBeLessThanOrEqual(LIMIT + 2);
    expect(refused!.json()).toMatchObject({
      status: 429,
      detail: expect.stringContaining('per IP address'),
    });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    // A known-good key from the same IP, and bad keys from another IP, are not held back.
    expect((await goodCall()).statusCode).toBe(200);
    expect((await t.app.inject({ ...bad(99), remoteAddress: '192.0.2.45' })).statusCode).toBe(401);
  });

  it('does not limit the probes', async () => {
    await clearWindows();
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await t.app.inject({ url: '/healthz', remoteAddress: '198.51.100.9' });
      expect(res.statusCode).toBe(200);
    }
  });
});

describe('webhooks: one budget per token', () => {
  it('answers 429 past MAESTRO_WEBHOOK_RATE_LIMIT_PER_MINUTE for that token only, per process', async () => {
    const owner = await signUpWithOrg(t.app, 'rl-hooks');
    const publish = async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/workflows',
        headers: owner.headers,
        payload: { definition: webhookWorkflow() },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().webhook.token as string;
    };
    const [a, b] = [await publish(), await publish()];
    const hook = (token: string) => ({
      method: 'POST' as const,
      url: `/v1/hooks/${token}`,
      payload: {},
    });
    const { passed, refused } = await spend(t.app, hook(a));
    expect(passed).toBe(3);
    expectRateLimited(refused, 'webhook token');
    expect((await t.app.inject(hook(b))).statusCode).toBe(202);

    // Counted in the process (the hot path keeps no shared counter): another API process has its own.
    const other = await buildServer({
      config: t.config,
      orm: t.db.orm,
      logger: false,
      metrics: createMetrics(),
    });
    try {
      expect((await other.inject(hook(a))).statusCode).toBe(202);
    } finally {
      await other.close();
    }
  });
});

describe('auth routes: per IP and route', () => {
  it('keeps its own budget per client IP', async () => {
    const limited = await createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const login = (ip: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          remoteAddress: ip,
          payload: { email: 'nobody@example.test', password: 'wrong password 1' },
        });
      expect((await login('203.0.113.1')).statusCode).toBe(401);
      expect((await login('203.0.113.1')).statusCode).toBe(401);
      expectRateLimited(await login('203.0.113.1'), 'IP address');
      expect((await login('203.0.113.2')).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
