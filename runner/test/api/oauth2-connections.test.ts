import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runConnectionJob } from '../../src/connections/refresh-job';
import { REAUTHORIZATION_NOTIFICATION_KIND } from '../../src/connections/reauthorization-notice';
import { withSystemContext } from '../../src/db/org-context';
import type { Mail, Mailer } from '../../src/notifications/mailer';
import { createAddressPolicy } from '../../src/worker/address-policy';
import {
  createGuardedHttpClient,
  type GuardedHttpClient,
} from '../../src/worker/guarded-http-client';
import type { Log } from '../../src/worker/logger';
import { startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';

type Owner = Awaited<ReturnType<typeof signUpWithOrg>>;

let t: TestApp;
let app: FastifyInstance;
let oauth: OAuth2TestServer;
let http: { strict: GuardedHttpClient; open: GuardedHttpClient };
const mails: Mail[] = [];
const logged: unknown[] = [];
/** Records every mail the job sends (the interface the scheduler's SMTP mailer implements). */
const mailer: Mailer = { send: async (mail) => void mails.push(mail), close() {} };
const log: Log = {
  info: (o, m) => void logged.push([o, m]),
  warn: (o, m) => void logged.push([o, m]),
  error: (o, m) => void logged.push([o, m]),
};

beforeAll(async () => {
  [t, oauth] = await Promise.all([createTestApp(), startOAuth2Server()]);
  app = t.app;
  http = {
    strict: createGuardedHttpClient({ policy: createAddressPolicy() }),
    open: createGuardedHttpClient({ policy: createAddressPolicy({ allowPrivateNetwork: true }) }),
  };
});

afterAll(async () => {
  await Promise.all([http?.strict.close(), http?.open.close()]);
  await oauth?.close();
  await t?.close();
});

beforeEach(() => {
  oauth.mode = 'normal';
  oauth.expiresIn = 3600;
  oauth.delayMs = 0;
});

const job = (now = new Date()) =>
  runConnectionJob({ orm: t.db.orm, box: app.secretBox, http, log, mailer }, now);

async function allowLocalCalls(orgId: string) {
  await withSystemContext(t.db.orm, (em) =>
    em.execute('update organizations set allow_private_network = true where id = ?', [orgId]),
  );
}

function oauth2Body(overrides: Record<string, unknown> = {}) {
  return {
    tokenUrl: oauth.tokenUrl,
    grant: 'refresh_token',
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    refreshToken: oauth.consent(),
    ...overrides,
  };
}

async function createOAuth2(owner: Owner, name: string, overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/connections',
    headers: owner.headers,
    payload: { name, kind: 'oauth2', oauth2: oauth2Body(overrides) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; status: string };
}

const refresh = (owner: Owner, id: string) =>
  app.inject({ method: 'POST', url: `/v1/connections/${id}/refresh`, headers: owner.headers });
const getOne = (who: { headers: Record<string, string> }, id: string) =>
  app.inject({ url: `/v1/connections/${id}`, headers: who.headers });

async function connectionRow(id: string) {
  const [row] = await withSystemContext(t.db.orm, (em) =>
    em.execute<Record<string, string | number | null>[]>(
      `select status, expires_at, refresh_due_at, refresh_failures, secret_enc, last_error from connections where id = ?`,
      [id],
    ),
  );
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)));
  return {
    status: row!.status as string,
    expires_at: date(row!.expires_at),
    refresh_due_at: date(row!.refresh_due_at),
    refresh_failures: Number(row!.refresh_failures),
    secret_enc: row!.secret_enc as string,
    last_error: row!.last_error as string | null,
  };
}

function expectNoSecrets(text: string) {
  for (const secret of oauth.secrets()) expect(text).not.toContain(secret);
}

