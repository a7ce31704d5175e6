import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, tempDir } from './support/test-app';

/** `require('electron')` is the binary's path when it was downloaded; it throws when it was not. */
function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
const builtMain = join(PROJECT_ROOT, 'out', 'main', 'index.js');
const missing = !electron
  ? 'an Electron binary (the electron package with its downloaded binary; npm install could not fetch it here)'
  : !existsSync(builtMain)
    ? 'the built app (run npm run build:desktop first)'
    : undefined;

describe('Electron smoke test', () => {
  it.skipIf(missing !== undefined)(
    `launches the real app and talks to the main process over IPC${missing ? ` — skipped: needs ${missing}` : ''}`,
    async () => {
      const dataDir = tempDir();
      const app = await _electron.launch({
        executablePath: electron,
        args: [builtMain, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
        env: { ...process.env, MAESTRO_DATA_DIR: dataDir },
      });
      try {
        const window = await app.firstWindow();
        await window.waitForLoadState('domcontentloaded');
        // The preload exposed only the tRPC bridge; Node is out of the renderer's reach.
        expect(
          await window.evaluate(
            () => typeof (window as unknown as { electronTRPC?: unknown }).electronTRPC,
          ),
        ).toBe('object');
        expect(
          await window.evaluate(() => typeof (globalThis as { require?: unknown }).require),
        ).toBe('undefined');
        const prefs = await app.evaluate(({ BrowserWindow }) => {
          const web = BrowserWindow.getAllWindows()[0]!.webContents.getLastWebPreferences();
          return {
            contextIsolation: web?.contextIsolation,
            sandbox: web?.sandbox,
            nodeIntegration: web?.nodeIntegration,
          };
        });
        expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
        expect(existsSync(join(dataDir, 'maestro.sqlite'))).toBe(true);
      } finally {
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
