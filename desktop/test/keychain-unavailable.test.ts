import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from './support/test-app';

// No Secret Service: the session bus address points at a socket that does not exist.
const previousBus = process.env.DBUS_SESSION_BUS_ADDRESS;
process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/maestro-test-bus';
afterAll(() => {
  if (previousBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = previousBus;
});

describe('without an OS keychain', () => {
  const app = createTestApp();
  afterAll(() => app.close());

  it('says so plainly', async () => {
    const status = await app.caller.connections.status();
    expect(status.keychainAvailable).toBe(false);
    expect(status.reason).toMatch(/system keychain .* did not answer/);
  });

  it('refuses to store a secret, and writes it nowhere else', async () => {
    await expect(
      app.caller.connections.create({
        name: 'CRM',
        kind: 'bearer',
        secret: { token: 'never-stored' },
      }),
    ).rejects.toThrow(
      /No OS keychain is available, so Maestro cannot store this secret; it never writes secrets anywhere else/,
    );
    expect(await app.caller.connections.list()).toEqual([]);
    expect(readdirSync(app.dataDir).join(',')).not.toMatch(/secret|keychain/);
  });

  it('refuses to keep a secret env value, but keeps plain ones', async () => {
    await expect(
      app.caller.settings.update({
        env: { TOKEN: 'never-stored', URL: 'u' },
        secretEnvKeys: ['TOKEN'],
      }),
    ).rejects.toThrow(/cannot store the secret value of TOKEN/);
    expect((await app.caller.settings.update({ env: { URL: 'u' } })).env).toEqual({ URL: 'u' });
    const preferences = readFileSync(join(app.dataDir, 'preferences.json'), 'utf8');
    expect(preferences).toContain('"URL"');
    expect(preferences).not.toContain('never-stored');
  });
});