describe('OAuth 2.0 connections: API', () => {
  it('refuses bad oauth2 bodies with problem+json naming the JSON path', async () => {
    const owner = await signUpWithOrg(app, 'bad');
    const post = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/v1/connections', headers: owner.headers, payload });
    const paths = async (payload: Record<string, unknown>) => {
      const res = await post(payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      return (res.json().errors as { path: string }[]).map((e) => e.path);
    };
    expect(await paths({ name: 'a', kind: 'oauth2' })).toContain('oauth2');
    expect(
      await paths({
        name: 'a',
        kind: 'oauth2',
        oauth2: oauth2Body({ tokenUrl: 'http://example.com/t' }),
      }),
    ).toContain('oauth2.tokenUrl');
    expect(
      await paths({ name: 'a', kind: 'oauth2', oauth2: oauth2Body({ refreshToken: undefined }) }),
    ).toContain('oauth2.refreshToken');
    expect(
      await paths({ name: 'a', kind: 'oauth2', oauth2: oauth2Body({ grant: 'password' }) }),
    ).toContain('oauth2.grant');
    expect(
      await paths({ name: 'a', kind: 'oauth2', oauth2: oauth2Body(), secrets: { token: 't' } }),
    ).toContain('secrets');
    expect(await paths({ name: 'a', oauth2: oauth2Body() })).toContain('oauth2');
    const https = await post({
      name: 'https',
      kind: 'oauth2',
      oauth2: oauth2Body({ tokenUrl: 'https://login.example.com/oauth/token' }),
    });
    expect(https.statusCode, https.body).toBe(201);
    // Not refreshed by the job tests below (it would go to the internet).
    await app.inject({
      method: 'DELETE',
      url: `/v1/connections/${https.json().id}`,
      headers: owner.headers,
    });
  });

  it('refreshes on demand, keeps the rotated refresh token, and never returns a token', async () => {
    const owner = await signUpWithOrg(app, 'refresher');
    await allowLocalCalls(owner.orgId);
    const created = await createOAuth2(owner, 'crm');
    expect(created).toMatchObject({
      kind: 'oauth2',
      status: 'ok',
      expiresAt: null,
      lastRefreshedAt: null,
      lastError: null,
      oauth2: { tokenUrl: oauth.tokenUrl, grant: 'refresh_token', clientAuth: 'basic' },
    });
    const before = oauth.tokenRequests.length;
    const first = await refresh(owner, created.id);
    expect(first.statusCode, first.body).toBe(200);
    const info = first.json();
    expect(info.status).toBe('ok');
    expect(new Date(info.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(info.lastRefreshedAt).not.toBeNull();
    expect(info.secretFields.sort()).toEqual([
      'accessToken',
      'clientId',
      'clientSecret',
      'refreshToken',
    ]);
    // The server killed the first refresh token: the second refresh works only with the rotated one.
    const second = await refresh(owner, created.id);
    expect(second.json()).toMatchObject({ status: 'ok', lastError: null });
    const requests = oauth.tokenRequests.slice(before);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.refreshToken).not.toBe(requests[0]!.refreshToken);

    const listed = await app.inject({ url: '/v1/connections', headers: owner.headers });
    const one = await getOne(owner, created.id);
    expect(one.json()).toMatchObject({ id: created.id, status: 'ok' });
    for (const body of [first.body, second.body, listed.body, one.body]) expectNoSecrets(body);
    expectNoSecrets((await connectionRow(created.id)).secret_enc);
  });

  it('client_credentials: a token for the client itself, scope sent, client authenticated by form fields', async () => {
    const owner = await signUpWithOrg(app, 'machine');
    await allowLocalCalls(owner.orgId);
    const created = await createOAuth2(owner, 'm2m', {
      grant: 'client_credentials',
      refreshToken: undefined,
      clientAuth: 'body',
      scope: 'orders:read',
    });
    const before = oauth.tokenRequests.length;
    const res = await refresh(owner, created.id);
    expect(res.json()).toMatchObject({
      status: 'ok',
      oauth2: { grant: 'client_credentials', clientAuth: 'body', scope: 'orders:read' },
    });
    expect(oauth.tokenRequests.slice(before)).toEqual([
      { grant: 'client_credentials', scope: 'orders:read' },
    ]);
    expect(res.json().secretFields.sort()).toEqual(['accessToken', 'clientId', 'clientSecret']);
    // A wrong client secret is not something a retry fixes.
    const wrong = await app.inject({
      method: 'PUT',
      url: `/v1/connections/${created.id}/secrets`,
      headers: owner.headers,
      payload: {
        oauth2: oauth2Body({
          grant: 'client_credentials',
          refreshToken: undefined,
          clientSecret: 'not-the-secret',
        }),
      },
    });
    expect(wrong.statusCode, wrong.body).toBe(200);
    const refused = await refresh(owner, created.id);
    expect(refused.json()).toMatchObject({ status: 'needs_reauthorization' });
    expect(refused.json().lastError).toMatch(/invalid_client/);
  });

  it('invalid_grant marks the connection needs_reauthorization; replacing the credentials clears it', async () => {
    const owner = await signUpWithOrg(app, 'revoked');
    await allowLocalCalls(owner.orgId);
    const created = await createOAuth2(owner, 'erp');
    oauth.mode = 'invalid_grant';
    const res = await refresh(owner, created.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'needs_reauthorization' });
    // The provider echoed the refresh token in its error description: it is redacted.
    expect(res.json().lastError).toMatch(/invalid_grant/);
    expect(res.json().lastError).toContain('[redacted]');
    expectNoSecrets(res.body);
    const audit = await app.inject({ url: '/v1/audit-events', headers: owner.headers });
    const actions = (audit.json().items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['connection.needs_reauthorization']));

    oauth.mode = 'normal';
    const replaced = await app.inject({
      method: 'PUT',
      url: `/v1/connections/${created.id}/secrets`,
      headers: owner.headers,
      payload: { oauth2: oauth2Body() },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ status: 'ok', lastError: null });
    expect((await refresh(owner, created.id)).json().status).toBe('ok');
    const wrongShape = await app.inject({
      method: 'PUT',
      url: `/v1/connections/${created.id}/secrets`,
      headers: owner.headers,
      payload: { secrets: { token: 'x' } },
    });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().errors[0].path).toBe('oauth2');
  });

  it('goes through the SSRF guard: a loopback token URL is refused unless the organization allows private networks', async () => {
    const owner = await signUpWithOrg(app, 'guarded');
    const created = await createOAuth2(owner, 'local');
    const before = oauth.tokenRequests.length;
    const res = await refresh(owner, created.id);
    expect(res.json()).toMatchObject({ status: 'refresh_failed' });
    expect(res.json().lastError).toMatch(/loopback|refused/);
    expect(oauth.tokenRequests.length).toBe(before);
  });

  it('another organization can neither see nor refresh the connection (404)', async () => {
    const owner = await signUpWithOrg(app, 'mine');
    const stranger = await signUpWithOrg(app, 'stranger');
    await allowLocalCalls(owner.orgId);
    const created = await createOAuth2(owner, 'private');
    expect((await getOne(stranger, created.id)).statusCode).toBe(404);
    expect((await refresh(stranger, created.id)).statusCode).toBe(404);
    const theirs = await app.inject({ url: '/v1/connections', headers: stranger.headers });
    expect(theirs.body).not.toContain(created.id);
    expect((await connectionRow(created.id)).expires_at).toBeNull();
  });

  it('refreshing a static connection is a conflict (409)', async () => {
    const owner = await signUpWithOrg(app, 'static');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/connections',
      headers: owner.headers,
      payload: { name: 'plain', secrets: { token: 't' } },
    });
    expect(res.json()).toMatchObject({ status: 'ok', oauth2: null, expiresAt: null });
    expect((await refresh(owner, res.json().id)).statusCode).toBe(409);
  });
});

