/**
 * The runner client's answers to what a server may really send, over real
 * HTTP on 127.0.0.1: problem+json, other error bodies, unexpected shapes,
 * non-JSON, no answer in time. And the path mapping of runner issues.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toTrpcError } from '../router/runner-procedure';
import { IssuesError } from '../workflows/issues-error';
import { normaliseBaseUrl, RunnerClient } from './runner-client';
import { RunnerError } from './runner-error';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let base: string;
const seen: IncomingMessage[] = [];
const server = createServer((req, res) => {
  seen.push(req);
  (routes.get(req.url?.split('?')[0] ?? '') ?? ((_q, r) => r.writeHead(404).end()))(req, res);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set('/ok', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"w1","extra":true}'),
  );
  routes.set('/problem', (_req, res) =>
    res.writeHead(400, { 'content-type': 'application/problem+json' }).end(
      JSON.stringify({
        type: 'https://maestro.dev/problems/400',
        title: 'Bad Request',
        status: 400,
        detail: 'the workflow definition is not valid',
        errors: [{ path: 'definition.nodes[1].config.url', message: 'required' }],
      }),
    ),
  );
  routes.set('/html', (_req, res) => res.writeHead(502).end('<html>bad gateway</html>'));
  routes.set('/not-json', (_req, res) => res.writeHead(200).end('hello'));
  routes.set('/slow', () => undefined);
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const Id = z.object({ id: z.string() });

describe('RunnerClient', () => {
  it('sends the token and organization as headers and keeps unknown fields out of the way', async () => {
    const client = new RunnerClient(`${base}/`);
    const reply = await client.send(
      {
        method: 'GET',
        path: '/ok',
        accessToken: 'tok',
        organizationId: 'org-1',
        query: { limit: 5, cursor: undefined },
      },
      Id,
    );
    expect(reply).toEqual({ id: 'w1' });
    const request = seen.at(-1)!;
    expect(request.url).toBe('/ok?limit=5');
    expect(request.headers.authorization).toBe('Bearer tok');
    expect(request.headers['x-organization-id']).toBe('org-1');
  });

  it('turns problem+json into a RunnerError with the detail and the issues', async () => {
    const error = await new RunnerClient(base)
      .send({ method: 'POST', path: '/problem', body: {} }, Id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect(error).toMatchObject({
      kind: 'invalid',
      status: 400,
      message: 'The runner refused (400): the workflow definition is not valid',
      issues: [{ path: 'definition.nodes[1].config.url', message: 'required' }],
    });
    const trpc = toTrpcError(error as RunnerError);
    expect(trpc.code).toBe('BAD_REQUEST');
    expect(trpc.cause).toBeInstanceOf(IssuesError);
    expect((trpc.cause as IssuesError).issues).toEqual([
      { path: 'nodes[1].config.url', message: 'required' },
    ]);
  });

  it('says what it got when the answer is not the API’s', async () => {
    const client = new RunnerClient(base);
    await expect(client.send({ method: 'GET', path: '/html' }, Id)).rejects.toMatchObject({
      kind: 'server',
      message: 'The runner answered 502 with no explanation.',
    });
    await expect(client.send({ method: 'GET', path: '/not-json' }, Id)).rejects.toMatchObject({
      kind: 'server',
      message: expect.stringMatching(/not JSON; is this a Maestro runner\?/),
    });
    await expect(
      client.send({ method: 'GET', path: '/ok' }, z.object({ version: z.number() })),
    ).rejects.toMatchObject({
      kind: 'server',
      message: expect.stringMatching(/unexpected shape \(version:/),
    });
    expect(toTrpcError(new RunnerError('server', 'x')).code).toBe('BAD_GATEWAY');
  });

  it('gives up on a runner that does not answer in time', async () => {
    await expect(
      new RunnerClient(base, 300).send({ method: 'GET', path: '/slow' }, Id),
    ).rejects.toMatchObject({
      kind: 'unreachable',
      message: `Cannot reach the runner at ${base}: no answer in time.`,
    });
  });

  it('accepts only http(s) base URLs without credentials', () => {
    expect(normaliseBaseUrl('https://runner.example.com/maestro/')).toBe(
      'https://runner.example.com/maestro',
    );
    expect(() => normaliseBaseUrl('file:///etc/passwd')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => normaliseBaseUrl('https://me:pw@runner.example.com')).toThrow(
      /user name or password/,
    );
  });
});
