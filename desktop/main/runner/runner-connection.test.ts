/**
 * Runner profiles and sign-in through the real router, against a real runner
 * (API on 127.0.0.1, PostgreSQL) and a real Secret Service (private D-Bus +
 * gnome-keyring): the refresh token is only in the keychain, the access token
 * only in memory, refreshes are single-flight, sign-out revokes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpFor } from '../../../runner/src/identity/totp';
import { createKeytarKeychain } from '../keychain/keychain';
import { freePort, RUNNER_PASSWORD, startRunnerStack } from '../../test/support/runner-stack';
import type { RunnerStack } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp, tempDir } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';
import { openDatabase } from '../storage/database';
import { RunnerConnectionService } from './runner-connection-service';
import { RunnerProfileRepository } from './runner-profile.repository';
import { refreshAccount } from './runner-sessions';

const secretService = await startSecretService();
const SERVICE = `maestro-test-runner-${process.pid}`;
const keychain = () => createKeytarKeychain({ service: SERVICE });

/** Every file of the data dir (SQLite, its WAL, preferences) must be free of `secret`. */
function expectNotOnDisk(dataDir: string, secret: string): void {
  for (const file of readdirSync(dataDir)) {
    expect(readFileSync(join(dataDir, file)).includes(secret), file).toBe(false);
  }
}