describe('OAuth 2.0 connections: the scheduler job', () => {
  // The job sees every organization: connections of the tests above are parked, not due.
  beforeEach(async () => {
    await withSystemContext(t.db.orm, (em) =>
      em.execute(`update connections set refresh_due_at = null`),
    );
  });

  it('refreshes a token 24 h before its expiry, not earlier, and then not again', async () => {
    const owner = await signUpWithOrg(app, 'ahead');
    await allowLocalCalls(owner.orgId);
    const hour = 3_600_000;
    oauth.expiresIn = 30 * 86_400;
    const soon = await createOAuth2(owner, 'soon', {
      accessToken: 'pasted-access-1',
      expiresAt: new Date(Date.now() + 20 * hour).toISOString(),
    });
    const later = await createOAuth2(owner, 'later', {
      accessToken: 'pasted-access-2',
      expiresAt: new Date(Date.now() + 30 * hour).toISOString(),
    });
    const before = oauth.tokenRequests.length;
    const result = await job();
    expect(result.refreshed).toBeGreaterThanOrEqual(1);
    const refreshed = await connectionRow(soon.id);
    expect(refreshed.status).toBe('ok');
    expect(refreshed.expires_at!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(refreshed.refresh_due_at!.getTime()).toBe(refreshed.expires_at!.getTime() - 86_400_000);
    expect((await connectionRow(later.id)).expires_at!.getTime()).toBeLessThan(
      Date.now() + 31 * hour,
    );
    const requests = oauth.tokenRequests.length;
    expect(requests - before).toBe(1);
    // Seven hours on, the second one is inside its last 24 h.
    await job(new Date(Date.now() + 7 * hour));
    expect(oauth.tokenRequests.length - requests).toBe(1);
    expect((await connectionRow(later.id)).expires_at!.getTime()).toBeGreaterThan(
      Date.now() + 29 * 86_400_000,
    );
    await job(new Date(Date.now() + 7 * hour));
    expect(oauth.tokenRequests.length - requests).toBe(1);
  });

  it('two scheduler instances refresh each due connection once', async () => {
    const owner = await signUpWithOrg(app, 'twice');
    await allowLocalCalls(owner.orgId);
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await createOAuth2(owner, `pair-${name}`)).id);
    oauth.delayMs = 200;
    const before = oauth.tokenRequests.length;
    const [one, two] = await Promise.all([job(), job()]);
    expect(one.refreshed + two.refreshed).toBe(3);
    expect(oauth.tokenRequests.length - before).toBe(3);
    for (const id of ids) expect((await connectionRow(id)).status).toBe('ok');
  });

  it('backs off after a failure and recovers', async () => {
    const owner = await signUpWithOrg(app, 'outage');
    await allowLocalCalls(owner.orgId);
    const created = await createOAuth2(owner, 'flaky');
    oauth.mode = 'unavailable';
    const now = new Date();
    await job(now);
    const failed = await connectionRow(created.id);
    expect(failed).toMatchObject({ status: 'refresh_failed', refresh_failures: 1 });
    expect(failed.last_error).toMatch(/503/);
    expect(failed.refresh_due_at!.getTime()).toBeGreaterThan(now.getTime() + 50_000);
    const before = oauth.tokenRequests.length;
    await job(now); // still backing off
    expect(oauth.tokenRequests.length).toBe(before);
    await job(new Date(failed.refresh_due_at!.getTime() + 1_000));
    const again = await connectionRow(created.id);
    expect(again.refresh_failures).toBe(2);
    // The second wait is twice the first (2 minutes).
    expect(again.refresh_due_at!.getTime() - Date.now()).toBeGreaterThan(100_000);
    oauth.mode = 'normal';
    await job(new Date(again.refresh_due_at!.getTime() + 1_000));
    expect(await connectionRow(created.id)).toMatchObject({ status: 'ok', refresh_failures: 0 });
  });

  it('invalid_grant: needs_reauthorization, the owners notified once (in-app and email), no more refreshes', async () => {
    const owner = await signUpWithOrg(app, 'notified');
    await allowLocalCalls(owner.orgId);
    const created = await createOAuth2(owner, 'revoked-grant');
    oauth.mode = 'invalid_grant';
    mails.length = 0;
    logged.length = 0;
    await job();
    expect((await connectionRow(created.id)).status).toBe('needs_reauthorization');
    const notifications = async () =>
      (await app.inject({ url: '/v1/notifications', headers: owner.headers })).json().items as {
        kind: string;
        title: string;
        body: string;
        connectionId: string | null;
      }[];
    const mine = (await notifications()).filter(
      (n) => n.kind === REAUTHORIZATION_NOTIFICATION_KIND,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]!.title).toContain('revoked-grant');
    expect(mine[0]).toMatchObject({ connectionId: created.id, workflowId: null });
    expect(mails.filter((m) => m.to === owner.email)).toHaveLength(1);
    const before = oauth.tokenRequests.length;
    await job(new Date(Date.now() + 86_400_000));
    expect(oauth.tokenRequests.length).toBe(before);
    expect(
      (await notifications()).filter((n) => n.kind === REAUTHORIZATION_NOTIFICATION_KIND),
    ).toHaveLength(1);
    expectNoSecrets(JSON.stringify(mine) + JSON.stringify(mails) + JSON.stringify(logged));
  });
});
