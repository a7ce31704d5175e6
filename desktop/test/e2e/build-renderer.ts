/**
 * Builds the renderer (only) for the end-to-end tests, with the same settings
 * as the renderer section of electron.vite.config.ts, unless `out/renderer` is
 * newer than every source file it is built from.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const RENDERER_OUT = join(PROJECT_ROOT, 'out', 'renderer');
const SOURCES = ['desktop/renderer', 'shared/src'].map((dir) => join(PROJECT_ROOT, dir));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export function rendererIsFresh(): boolean {
  const index = join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return false;
  const builtAt = statSync(index).mtimeMs;
  return SOURCES.every((dir) => newestMtime(dir) < builtAt);
}

const LOCK = join(PROJECT_ROOT, 'out', '.renderer-build.lock');

/** Test files run in parallel: one builds while the others wait (a stale lock is taken over). */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(PROJECT_ROOT, 'out'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const age = existsSync(LOCK) ? Date.now() - statSync(LOCK).mtimeMs : 0;
      if (age > 120_000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function buildRenderer(): Promise<{ rebuilt: boolean; ms: number }> {
  return withBuildLock(buildUnlocked);
}

async function buildUnlocked(): Promise<{ rebuilt: boolean; ms: number }> {
  const started = performance.now();
  if (rendererIsFresh()) return { rebuilt: false, ms: 0 };
  await build({
    configFile: false,
    logLevel: 'warn',
    root: join(PROJECT_ROOT, 'desktop/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: RENDERER_OUT,
      emptyOutDir: true,
      target: 'chrome120',
      reportCompressedSize: false,
    },
  });
  return { rebuilt: true, ms: Math.round(performance.now() - started) };
}
