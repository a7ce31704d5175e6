import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// electron-vite reads the installed electron package to pick its targets and
// output format; `npm install` drops that package on machines that cannot
// download the binary (docs/desktop.md). Electron 39 (Node 22, Chromium 142)
// is the version package.json pins, so say it when the package is absent.
if (!process.env.ELECTRON_MAJOR_VER) {
  try {
    createRequire(import.meta.url).resolve('electron/package.json');
  } catch {
    process.env.ELECTRON_MAJOR_VER = '39';
  }
}

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      target: 'node22',
      // electron-store is ESM that needs Electron's own `require`; bundled it
      // loads in main (FIELD-NOTES). Native modules (better-sqlite3, keytar) stay external.
      externalizeDeps: { exclude: ['electron-store', 'conf'] },
      rollupOptions: {
        input: { index: resolve(root, 'desktop/main/index.ts') },
        external: ['electron'],
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      target: 'node22',
      // A sandboxed preload can require only `electron`: bundle the bridge, emit CommonJS.
      externalizeDeps: { exclude: ['trpc-electron'] },
      rollupOptions: {
        input: { index: resolve(root, 'desktop/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'desktop/renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      target: 'chrome120',
      rollupOptions: { input: resolve(root, 'desktop/renderer/index.html') },
    },
  },
});
