import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The browser host's data directory (Electron uses `app.getPath('userData')`).
 * `MAESTRO_DATA_DIR` wins, for tests and for people who keep data elsewhere.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.MAESTRO_DATA_DIR) return env.MAESTRO_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Maestro');
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Maestro');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'maestro');
}
