import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { createAppServices } from '../main/app-services';
import type { AppServices } from '../main/app-services';
import { createKeytarKeychain } from '../main/keychain/keychain';
import type { Keychain } from '../main/keychain/keychain';
import { createConfPreferences } from '../main/preferences/preferences';
import { appRouter } from '../main/router/app-router';
import type { AppContext } from '../main/router/trpc';
import { refuseNonLoopback } from './loopback-guard';
import { serveStatic } from './static-files';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StudioServerOptions {
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  rendererDir?: string;
  examplesDir?: string;
  keychain?: Keychain;
  /** Extra services options, for tests (e.g. their own step host). */
  createStepHost?: Parameters<typeof createAppServices>[0]['createStepHost'];
}

export interface StudioServer {
  url: string;
  port: number;
  services: AppServices;
  close(): Promise<void>;
}

/**
 * The browser host: the same router as Electron's main process, over HTTP
 * (`/trpc`, queries and mutations) and WebSocket (`/trpc`, subscriptions),
 * plus the built renderer, on 127.0.0.1 only.
 */
export async function createStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const services = createAppServices({
    dataDir: options.dataDir,
    examplesDir: options.examplesDir ?? join(PROJECT_ROOT, 'examples'),
    preferences: createConfPreferences(options.dataDir),
    keychain: options.keychain ?? createKeytarKeychain(),
    transport: 'browser',
    version: projectVersion(),
    ...(options.createStepHost ? { createStepHost: options.createStepHost } : {}),
  });
  const createContext = (): AppContext => ({ services });
  const rendererDir = options.rendererDir ?? join(PROJECT_ROOT, 'out', 'renderer');
  const trpc = createHTTPHandler({ router: appRouter, createContext, basePath: '/trpc/' });

  let port = 0;
  const server = createServer((req, res) => {
    if (refuse(req, res, port)) return;
    setSecurityHeaders(res);
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/trpc' || path.startsWith('/trpc/')) trpc(req, res);
    else serveStatic(rendererDir, req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 10 * 1024 * 1024 });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext,
    // Pings find dead browser tabs, so their subscriptions end.
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });
  server.on('upgrade', (req, socket, head) => {
    const reason = refuseNonLoopback(req.headers, port);
    const path = (req.url ?? '/').split('?')[0];
    if (reason || path !== '/trpc') {
      socket.end(
        `HTTP/1.1 ${reason ? '403 Forbidden' : '404 Not Found'}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    services,
    async close() {
      wsHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      await services.close();
    },
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, port: number): boolean {
  const reason = refuseNonLoopback(req.headers, port);
  if (!reason) return false;
  res
    .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
    .end(`Forbidden: ${reason}.\n`);
  return true;
}

function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

function projectVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
}
