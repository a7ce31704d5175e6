#!/usr/bin/env node
// `npm start`: builds the app, then opens it in Electron when its binary is
// installed, else serves the same app to the browser (the studio), saying so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const build = spawnSync(
  process.execPath,
  [`${root}node_modules/electron-vite/bin/electron-vite.js`, 'build'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (build.status !== 0) {
  console.error('npm start: the build failed (see above).');
  process.exit(build.status ?? 1);
}

const electron = electronBinary();
if (electron) {
  const child = spawn(electron, [`${root}out/main/index.js`, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  register({ tsconfig: `${root}tsconfig.node.json` });
  const { runStudio, parsePort } = await import('../desktop/studio/run-studio.ts');
  await runStudio({
    port: parsePort(process.argv.slice(2)),
    announce: (url) => `Electron binary not found — opening the browser build at ${url}`,
  });
}

/** `require('electron')` is the binary's path when it was downloaded; it throws otherwise. */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
