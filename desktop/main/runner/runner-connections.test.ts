/**
 * The runner's connections through the real router, against a real runner (API on 127.0.0.1,
 * PostgreSQL) and a real OAuth 2.0 token endpoint (runner/test/support/oauth2-server.ts): status,
 * forced refreshes, invalid_grant and re-authorization, rate limits, problem+json paths,
 * read-only roles and other organizations; no secret is kept on this side.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOAuth2Server } from '../../../runner/test/support/oauth2-server';
import type { OAuth2TestServer } from '../../../runner/test/support/oauth2-server';
import { createKeytarKeychain } from '../keychain/keychain';
import { signInWithOrganization } from '../../test/support/runner-alerts';
import { startRunnerStack } from '../../test/support/runner-stack';
import type { RunnerStack } from '../../test/support/runner-stack';
import { startSecretService } from '../../test/support/secret-service';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const secretService = await startSecretService();
const SERVICE = `maestro-test-runner-connections-${process.pid}`;

describe.skipIf(!secretService.available)(
  `runner connections (real runner, real token endpoint)${secretService.reason ? ` — skipped: ${secretService.reason}` : ''}`,
  () => {
    let runner: RunnerStack;
    let oauth: OAuth2TestServer;
    let app: TestApp;
    let session: Awaited<ReturnType<typeof signInWithOrganization>>;
    const typed: string[] = [];

    /** A secret the test types into a form: remembered, to look for it where it must not be. */
    const secret = (value: string) => (typed.push(value), value);
    const connections = () => app.caller.runner.connections;
    const issuePaths = async (call: Promise<unknown>) => {
      const error = (await call.then(
        () => expect.fail('the runner accepted it'),
        (e: unknown) => e,
      )) as { code: string; cause?: { issues?: { path: string }[] } };
      expect(error.code).toBe('BAD_REQUEST');
      return (error.cause?.issues ?? []).map((i) => i.path);
    };

    beforeAll(async () => {
      [runner, oauth] = await Promise.all([startRunnerStack(), startOAuth2Server()]);
      app = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      session = await signInWithOrganization(app.caller, runner, 'ada');
      // The token endpoint listens on 127.0.0.1: the runner's SSRF guard must let it through.
      await runner.allowPrivateNetwork(session.orgId);
    }, 60_000);
    beforeEach(() => {
      oauth.mode = 'normal';
    });
    afterAll(async () => {
      await app?.close();
      await oauth?.close();
      await runner?.close();
      secretService.stop();
    });

    it('creates a static connection, lists it with its fields (never values), rate-limits and deletes it', async () => {
      const created = await connections().create({
        name: 'crm',
        kind: 'http',
        secrets: { token: secret('crm-token-0123456789') },
        rateLimit: { requests: 5, intervalSeconds: 60 },
      });
      expect(created).toMatchObject({
        name: 'crm',
        kind: 'http',
        secretFields: ['token'],
        status: 'ok',
        oauth2: null,
        rateLimit: { requests: 5, intervalSeconds: 60 },
      });
      expect((await connections().list()).map((c) => c.name)).toContain('crm');

      expect(
        await connections().setRateLimit({
          connectionId: created.id,
          rateLimit: { requests: 100, intervalSeconds: 1 },
        }),
      ).toMatchObject({ rateLimit: { requests: 100, intervalSeconds: 1 } });
      expect(
        await issuePaths(
          connections().setRateLimit({
            connectionId: created.id,
            rateLimit: { requests: 0, intervalSeconds: 90_000 },
          }),
        ),
      ).toEqual(expect.arrayContaining(['rateLimit.requests', 'rateLimit.intervalSeconds']));
      expect(await connections().removeRateLimit({ connectionId: created.id })).toMatchObject({
        rateLimit: null,
      });
      expect(await connections().get({ connectionId: created.id })).toMatchObject({
        rateLimit: null,
      });

      // A static connection has no token to refresh: the runner says so.
      await expect(connections().refresh({ connectionId: created.id })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('only an OAuth 2.0 connection'),
      });

      await connections().remove({ connectionId: created.id });
      expect((await connections().list()).map((c) => c.id)).not.toContain(created.id);
      await expect(connections().get({ connectionId: created.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('carries the runner’s problem+json paths for bad connections', async () => {
      expect(await issuePaths(connections().create({ name: ' ', kind: 'http' }))).toEqual(
        expect.arrayContaining(['name', 'secrets']),
      );
      expect(
        await issuePaths(
          connections().create({
            name: 'plain http',
            kind: 'oauth2',
            oauth2: {
              tokenUrl: 'http://login.example.com/token',
              grant: 'refresh_token',
              clientId: 'c',
            },
          }),
        ),
      ).toEqual(expect.arrayContaining(['oauth2.tokenUrl', 'oauth2.refreshToken']));
    });

    it('oauth2 against a real token endpoint: ok, a forced refresh, invalid_grant, re-authorization', async () => {
      const clientSecret = secret(oauth.clientSecret);
      const created = await connections().create({
        name: 'orders api',
        kind: 'oauth2',
        oauth2: {
          tokenUrl: oauth.tokenUrl,
          grant: 'refresh_token',
          clientId: oauth.clientId,
          clientSecret,
          scope: 'orders:read',
          refreshToken: secret(oauth.consent()),
        },
      });
      expect(created).toMatchObject({
        kind: 'oauth2',
        status: 'ok',
        expiresAt: null,
        oauth2: { tokenUrl: oauth.tokenUrl, grant: 'refresh_token', scope: 'orders:read' },
      });

      const before = oauth.tokenRequests.length;
      const refreshed = await connections().refresh({ connectionId: created.id });
      expect(oauth.tokenRequests.slice(before)).toMatchObject([
        { grant: 'refresh_token', scope: 'orders:read' },
      ]);
      expect(refreshed).toMatchObject({ status: 'ok', lastError: null });
      expect(Date.parse(refreshed.expiresAt ?? '')).toBeGreaterThan(Date.now() + 3_000_000);
      expect(refreshed.lastRefreshedAt).not.toBeNull();

      // The provider revokes the grant: the refresh's outcome says so, and so does the list.
      oauth.mode = 'invalid_grant';
      const refused = await connections().refresh({ connectionId: created.id });
      expect(refused.status).toBe('needs_reauthorization');
      expect(refused.lastError).toContain('invalid_grant');
      expect((await connections().list()).find((c) => c.id === created.id)).toMatchObject({
        status: 'needs_reauthorization',
        lastError: refused.lastError,
      });

      // Re-authorizing: new credentials from the provider's consent, then a refresh that works.
      oauth.mode = 'normal';
      const renewed = await connections().replaceCredentials({
        connectionId: created.id,
        oauth2: {
          tokenUrl: oauth.tokenUrl,
          grant: 'refresh_token',
          clientId: oauth.clientId,
          clientSecret,
          refreshToken: secret(oauth.consent()),
        },
      });
      expect(renewed).toMatchObject({ status: 'ok', lastError: null });
      expect(await connections().refresh({ connectionId: created.id })).toMatchObject({
        status: 'ok',
        lastError: null,
      });

      const answers = JSON.stringify([await connections().list(), refused, renewed]);
      for (const value of oauth.secrets()) expect(answers).not.toContain(value);
    });

    it('a role without connectors:write reads the connections but may not change them', async () => {
      const headers = {
        authorization: `Bearer ${session.user.accessToken}`,
        'x-organization-id': session.orgId,
      };
      expect(await connections().abilities()).toEqual({ canWrite: true });
      const role = await runner.runner.app.inject({
        method: 'POST',
        url: `/v1/organizations/${session.orgId}/roles`,
        headers,
        payload: { name: 'auditor', permissions: ['connectors:read', 'members:read'] },
      });
      expect(role.statusCode, role.body).toBe(201);
      const shared = await connections().create({
        name: 'shared',
        kind: 'http',
        secrets: { username: 'u', password: secret('pw-for-the-auditor-test') },
      });

      const auditor = createTestApp({ keychain: createKeytarKeychain({ service: SERVICE }) });
      try {
        const theirs = await signInWithOrganization(auditor.caller, runner, 'auditor');
        const added = await runner.runner.app.inject({
          method: 'POST',
          url: `/v1/organizations/${session.orgId}/users`,
          headers,
          payload: { email: theirs.user.email, role: (role.json() as { id: string }).id },
        });
        expect(added.statusCode, added.body).toBe(201);

        // In their own organization, the other's connection does not exist.
        await expect(
          auditor.caller.runner.connections.get({ connectionId: shared.id }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });

        await auditor.caller.runner.profiles.selectOrganization({
          profileId: theirs.profileId,
          organizationId: session.orgId,
        });
        expect(await auditor.caller.runner.connections.abilities()).toEqual({ canWrite: false });
        const seen = (await auditor.caller.runner.connections.list()).find(
          (c) => c.id === shared.id,
        );
        expect(seen?.secretFields.sort()).toEqual(['password', 'username']);
        await expect(
          auditor.caller.runner.connections.remove({ connectionId: shared.id }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
        await expect(
          auditor.caller.runner.connections.create({
            name: 'x',
            kind: 'http',
            secrets: { token: 'x' },
          }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      } finally {
        await auditor.close();
      }
    });

    it('keeps no secret it passed on: not in the data directory', () => {
      expect(typed.length).toBeGreaterThan(3);
      for (const file of readdirSync(app.dataDir)) {
        const bytes = readFileSync(join(app.dataDir, file));
        for (const value of typed) expect(bytes.includes(value), file).toBe(false);
      }
    });
  },
);
