/**
 * What every end-to-end test needs: the renderer built, the browser host on
 * a temp data dir, Debian Chromium driven by playwright-core, and a real HTTP
 * server on 127.0.0.1 for dry-run steps to call.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { StudioServer } from '../../studio/studio-server';
import { createStudioServer } from '../../studio/studio-server';
import { buildRenderer, PROJECT_ROOT, RENDERER_OUT } from './build-renderer';

export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Studio {
  server: StudioServer;
  dataDir: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startStudio(): Promise<Studio> {
  await buildRenderer();
  const dataDir = mkdtempSync(join(tmpdir(), 'maestro-e2e-'));
  const server = await createStudioServer({ dataDir, port: 0, rendererDir: RENDERER_OUT });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    server,
    dataDir,
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh page on the studio, with console errors collected (a test may assert there are none). */
export async function openPage(studio: Studio): Promise<{ page: Page; errors: string[] }> {
  const context = await studio.browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  // Fail on a missing element well before the test's own timeout, with the locator in the message.
  page.setDefaultTimeout(8_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A 4xx answer is the router refusing a request on purpose (shown to the user); 5xx and script errors count.
    const refused = /Failed to load resource: the server responded with a status of 4\d\d/.test(
      message.text(),
    );
    if (message.type() === 'error' && !refused) errors.push(message.text());
  });
  await page.goto(studio.server.url);
  await page.getByRole('heading', { name: 'Workflows' }).waitFor();
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records what it receives and answers JSON. */
export async function startTargetServer(): Promise<{
  url: string;
  received: ReceivedRequest[];
  close: () => Promise<void>;
}> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, id: received.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
