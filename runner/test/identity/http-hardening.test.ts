import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';

const BODY_LIMIT = 2048;
const DESKTOP = 'http://localhost:5173';
let t: TestApp;
let app: FastifyInstance;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let workflowId: string;
let hookToken: string;

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    MAESTRO_CORS_ORIGINS: `${DESKTOP},app://maestro`,
  });
  app = t.app;
  owner = await signUpWithOrg(app, 'hardening');
  const published = await app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: owner.headers,
    payload: { definition: webhookWorkflow() },
  });
  expect(published.statusCode, published.body).toBe(201);
  workflowId = published.json().id;
  hookToken = published.json().webhook.token;
});
afterAll(() => t?.close());

function expectProblem(res: Awaited<ReturnType<FastifyInstance['inject']>>, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
}

describe('security headers (helmet)', () => {
  it('sends them on API answers, errors included, and no HSTS over plain HTTP', async () => {
    for (const request of [
      { url: '/v1/users/me', headers: owner.headers },
      { url: '/v1/users/me' },
      { url: '/v1/no-such-route' },
    ] as InjectOptions[]) {
      const res = await app.inject(request);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('has a CSP that the /v1/docs page works under: scripts are same-origin files, nothing inline', async () => {
    const page = await app.inject({ url: '/v1/docs/' });
    expect(page.statusCode).toBe(200);
    const csp = page.headers['content-security-policy'] as string;
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1];
    expect(scriptSrc).toBe("'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    // Over plain HTTP, upgrading subresources to https would break the page.
    expect(csp).not.toContain('upgrade-insecure-requests');

    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src="\.?\/?static\//);
      expect(inline!.trim()).toBe('');
    }
    expect(page.body).not.toMatch(/\son[a-z]+="/i);
    const assets = [...page.body.matchAll(/(?:src|href)="\.\/(static\/[^"]+)"/g)].map((m) => m[1]);
    for (const asset of assets) {
      expect((await app.inject({ url: `/v1/docs/${asset}` })).statusCode, asset).toBe(200);
    }
    expect((await app.inject({ url: '/v1/docs/json' })).statusCode).toBe(200);
  });
});

describe('CORS', () => {
  it('answers the configured desktop origin, exposing the headers a client needs', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/workflows',
      headers: {
        origin: DESKTOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(DESKTOP);
    expect(preflight.headers['access-control-allow-headers']).toContain('idempotency-key');

    const res = await app.inject({
      url: '/v1/workflows',
      headers: { ...owner.headers, origin: DESKTOP },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(DESKTOP);
    expect(res.headers.vary).toContain('Origin');
    const exposed = String(res.headers['access-control-expose-headers'])
      .split(',')
      .map((h) => h.trim());
    expect(exposed).toEqual(
      expect.arrayContaining([
        'retry-after',
        'x-request-id',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ]),
    );
  });

  it('gives another origin (or a file:// page, Origin: null) no CORS headers', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:5174']) {
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/v1/workflows',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers['access-control-allow-origin'], origin).toBeUndefined();
      const res = await app.inject({ url: '/v1/workflows', headers: { ...owner.headers, origin } });
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });
});

describe('request bodies', () => {
  const big = { name: 'x'.repeat(BODY_LIMIT + 1) };

  it('answers 413 problem+json above MAESTRO_BODY_LIMIT_BYTES on API routes', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: owner.headers,
      payload: big,
    });
    expectProblem(res, 413);
    expect(res.json().detail).toMatch(/larger than the server accepts/);
    expectProblem(
      await app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { ...big, email: 'a@b.test', password: 'x' },
      }),
      413,
    );
  });

  it('answers 413 problem+json above the limit on webhooks, whatever the content type', async () => {
    for (const contentType of ['application/json', 'text/plain', 'application/octet-stream']) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/hooks/${hookToken}`,
        headers: { 'content-type': contentType },
        payload: 'x'.repeat(BODY_LIMIT + 1),
      });
      expectProblem(res, 413);
    }
    // Just under the limit is accepted.
    const ok = await app.inject({
      method: 'POST',
      url: `/v1/hooks/${hookToken}`,
      headers: { 'content-type': 'text/plain' },
      payload: 'x'.repeat(BODY_LIMIT - 10),
    });
    expect(ok.statusCode).toBe(202);
  });

  it.each([
    [
      'POST /v1/organizations',
      { method: 'POST', url: '/v1/organizations' },
      { name: 'n', plan: 'pro' },
      'plan',
    ],
    [
      'POST /v1/auth/login',
      { method: 'POST', url: '/v1/auth/login' },
      { email: 'a@b.test', password: 'p', admin: true },
      'admin',
    ],
    [
      'POST /v1/workflows/{id}/executions',
      { method: 'POST', url: '' },
      { input: {}, priority: 1 },
      'priority',
    ],
    [
      'POST /v1/api-keys',
      { method: 'POST', url: '/v1/api-keys' },
      { name: 'k', scopes: [], organizationId: 'x' },
      'organizationId',
    ],
  ] as const)(
    'rejects unknown JSON fields with 400 and the field named: %s',
    async (_name, route, payload, field) => {
      const url = route.url || `/v1/workflows/${workflowId}/executions`;
      const res = await app.inject({ method: route.method, url, headers: owner.headers, payload });
      expectProblem(res, 400);
      expect(JSON.stringify(res.json().errors ?? res.json().detail)).toContain(field);
    },
  );

  it('answers 415 problem+json for a body that is not JSON on API routes', async () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/organizations',
        headers: { ...owner.headers, 'content-type': contentType },
        payload: 'name=acme',
      });
      expectProblem(res, 415);
      expect(res.json().detail).toContain('application/json');
    }
  });

  it('answers 400 problem+json for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expectProblem(res, 400);
  });
});
