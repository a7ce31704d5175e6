import { generateKeyPair, SignJWT, UnsecuredJWT, decodeProtectedHeader } from 'jose';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import { createTestApp, signUp, type TestApp, type TestUser } from '../support/test-app';

const OLD = `old:${'o'.repeat(40)}`;
const NEW = `new:${'n'.repeat(40)}`;
const SECRET_OF = (entry: string) => new TextEncoder().encode(entry.slice(entry.indexOf(':') + 1));

// One database; the same API built three times with the ring an operator would deploy at each
// step of a rotation (old only → new added second… → moved first → old removed).
let t: TestApp;
let user: TestUser;
const apps: FastifyInstance[] = [];

async function apiWithKeys(keys: string): Promise<FastifyInstance> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.db.url,
    MAESTRO_ENCRYPTION_KEY: Buffer.from(
      t.config.encryptionKeys.get(t.config.encryptionKeyId)!,
    ).toString('base64'),
    MAESTRO_LOG_LEVEL: 'warn',
    MAESTRO_JWT_KEYS: keys,
  });
  const app = await buildServer({ config, orm: t.db.orm, logger: false, metrics: createMetrics() });
  await app.ready();
  apps.push(app);
  return app;
}

const me = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/v1/users/me', headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  t = await createTestApp({ MAESTRO_JWT_KEYS: OLD, MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  user = await signUp(t.app, 'rotation');
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await t?.close();
});

describe('JWT key rotation', () => {
  it('signs with the first key of the ring and names it in kid', () => {
    expect(decodeProtectedHeader(user.accessToken)).toMatchObject({ alg: 'HS256', kid: 'old' });
  });

  it('keeps old tokens valid while their key is in the ring, and refuses them once removed', async () => {
    const added = await apiWithKeys(`${OLD},${NEW}`); // step 1: the new key, verify-only
    expect((await me(added, user.accessToken)).statusCode).toBe(200);

    const moved = await apiWithKeys(`${NEW},${OLD}`); // step 2: the new key signs
    expect((await me(moved, user.accessToken)).statusCode).toBe(200);
    const login = await moved.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(200);
    const fresh = login.json().accessToken as string;
    expect(decodeProtectedHeader(fresh).kid).toBe('new');
    // A process still on step 1 (rolling deploy) accepts what step 2 signs.
    expect((await me(added, fresh)).statusCode).toBe(200);

    const removed = await apiWithKeys(NEW); // step 3: one access-token TTL later
    const refused = await me(removed, user.accessToken);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json().detail).toBe('the access token is invalid or expired');
    expect((await me(removed, fresh)).statusCode).toBe(200);
  });

  it('refuses tokens with a tampered kid or alg', async () => {
    const claims = () =>
      new SignJWT({ typ: 'access' })
        .setSubject(user.userId)
        .setIssuer(t.config.jwt.issuer)
        .setAudience('maestro-api')
        .setIssuedAt()
        .setExpirationTime('5m');
    const control = await claims()
      .setProtectedHeader({ alg: 'HS256', kid: 'old' })
      .sign(SECRET_OF(OLD));
    expect((await me(t.app, control)).statusCode).toBe(200);

    const { privateKey } = await generateKeyPair('RS256');
    const tampered = {
      'unknown kid': await claims()
        .setProtectedHeader({ alg: 'HS256', kid: 'other' })
        .sign(SECRET_OF(OLD)),
      'no kid': await claims().setProtectedHeader({ alg: 'HS256' }).sign(SECRET_OF(OLD)),
      'kid of a key that did not sign it': await claims()
        .setProtectedHeader({ alg: 'HS256', kid: 'old' })
        .sign(SECRET_OF(NEW)),
      'alg none': new UnsecuredJWT({ typ: 'access' })
        .setSubject(user.userId)
        .setIssuer(t.config.jwt.issuer)
        .setAudience('maestro-api')
        .setExpirationTime('5m')
        .encode(),
      'alg none with a kid': (() => {
        const [, body] = control.split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'old' })).toString(
          'base64url',
        );
        return `${header}.${body}.`;
      })(),
      'alg RS256': await claims().setProtectedHeader({ alg: 'RS256', kid: 'old' }).sign(privateKey),
      'alg switched to HS512 with the right key': await claims()
        .setProtectedHeader({ alg: 'HS512', kid: 'old' })
        .sign(SECRET_OF(OLD)),
    };
    for (const [what, token] of Object.entries(tampered)) {
      const res = await me(t.app, token);
      expect(res.statusCode, what).toBe(401);
    }
  });

  it('signs email links with the ring too (a link sent before a rotation still opens during it)', async () => {
    const { signLinkToken, readLinkToken } = await import('../../src/modules/auth/link-token');
    const link = { audience: 'test-link', lifetime: '5m', subject: user.userId, claims: {} };
    const token = await signLinkToken(t.config, link);
    const during = loadConfig({ NODE_ENV: 'test', MAESTRO_JWT_KEYS: `${NEW},${OLD}` });
    const after = loadConfig({ NODE_ENV: 'test', MAESTRO_JWT_KEYS: NEW });
    expect((await readLinkToken(during, 'test-link', token))?.sub).toBe(user.userId);
    expect(await readLinkToken(after, 'test-link', token)).toBeNull();
  });
});

describe('MAESTRO_JWT_KEYS configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('keeps MAESTRO_JWT_SECRET working as a one-key ring', () => {
    const config = loadConfig({ NODE_ENV: 'test', MAESTRO_JWT_SECRET: 's'.repeat(32) });
    expect([...config.jwt.keys.keys()]).toEqual([config.jwt.kid]);
    expect(config.jwt.kid).toMatch(/^[0-9a-f]{8}$/);
  });

  it('names the bad entry without echoing any secret', () => {
    const secret = 'short-secret-value';
    const found = problems({ MAESTRO_JWT_KEYS: `${NEW},bad kid!:${'x'.repeat(40)},k3:${secret}` });
    const text = JSON.stringify(found);
    expect(found.map((p) => p.variable)).toEqual(['MAESTRO_JWT_KEYS', 'MAESTRO_JWT_KEYS']);
    expect(text).toContain('entry 2: must start with a key id');
    expect(text).toContain('entry 3: the secret of \\"k3\\" must be at least 32 characters');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('x'.repeat(40));
    expect(JSON.stringify(problems({ MAESTRO_JWT_KEYS: `${NEW},${NEW}` }))).toContain(
      'key id \\"new\\" is listed twice',
    );
  });

  it('refuses MAESTRO_JWT_KEYS and MAESTRO_JWT_SECRET together', () => {
    expect(problems({ MAESTRO_JWT_KEYS: NEW, MAESTRO_JWT_SECRET: 's'.repeat(32) })).toEqual([
      expect.objectContaining({
        variable: 'MAESTRO_JWT_KEYS',
        message: expect.stringMatching(/not both/),
      }),
    ]);
  });
});
