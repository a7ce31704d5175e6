import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../engine/circuit-breaker';
import type { StepHost } from '../engine/host';
import { StepError } from '../engine/step-error';
import { createStaticSecretResolver } from '../host/static-secret-resolver';
import { runWorkflow } from '../engine/run-workflow';
import { createTestHost } from '../testing/test-host';
import { buildWorkflow } from '../testing/workflow-builder';
import { httpAction } from './action-http';
import { HttpRequestConfig, statusIsOk } from './http-request-config';
import { parseRetryAfter } from './retry-after';

/** Echoes the request; /status/N answers N; /text answers text/plain; /badjson lies about its type. */
let baseUrl = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const status = /^\/status\/(\d+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/text')
      return res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    if (url.pathname === '/badjson')
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{nope');
    res.writeHead(status ? Number(status) : 200, {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '3',
    });
    res.end(
      JSON.stringify({
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      }),
    );
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const secretsSeen: string[] = [];
async function call(raw: Record<string, unknown>, host: StepHost = createTestHost()) {
  const config = HttpRequestConfig.parse(raw);
  const context = {
    trigger: null,
    steps: {},
    env: {},
    execution: { id: 'e', workflowName: 'w', startedAt: '' },
  };
  const signal = new AbortController().signal;
  return httpAction.run({
    stepId: 's',
    config,
    context,
    host,
    signal,
    addSecrets: (v) => secretsSeen.push(...v),
    log: () => undefined,
  });
}
type Echo = {
  status: number;
  headers: Record<string, string>;
  body: {
    method: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    body: string;
  };
};

describe('action.http', () => {
  it('sends a JSON body by default and parses a JSON response', async () => {
    const { output } = await call({
      method: 'POST',
      url: `${baseUrl}/orders?a=1`,
      query: { b: 2, c: true },
      headers: { 'X-Trace': 't1' },
      body: { id: 7 },
    });
    const echo = output as Echo;
    expect(echo.status).toBe(200);
    expect(echo.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(echo.body).toMatchObject({
      method: 'POST',
      query: { a: '1', b: '2', c: 'true' },
      body: '{"id":7}',
    });
    expect(echo.body.headers).toMatchObject({
      'content-type': 'application/json',
      'x-trace': 't1',
    });
  });

  it('sends form and text bodies, keeping a content-type the user set', async () => {
    const form = (
      await call({ method: 'PUT', url: `${baseUrl}/f`, bodyType: 'form', body: { a: 'x y', n: 1 } })
    ).output as Echo;
    expect(form.body.body).toBe('a=x+y&n=1');
    expect(form.body.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const text = (
      await call({
        method: 'POST',
        url: `${baseUrl}/t`,
        bodyType: 'text',
        body: 'plain',
        headers: { 'Content-Type': 'text/csv' },
      })
    ).output as Echo;
    expect(text.body).toMatchObject({ body: 'plain', headers: { 'content-type': 'text/csv' } });
  });

  it('keeps a non-JSON body as text, also when the server lies about JSON', async () => {
    expect(((await call({ url: `${baseUrl}/text` })).output as Echo).body).toBe('hello');
    expect(((await call({ url: `${baseUrl}/badjson` })).output as Echo).body).toBe('{nope');
  });

  it('adds a connection’s headers and query and reports its secrets', async () => {
    const host = createTestHost({
      secrets: createStaticSecretResolver({
        crm: {
          headers: { authorization: 'Bearer conn-t' },
          query: { key: 'conn-q' },
          secrets: ['conn-t', 'conn-q'],
        },
      }),
    });
    const echo = (await call({ url: `${baseUrl}/x`, auth: { connection: 'crm' } }, host))
      .output as Echo;
    expect(echo.body.headers.authorization).toBe('Bearer conn-t');
    expect(echo.body.query).toEqual({ key: 'conn-q' });
    expect(secretsSeen).toEqual(expect.arrayContaining(['conn-t', 'conn-q', 'Bearer conn-t']));
    const missing = await call({ url: `${baseUrl}/x`, auth: { connection: 'nope' } }, host).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({
      code: 'VALIDATION',
      message: 'connection "nope" does not exist',
    });
  });

  it('fails a non-ok status with HTTP_STATUS: 429 and 5xx retryable with Retry-After, others not', async () => {
    const e503 = (await call({ url: `${baseUrl}/status/503` }).catch(
      (e: unknown) => e,
    )) as StepError;
    expect(e503).toBeInstanceOf(StepError);
    expect(e503).toMatchObject({
      code: 'HTTP_STATUS',
      retryable: true,
      retryAfterMs: 3000,
      message: `GET ${baseUrl}/status/503 returned 503`,
    });
    expect(await call({ url: `${baseUrl}/status/429` }).catch((e: unknown) => e)).toMatchObject({
      retryable: true,
    });
    expect(await call({ url: `${baseUrl}/status/404` }).catch((e: unknown) => e)).toMatchObject({
      code: 'HTTP_STATUS',
      retryable: false,
    });
  });

  it('honours okStatus', async () => {
    expect(
      ((await call({ url: `${baseUrl}/status/404`, okStatus: '200,404' })).output as Echo).status,
    ).toBe(404);
    await expect(call({ url: `${baseUrl}/status/201`, okStatus: '200' })).rejects.toMatchObject({
      code: 'HTTP_STATUS',
    });
  });

  it('opens the host circuit after repeated 5xx and then fails fast with CIRCUIT_OPEN', async () => {
    const host = createTestHost({
      circuit: createCircuitBreaker({ failureThreshold: 2, coolDownMs: 60_000 }),
    });
    for (let i = 0; i < 2; i++)
      await expect(call({ url: `${baseUrl}/status/500` }, host)).rejects.toMatchObject({
        code: 'HTTP_STATUS',
      });
    await expect(call({ url: `${baseUrl}/status/200` }, host)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      message: expect.stringContaining(new URL(baseUrl).host) as unknown,
    });
  });

  it('reports a refused connection as NETWORK (retryable)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(call({ url: `http://127.0.0.1:${port}/x` })).rejects.toMatchObject({
      code: 'NETWORK',
      retryable: true,
    });
  });
});