describe.skipIf(!secretService.available)(
  `runner connection (real runner, real Secret Service)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let app: TestApp;

    beforeAll(async () => {
      runner = await startRunnerStack();
      app = createTestApp({ keychain: keychain() });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await runner?.close();
      secretService.stop();
    });

    async function signedInProfile(target: TestApp = app) {
      const user = await runner.signUp('ada');
      const profile = await target.caller.runner.profiles.create({
        name: 'Local runner',
        baseUrl: `${runner.url}/`,
      });
      const result = await target.caller.runner.profiles.signIn({
        profileId: profile.id,
        email: user.email,
        password: RUNNER_PASSWORD,
      });
      return { user, profile, result };
    }

    it('signs in: the refresh token is only in the keychain, never on disk nor in an answer', async () => {
      const { profile, result, user } = await signedInProfile();
      expect(profile.baseUrl).toBe(runner.url);
      expect(result.status).toBe('signed-in');
      if (result.status !== 'signed-in') return;
      expect(result.profile).toMatchObject({ signedIn: true, email: user.email });
      expect(result.organizations).toEqual([]);
      const refreshToken = await keytar.getPassword(SERVICE, refreshAccount(profile.id));
      expect(refreshToken).toBeTruthy();
      expectNotOnDisk(app.dataDir, refreshToken!);
      const answers = JSON.stringify([result, await app.caller.runner.profiles.list()]);
      expect(answers).not.toContain(refreshToken!);
      expect(answers).not.toMatch(/accessToken|refreshToken/);
    });

    it('picks the only organization, and lets the user choose among several', async () => {
      const { profile } = await signedInProfile();
      await app.services.runner.connections.setActive(profile.id);
      const first = await app.caller.runner.admin.createOrganization({ name: 'Acme' });
      const second = await app.caller.runner.admin.createOrganization({ name: 'Globex' });
      const orgs = await app.caller.runner.profiles.organizations({ profileId: profile.id });
      expect(orgs.map((o) => [o.name, o.role]).sort()).toEqual([
        ['Acme', 'owner'],
        ['Globex', 'owner'],
      ]);
      const chosen = await app.caller.runner.profiles.selectOrganization({
        profileId: profile.id,
        organizationId: second.id,
      });
      expect(chosen).toMatchObject({ organizationId: second.id, organizationName: 'Globex' });
      await expect(
        app.caller.runner.profiles.selectOrganization({
          profileId: profile.id,
          organizationId: '00000000-0000-4000-8000-000000000000',
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(first.name).toBe('Acme');
    });

    it('shows the runner’s own reason for a wrong password', async () => {
      const user = await runner.signUp('bob');
      const profile = await app.caller.runner.profiles.create({ name: 'R', baseUrl: runner.url });
      await expect(
        app.caller.runner.profiles.signIn({
          profileId: profile.id,
          email: user.email,
          password: 'not the password',
        }),
      ).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'The runner refused (401): wrong email or password',
      });
      expect(await keytar.getPassword(SERVICE, refreshAccount(profile.id))).toBeNull();
    });

    it('says plainly when the runner cannot be reached', async () => {
      const down = `http://127.0.0.1:${await freePort()}`;
      const profile = await app.caller.runner.profiles.create({ name: 'Gone', baseUrl: down });
      await expect(
        app.caller.runner.profiles.signIn({ profileId: profile.id, email: 'a@b.c', password: 'x' }),
      ).rejects.toMatchObject({
        code: 'BAD_GATEWAY',
        message: `Cannot reach the runner at ${down}: connection refused.`,
      });
    });

    it('refuses a runner URL that is not http(s)', async () => {
      await expect(
        app.caller.runner.profiles.create({ name: 'x', baseUrl: 'ftp://example.com' }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('asks for the TOTP code when the account has two-factor authentication', async () => {
      const user = await runner.signUp('carol');
      const auth = { authorization: `Bearer ${user.accessToken}` };
      const enrol = await runner.runner.app.inject({
        method: 'POST',
        url: '/v1/auth/2fa/enrol',
        headers: auth,
        payload: { password: RUNNER_PASSWORD },
      });
      const totp = totpFor(enrol.json<{ secret: string }>().secret, user.email);
      const confirmed = await runner.runner.app.inject({
        method: 'POST',
        url: '/v1/auth/2fa/confirm',
        headers: auth,
        payload: { code: totp.generate() },
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      const profile = await app.caller.runner.profiles.create({ name: '2fa', baseUrl: runner.url });
      const credentials = { profileId: profile.id, email: user.email, password: RUNNER_PASSWORD };
      expect(await app.caller.runner.profiles.signIn(credentials)).toEqual({
        status: 'totp-required',
      });
      await expect(
        app.caller.runner.profiles.signIn({ ...credentials, totp: '000000' }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /two-factor code is wrong/ });
      // The confirm code cannot be replayed: use the next time step's (the runner accepts ±1).
      const next = totp.generate({ timestamp: Date.now() + 30_000 });
      const result = await app.caller.runner.profiles.signIn({ ...credentials, totp: next });
      expect(result).toMatchObject({ status: 'signed-in', profile: { signedIn: true } });
    });

    it('a new process resumes the session from the keychain; concurrent calls refresh once', async () => {
      const dataDir = tempDir();
      const first = createTestApp({ dataDir, keychain: keychain() });
      const { profile } = await signedInProfile(first);
      const before = await keytar.getPassword(SERVICE, refreshAccount(profile.id));
      await first.services.close();

      const second = createTestApp({ dataDir, keychain: keychain() });
      try {
        // No access token in this process: five calls at once must share one refresh
        // (a second use of the rotated token would make the runner revoke the session).
        const lists = await Promise.all(
          Array.from({ length: 5 }, () =>
            second.caller.runner.profiles.organizations({ profileId: profile.id }),
          ),
        );
        expect(lists).toHaveLength(5);
        const after = await keytar.getPassword(SERVICE, refreshAccount(profile.id));
        expect(after).toBeTruthy();
        expect(after).not.toBe(before);
        expect(
          await second.caller.runner.profiles.organizations({ profileId: profile.id }),
        ).toEqual([]);
      } finally {
        await second.close();
      }
    });

    it('renews the access token before it expires, not before', async () => {
      let now = Date.now();
      const db = openDatabase(join(tempDir(), 'clock.sqlite'));
      const connections = new RunnerConnectionService(new RunnerProfileRepository(db), keychain(), {
        now: () => now,
      });
      try {
        const user = await runner.signUp('clock');
        const profile = await connections.create({ name: 'clock', baseUrl: runner.url });
        await connections.signIn({
          profileId: profile.id,
          email: user.email,
          password: RUNNER_PASSWORD,
        });
        const stored = () => keytar.getPassword(SERVICE, refreshAccount(profile.id));
        const first = await stored();
        now += 60_000;
        await connections.organizations(profile.id);
        expect(await stored()).toBe(first);
        // The runner's access tokens live 900 s; 30 s before the end the next call renews.
        now += 900_000 - 60_000 - 29_000;
        await connections.organizations(profile.id);
        expect(await stored()).not.toBe(first);
      } finally {
        db.close();
      }
    });

    it('signs out: the keychain entry goes and the runner revokes the refresh token', async () => {
      const { profile } = await signedInProfile();
      const refreshToken = await keytar.getPassword(SERVICE, refreshAccount(profile.id));
      const out = await app.caller.runner.profiles.signOut({ profileId: profile.id });
      expect(out.signedIn).toBe(false);
      expect(await keytar.getPassword(SERVICE, refreshAccount(profile.id))).toBeNull();
      const refresh = await fetch(`${runner.url}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      expect(refresh.status).toBe(401);
      await expect(
        app.caller.runner.profiles.organizations({ profileId: profile.id }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /sign in first/ });
    });

    it('a session ended on the runner (logout-all) asks to sign in again', async () => {
      const dataDir = tempDir();
      const fresh = createTestApp({ dataDir, keychain: keychain() });
      try {
        const { profile, user } = await signedInProfile(fresh);
        await runner.runner.app.inject({
          method: 'POST',
          url: '/v1/auth/logout-all',
          headers: { authorization: `Bearer ${user.accessToken}` },
        });
        await fresh.services.close();
        const again = createTestApp({ dataDir, keychain: keychain() });
        try {
          await expect(
            again.caller.runner.profiles.organizations({ profileId: profile.id }),
          ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /sign in again/ });
          expect((await again.caller.runner.profiles.list())[0]?.signedIn).toBe(false);
        } finally {
          await again.close();
        }
      } catch (error) {
        await fresh.close().catch(() => undefined);
        throw error;
      }
    });

    it('deleting a profile deletes its session too', async () => {
      const { profile } = await signedInProfile();
      await app.caller.runner.profiles.delete({ profileId: profile.id });
      expect(await keytar.getPassword(SERVICE, refreshAccount(profile.id))).toBeNull();
      expect((await app.caller.runner.profiles.list()).map((p) => p.id)).not.toContain(profile.id);
    });
  },
);
