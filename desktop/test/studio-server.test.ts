import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineEvent } from '../../shared/src/index';
import type { AppRouter } from '../main/router';
import { createStudioServer } from '../studio/studio-server';
import type { StudioServer } from '../studio/studio-server';
import { tempDir } from './support/test-app';

/** A raw HTTP request, so that the Host and Origin headers are exactly what a test says. */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('studio (browser host) over real HTTP and WebSocket', () => {
  const dataDir = tempDir();
  const rendererDir = join(tempDir('maestro-renderer-'), 'renderer');
  let studio: StudioServer;

  beforeAll(async () => {
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(
      join(rendererDir, 'index.html'),
      '<!doctype html><title>Maestro test shell</title>',
    );
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    studio = await createStudioServer({ dataDir, port: 0, rendererDir });
  });
  afterAll(async () => {
    await studio.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on a free port and serves the renderer, index.html for app routes', async () => {
    expect(studio.url).toBe(`http://127.0.0.1:${studio.port}`);
    const page = await fetch(`${studio.url}/workflows/abc`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Maestro test shell');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const script = await fetch(`${studio.url}/assets/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const escape = await rawGet(studio.port, '/../../../etc/passwd', {
      host: `127.0.0.1:${studio.port}`,
    });
    expect(escape.body).not.toContain('root:');
  });

  it('serves the same router to a tRPC client: queries, mutations, and a subscription over WebSocket', async () => {
    const wsClient = createWSClient({
      url: `ws://127.0.0.1:${studio.port}/trpc`,
      WebSocket: WebSocket as never,
    });
    const client = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: wsLink({ client: wsClient }),
          false: httpBatchLink({ url: `${studio.url}/trpc` }),
        }),
      ],
    });
    try {
      expect(await client.app.info.query()).toEqual({
        version: expect.any(String),
        transport: 'browser',
        dataDir,
      });
      const { id } = await client.workflows.create.mutate();
      expect((await client.workflows.list.query()).map((w) => w.id)).toEqual([id]);
      const detail = await client.workflows.get.query({ id });
      const { runId } = await client.dryRun.start.mutate({
        workflowId: id,
        document: detail.document,
        input: { hello: 'world' },
      });
      const events = await new Promise<EngineEvent[]>((resolve, reject) => {
        const seen: EngineEvent[] = [];
        const subscription = client.dryRun.events.subscribe(
          { runId },
          {
            onData: (data) => {
              // JSON over the wire: `input: unknown` comes back typed as optional.
              const event = data as EngineEvent;
              seen.push(event);
              if (event.type === 'run.finished') {
                subscription.unsubscribe();
                resolve(seen);
              }
            },
            onError: reject,
          },
        );
      });
      expect(events[0]!.type).toBe('run.started');
      const last = events.at(-1)!;
      expect(last.type === 'run.finished' && last.result.status).toBe('success');
      expect(last.type === 'run.finished' && last.result.steps.start!.output).toEqual({
        hello: 'world',
      });

      // Errors keep their code, message and validation issues across the wire.
      const error = (await client.dryRun.start
        .mutate({
          workflowId: id,
          document: { ...detail.document, edges: [{ from: 'start', to: 'x' }] },
          input: null,
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        )) as { message: string; data: { code: string; issues: { path: string }[] } };
      expect(error.data.code).toBe('BAD_REQUEST');
      expect(error.data.issues[0]!.path).toMatch(/^edges\[0\]/);
    } finally {
      await wsClient.close();
    }
  });

  it('refuses requests whose Host or Origin is not loopback (DNS rebinding)', async () => {
    const rebound = await rawGet(studio.port, '/trpc/app.info', {
      host: `evil.example:${studio.port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/Forbidden: Host "evil.example/);
    const crossSite = await rawGet(studio.port, '/trpc/app.info', {
      host: `127.0.0.1:${studio.port}`,
      origin: 'http://evil.example',
    });
    expect(crossSite.status).toBe(403);
    const page = await rawGet(studio.port, '/', { host: `attacker.test:${studio.port}` });
    expect(page.status).toBe(403);
  });

  it('refuses a WebSocket upgrade from another origin', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${studio.port}/trpc`, {
      headers: { origin: 'http://evil.example' },
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      socket.on('error', (error) => resolve(`error ${error.message}`));
    });
    socket.terminate();
    expect(outcome).toBe('status 403');
    const allowed = new WebSocket(`ws://127.0.0.1:${studio.port}/trpc`, {
      headers: { origin: studio.url },
    });
    await new Promise<void>((resolve, reject) => {
      allowed.on('open', () => resolve());
      allowed.on('error', reject);
    });
    allowed.close();
  });
});
