import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServices } from '../../main/app-services';
import type { AppServices, AppServicesOptions } from '../../main/app-services';
import { createKeytarKeychain } from '../../main/keychain/keychain';
import { createConfPreferences } from '../../main/preferences/preferences';
import { appRouter } from '../../main/router/app-router';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const EXAMPLES_DIR = join(PROJECT_ROOT, 'examples');

export function tempDir(prefix = 'maestro-desktop-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestApp {
  dataDir: string;
  services: AppServices;
  caller: ReturnType<typeof appRouter.createCaller>;
  close(): Promise<void>;
}

/**
 * The real services over a real SQLite file in a temp dir, called through the
 * real router (createCaller runs the same validation and middleware as IPC).
 * The keychain is the real keytar one, under a test-only service name.
 */
export function createTestApp(overrides: Partial<AppServicesOptions> = {}): TestApp {
  const dataDir = overrides.dataDir ?? tempDir();
  const services = createAppServices({
    dataDir,
    examplesDir: EXAMPLES_DIR,
    preferences: createConfPreferences(dataDir),
    keychain: createKeytarKeychain({ service: `maestro-test-${process.pid}` }),
    transport: 'browser',
    version: 'test',
    ...overrides,
  });
  return {
    dataDir,
    services,
    caller: appRouter.createCaller({ services }),
    async close() {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
