import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepError } from '../engine/step-error';
import { createFetchHttpClient } from './fetch-http-client';

/** Two origins: /go?to=&code= redirects; /echo echoes; /slow never answers in time; /big sends 2 KiB. */
function startServer() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/go') {
        res
          .writeHead(Number(url.searchParams.get('code')), {
            location: url.searchParams.get('to') ?? '/',
          })
          .end();
      } else if (url.pathname === '/slow') setTimeout(() => res.end('late'), 3000);
      else if (url.pathname === '/big') res.end('x'.repeat(2048));
      else if (url.pathname === '/chunked') {
        // No content-length: the limit must hold while streaming.
        res.write('y'.repeat(800));
        setTimeout(() => res.end('y'.repeat(800)), 20);
      } else if (url.pathname === '/utf8') res.end('héllo wörld ✓');
      else {
        res.writeHead(200, { 'content-type': 'application/json', 'X-Multi': 'a' });
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
      }
    });
  });
  return server;
}
const a = startServer();
const b = startServer();
let urlA = '';
let urlB = '';
const listen = async (server: ReturnType<typeof createServer>) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
beforeAll(async () => {
  urlA = await listen(a);
  urlB = (await listen(b)).replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  await new Promise((resolve) => a.close(resolve));
  await new Promise((resolve) => b.close(resolve));
});

const signal = () => new AbortController().signal;
type Echo = { method: string; headers: Record<string, string>; body: string };

describe('createFetchHttpClient', () => {
  const http = createFetchHttpClient();

  it('sends the request and returns status, lower-case headers and the body text', async () => {
    const response = await http.request({
      method: 'POST',
      url: `${urlA}/echo`,
      headers: { 'x-a': '1' },
      body: 'hi',
      signal: signal(),
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-multi']).toBe('a');
    expect(JSON.parse(response.body)).toMatchObject({
      method: 'POST',
      headers: { 'x-a': '1' },
      body: 'hi',
    });
  });

  it('follows a 307 keeping method and body, a 303 as GET without body', async () => {
    const kept = await http.request({
      method: 'POST',
      url: `${urlA}/go?code=307&to=/echo`,
      headers: {},
      body: 'b',
      signal: signal(),
    });
    expect(JSON.parse(kept.body)).toMatchObject({ method: 'POST', body: 'b' });
    const get = await http.request({
      method: 'POST',
      url: `${urlA}/go?code=303&to=/echo`,
      headers: { 'content-type': 'text/plain' },
      body: 'b',
      signal: signal(),
    });
    const echo = JSON.parse(get.body) as Echo;
    expect(echo).toMatchObject({ method: 'GET', body: '' });
    expect(echo.headers['content-type']).toBeUndefined();
  });

  it('drops credentials on a redirect to another origin, keeps them on the same origin', async () => {
    const headers = { authorization: 'Bearer t', cookie: 'c=1', 'x-keep': 'k' };
    const same = JSON.parse(
      (
        await http.request({
          method: 'GET',
          url: `${urlA}/go?code=302&to=/echo`,
          headers,
          signal: signal(),
        })
      ).body,
    ) as Echo;
    expect(same.headers).toMatchObject(headers);
    const other = await http.request({
      method: 'GET',
      url: `${urlA}/go?code=302&to=${encodeURIComponent(`${urlB}/echo`)}`,
      headers,
      signal: signal(),
    });
    const echo = JSON.parse(other.body) as Echo;
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers['x-keep']).toBe('k');
  });

  it('checks every hop with checkUrl, and stops after maxRedirects', async () => {
    const seen: string[] = [];
    const guarded = createFetchHttpClient({
      maxRedirects: 1,
      checkUrl: (url) => {
        seen.push(url.pathname);
        if (url.hostname === 'localhost')
          throw new StepError('BLOCKED_ADDRESS', `blocked ${url.host}`, { retryable: false });
      },
    });
    await expect(
      guarded.request({
        method: 'GET',
        url: `${urlA}/go?code=302&to=${encodeURIComponent(`${urlB}/echo`)}`,
        headers: {},
        signal: signal(),
      }),
    ).rejects.toMatchObject({ code: 'BLOCKED_ADDRESS' });
    const loop = await guarded.request({
      method: 'GET',
      url: `${urlA}/go?code=302&to=${encodeURIComponent('/go?code=302&to=/echo')}`,
      headers: {},
      signal: signal(),
    });
    expect(loop.status).toBe(302);
    expect(seen).toEqual(['/go', '/echo', '/go', '/go']);
  });

  it('turns a refused connection into NETWORK with the reason', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = (await http
      .request({ method: 'GET', url: `${url}/x`, headers: {}, signal: signal() })
      .catch((e: unknown) => e)) as StepError;
    expect(error).toBeInstanceOf(StepError);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/x failed: .*ECONNREFUSED/);
  });

  it('rejects with the abort reason: TIMEOUT for a timeout, CANCELED otherwise', async () => {
    const timeout = new AbortController();
    setTimeout(
      () => timeout.abort(new StepError('TIMEOUT', 'the attempt timed out after 50 ms')),
      50,
    );
    await expect(
      http.request({ method: 'GET', url: `${urlA}/slow`, headers: {}, signal: timeout.signal }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    await expect(
      http.request({ method: 'GET', url: `${urlA}/slow`, headers: {}, signal: cancel.signal }),
    ).rejects.toMatchObject({ code: 'CANCELED' });
  });

  it('decodes UTF-8 across chunks, and refuses a chunked body past maxBodyBytes', async () => {
    expect(
      (await http.request({ method: 'GET', url: `${urlA}/utf8`, headers: {}, signal: signal() }))
        .body,
    ).toBe('héllo wörld ✓');
    const small = createFetchHttpClient({ maxBodyBytes: 1024 });
    await expect(
      small.request({ method: 'GET', url: `${urlA}/chunked`, headers: {}, signal: signal() }),
    ).rejects.toMatchObject({ code: 'NETWORK' });
    expect(
      (await http.request({ method: 'GET', url: `${urlA}/chunked`, headers: {}, signal: signal() }))
        .body,
    ).toHaveLength(1600);
  });

  it('refuses a body larger than maxBodyBytes', async () => {
    const small = createFetchHttpClient({ maxBodyBytes: 1024 });
    await expect(
      small.request({ method: 'GET', url: `${urlA}/big`, headers: {}, signal: signal() }),
    ).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringContaining('larger than 1024 bytes') as unknown,
    });
  });
});
