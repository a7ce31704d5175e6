import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { envAccount } from '../main/preferences/settings-service';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeytarKeychain } from '../main/keychain/keychain';
import { createKeychainSecretResolver } from '../main/keychain/secret-resolver';
import { ConnectionRepository } from '../main/storage/connection.repository';
import { openDatabase } from '../main/storage/database';
import { startSecretService } from './support/secret-service';
import { createTestApp, tempDir } from './support/test-app';
import type { TestApp } from './support/test-app';

// A private D-Bus session bus + unlocked gnome-keyring for this file (see support/secret-service.ts).
const secretService = await startSecretService();
afterAll(() => secretService.stop());

const SERVICE = `maestro-test-${process.pid}`;

describe.skipIf(!secretService.available)(
  `connections and the OS keychain (real Secret Service)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let app: TestApp;
    beforeEach(() => {
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
    });
    afterEach(() => app.close());

    it('reports the keychain as available', async () => {
      expect(await app.caller.connections.status()).toEqual({ keychainAvailable: true });
    });

    it('stores the secret only in the keychain, keyed by connection id; SQLite keeps the reference', async () => {
      const { id } = await app.caller.connections.create({
        name: 'CRM',
        kind: 'bearer',
        secret: { token: 'tok_very_secret_4242' },
      });
      expect(JSON.parse((await keytar.getPassword(SERVICE, id))!)).toEqual({
        kind: 'bearer',
        secret: { token: 'tok_very_secret_4242' },
      });
      const [ref] = await app.caller.connections.list();
      expect(ref).toEqual({ id, name: 'CRM', kind: 'bearer', createdAt: expect.any(String) });
      // Not in the database file, its WAL, nor the preferences.
      for (const file of readdirSync(app.dataDir)) {
        expect(readFileSync(join(app.dataDir, file)).includes('tok_very_secret_4242'), file).toBe(
          false,
        );
      }
    });

    it('deleting a connection deletes its secret', async () => {
      const { id } = await app.caller.connections.create({
        name: 'Billing',
        kind: 'basic',
        secret: { username: 'ada', password: 'pw-123' },
      });
      await app.caller.connections.delete({ id });
      expect(await keytar.getPassword(SERVICE, id)).toBeNull();
      expect(await app.caller.connections.list()).toEqual([]);
      await expect(app.caller.connections.delete({ id })).rejects.toThrow(/No connection with id/);
    });

    it('keeps env values marked secret in the keychain, only their names in the preferences file', async () => {
      const settings = await app.caller.settings.update({
        env: { CRM_URL: 'http://127.0.0.1:9', TOKEN: 'env-secret-777' },
        secretEnvKeys: ['TOKEN'],
      });
      expect(settings.env).toEqual({ CRM_URL: 'http://127.0.0.1:9', TOKEN: 'env-secret-777' });
      expect(settings.secretEnvKeys).toEqual(['TOKEN']);
      expect(await keytar.getPassword(SERVICE, envAccount('TOKEN'))).toBe('env-secret-777');
      const preferences = readFileSync(join(app.dataDir, 'preferences.json'), 'utf8');
      expect(preferences).not.toContain('env-secret-777');
      expect(preferences).toContain('CRM_URL');

      // Unmarking moves the value back to the preferences and out of the keychain.
      await app.caller.settings.update({ secretEnvKeys: [] });
      expect(await keytar.getPassword(SERVICE, envAccount('TOKEN'))).toBeNull();
      expect((await app.caller.settings.get()).env.TOKEN).toBe('env-secret-777');
      // Removing a secret key removes its value.
      await app.caller.settings.update({ env: { SECRET2: 'x' }, secretEnvKeys: ['SECRET2'] });
      await app.caller.settings.update({ env: {} });
      expect(await keytar.getPassword(SERVICE, envAccount('SECRET2'))).toBeNull();
      expect((await app.caller.settings.get()).env).toEqual({});
    });

    it('validates the secret for its kind', async () => {
      await expect(
        app.caller.connections.create({
          name: 'X',
          kind: 'apiKey',
          secret: { headerName: 'bad header', value: 'v' },
        }),
      ).rejects.toThrow(/valid HTTP header name/);
      await expect(
        app.caller.connections.create({
          name: 'X',
          kind: 'bearer',
          secret: { token: '' },
        } as never),
      ).rejects.toThrow(/token is required/);
      expect(await app.caller.connections.list()).toEqual([]);
    });
  },
);

describe.skipIf(!secretService.available)(
  `secret resolver over the keychain${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'maestro.sqlite'));
    const refs = new ConnectionRepository(db);
    const keychain = createKeytarKeychain({ service: SERVICE });
    const resolver = createKeychainSecretResolver(refs, keychain);
    const signal = new AbortController().signal;
    afterAll(() => db.close());

    const store = async (
      id: string,
      kind: 'bearer' | 'apiKey' | 'basic' | 'oauth2',
      secret: object,
    ) => {
      refs.insert({ id, name: id, kind, createdAt: new Date().toISOString() });
      await keychain.setSecret(id, JSON.stringify({ kind, secret }));
    };

    it('turns each kind into headers and lists every secret value', async () => {
      await store('b', 'bearer', { token: 't1' });
      await store('k', 'apiKey', { headerName: 'X-Api-Key', value: 'k1' });
      await store('u', 'basic', { username: 'ada', password: 'p1' });
      await store('o', 'oauth2', { accessToken: 'a1', refreshToken: 'r1' });
      expect(await resolver.resolveConnection('b', signal)).toEqual({
        headers: { authorization: 'Bearer t1' },
        secrets: ['t1'],
      });
      expect(await resolver.resolveConnection('k', signal)).toEqual({
        headers: { 'X-Api-Key': 'k1' },
        secrets: ['k1'],
      });
      const basic = Buffer.from('ada:p1').toString('base64');
      expect(await resolver.resolveConnection('u', signal)).toEqual({
        headers: { authorization: `Basic ${basic}` },
        secrets: [basic, 'p1'],
      });
      expect(await resolver.resolveConnection('o', signal)).toEqual({
        headers: { authorization: 'Bearer a1' },
        secrets: ['a1', 'r1'],
      });
    });

    it('fails with VALIDATION for an unknown connection or a missing secret', async () => {
      await expect(resolver.resolveConnection('ghost', signal)).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/does not exist/),
      });
      refs.insert({
        id: 'orphan',
        name: 'Orphan',
        kind: 'bearer',
        createdAt: new Date().toISOString(),
      });
      await expect(resolver.resolveConnection('orphan', signal)).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/no secret in the OS keychain/),
      });
    });
  },
);
