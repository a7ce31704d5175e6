// The Electron main process. Every `electron` import of the app is here or in
// the preload: the rest of desktop/main runs under plain Node too (the studio).
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import Store from 'electron-store';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIPCHandler } from 'trpc-electron/main';
import { createAppServices } from './app-services';
import type { AppServices } from './app-services';
import { createKeytarKeychain } from './keychain/keychain';
import { createPreferences } from './preferences/preferences';
import { appRouter } from './router/app-router';

const here = dirname(fileURLToPath(import.meta.url));
let services: AppServices | undefined;

type IpcHandler = ReturnType<typeof createIPCHandler<typeof appRouter>>;

function createWindow(ipc: IpcHandler): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Maestro',
    show: false,
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      // The renderer is a web page: no Node, its own JS world, the OS sandbox.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  ipc.attachWindow(window);
  window.once('ready-to-show', () => window.show());
  const devServer = process.env.ELECTRON_RENDERER_URL;
  void (devServer
    ? window.loadURL(devServer)
    : window.loadFile(join(here, '..', 'renderer', 'index.html')));
  return window;
}

/** The app never navigates away from itself; links open in the user's browser. */
function lockNavigation(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (url !== contents.getURL()) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  lockNavigation();
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  const dataDir = process.env.MAESTRO_DATA_DIR ?? app.getPath('userData');
  services = createAppServices({
    dataDir,
    // Built to out/main: the project's examples/ are two levels up.
    examplesDir: join(here, '..', '..', 'examples'),
    preferences: createPreferences(new Store({ name: 'preferences', cwd: dataDir })),
    keychain: createKeytarKeychain(),
    transport: 'electron',
    version: app.getVersion(),
    // OIDC sign-in pages open in the user's browser (RFC 8252), never in an app window.
    openExternal: (url) => shell.openExternal(url),
  });
  const appServices = services;
  // One handler for the app (one listener on the IPC channel); each window is attached to it.
  const ipc = createIPCHandler({
    router: appRouter,
    createContext: () => Promise.resolve({ services: appServices }),
  });
  createWindow(ipc);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(ipc);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  void services?.close();
});

start().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // npm install compiles better-sqlite3 for Node; Electron needs its own build of it.
  const hint = message.includes('NODE_MODULE_VERSION')
    ? '\n\nThe native modules were built for Node, not Electron. Run: npx @electron/rebuild -f -w better-sqlite3,keytar'
    : '';
  console.error('Maestro could not start:', error);
  dialog.showErrorBox('Maestro could not start', `${message}${hint}`);
  app.quit();
});
