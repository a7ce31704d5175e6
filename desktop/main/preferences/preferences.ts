import Conf from 'conf';
import { Settings } from './settings';
import type { SettingsUpdate } from './settings';

/**
 * The preferences store behind one small interface: electron-store in
 * Electron (built by the Electron entry, it needs Electron at run time), conf
 * in the browser host and tests. Both expose `store` and `set`.
 */
export interface KeyValueStore {
  readonly store: Record<string, unknown>;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export interface Preferences {
  get(): Settings;
  update(partial: SettingsUpdate): Settings;
}

export function createPreferences(store: KeyValueStore): Preferences {
  const get = (): Settings => {
    const parsed = Settings.safeParse(store.store);
    // A hand-edited or older file must not stop the app: fall back to the defaults.
    return parsed.success ? parsed.data : Settings.parse({});
  };
  return {
    get,
    update(partial) {
      for (const [key, value] of Object.entries(partial)) {
        if (value === undefined) continue;
        if (value === null) store.delete(key);
        else store.set(key, value);
      }
      return get();
    },
  };
}

/** Preferences in `<dataDir>/preferences.json` through conf (works under plain Node). */
export function createConfPreferences(dataDir: string): Preferences {
  const conf = new Conf<Record<string, unknown>>({
    projectName: 'maestro',
    cwd: dataDir,
    configName: 'preferences',
  });
  return createPreferences(conf);
}