describe('action.http in a run', () => {
  it('resolves a connection once per step, whatever the number of attempts', async () => {
    const inner = createStaticSecretResolver({
      crm: { headers: { 'x-key': 'k-1' }, secrets: ['k-1'] },
    });
    let lookups = 0;
    const host = createTestHost({
      secrets: {
        resolveConnection: (id, signal) => (lookups++, inner.resolveConnection(id, signal)),
      },
    });
    const prepared = buildWorkflow(
      [
        {
          id: 'call',
          type: 'action.http',
          config: { url: `${baseUrl}/status/503`, auth: { connection: 'crm' } },
          retry: { maxAttempts: 3, backoffMs: 1 },
        },
      ],
      [{ from: 'start', to: 'call' }],
    );
    const result = await runWorkflow(prepared, { input: {}, executionId: 'e', host });
    expect(result.steps.call).toMatchObject({ status: 'failed', attempts: 3 });
    expect(lookups).toBe(1);
  });
});

describe('okStatus and Retry-After', () => {
  it('matches "2xx", ranges, lists and mixes', () => {
    expect(statusIsOk(204, '2xx')).toBe(true);
    expect(statusIsOk(301, '2xx')).toBe(false);
    expect(statusIsOk(250, '200-299')).toBe(true);
    expect(statusIsOk(300, '200-299')).toBe(false);
    expect(statusIsOk(201, '200, 201')).toBe(true);
    expect(statusIsOk(304, '2xx,304')).toBe(true);
    expect(HttpRequestConfig.shape.okStatus.safeParse('20x').success).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
