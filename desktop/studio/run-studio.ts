import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../main/data-dir';
import { createStudioServer } from './studio-server';
import type { StudioServer } from './studio-server';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunStudioOptions {
  /** 0 picks a free port. */
  port: number;
  /** Rebuild the renderer even when `out/renderer` exists. */
  build?: boolean;
  /** The line announcing the URL. */
  announce?: (url: string) => string;
}

/** Builds the renderer when needed, starts the browser host, prints its URL, stops on Ctrl+C. */
export async function runStudio(options: RunStudioOptions): Promise<StudioServer> {
  if (options.build || !existsSync(join(PROJECT_ROOT, 'out', 'renderer', 'index.html')))
    buildRenderer();
  const dataDir = defaultDataDir();
  const studio = await createStudioServer({ dataDir, port: options.port });
  console.log(options.announce?.(studio.url) ?? `Maestro studio (browser host) on ${studio.url}`);
  console.log(`Data: ${dataDir}. Press Ctrl+C to stop.`);
  openBrowser(studio.url);
  const stop = (): void => {
    void studio.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return studio;
}

/** `--port N`, else MAESTRO_STUDIO_PORT, else 0 (a free port). */
export function parsePort(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const flag = argv.indexOf('--port');
  const text = flag >= 0 ? argv[flag + 1] : env.MAESTRO_STUDIO_PORT;
  if (text === undefined || text === '') return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port / MAESTRO_STUDIO_PORT must be a port number (0-65535), got "${text}"`);
  }
  return port;
}

function buildRenderer(): void {
  console.log('Building the app (electron-vite build)…');
  // The CLI is run through node: npm does not always mark electron-vite's bin as executable.
  const cli = join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const build = spawnSync(process.execPath, [cli, 'build'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('electron-vite build failed (see above)');
}

/** Opens the default browser where there is a desktop to open it on; headless machines just get the URL. */
function openBrowser(url: string): void {
  if (process.env.MAESTRO_NO_OPEN || process.env.CI) return;
  const command =
    process.platform === 'darwin'
      ? 'open'
      : process.platform === 'win32'
        ? 'explorer'
        : process.env.DISPLAY || process.env.WAYLAND_DISPLAY
          ? 'xdg-open'
          : undefined;
  if (!command) return;
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
