import type { LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import { URI, type TOTP } from 'otpauth';
import { webhookWorkflow } from '../../support/test-app';
import { enableTwoFactor, PASSWORD, type Caller, type CallerName, type World } from './world';

/**
 * THE route × caller table (issue #5, "Walls"): for every route of the OpenAPI document, the
 * class of answer each caller must get. route-matrix.test.ts fails for a route without a row
 * here (add one, keyed `METHOD /openapi/path`) and for a row whose route is gone.
 *
 * Callers (see world.ts): anonymous; owner, admin (2FA on), member and API key (every scope)
 * of org A, with X-Organization-Id A; otherOrg = org B's owner in org B aiming at org A's
 * objects by id; wrongOrg = a member of org A naming org B in X-Organization-Id.
 *
 * Each row builds a request valid for the callers that are allowed, so a 2xx really happens
 * (a 400 would hide a missing permission check); destructive routes get a fresh object per call.
 */
export type Expected = '2xx' | 400 | 401 | 403 | 404 | 405 | 409;

export interface RouteRequest {
  /** Path parameters by name; `orgId` defaults to org A. */
  params?: Record<string, string>;
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface Row {
  expect: Record<CallerName, Expected>;
  /** Why a cell differs from what the route's access alone suggests. */
  why?: string;
  request?: (w: World, caller: Caller) => RouteRequest | Promise<RouteRequest>;
  after?: (w: World, caller: Caller, res: LightMyRequestResponse) => Promise<void> | void;
}

type Expectations = Record<CallerName, Expected>;
const all = (e: Expected): Expectations => ({
  anonymous: e,
  owner: e,
  admin: e,
  member: e,
  apiKey: e,
  otherOrg: e,
  wrongOrg: e,
});

/** No credentials needed; the Authorization header is not even read. */
const PUBLIC = all('2xx');
/** `access: 'user'`: any signed-in user, whatever the organization header; no API keys. */
const ANY_USER: Expectations = { ...all('2xx'), anonymous: 401, apiKey: 403 };
/** A member-level permission on org A's objects (by id): org B and a wrong header get 404. */
const ORG_OBJECT: Expectations = { ...all('2xx'), anonymous: 401, otherOrg: 404, wrongOrg: 404 };
/** A member-level permission on a collection: org B's owner acts in org B (2xx, none of org A's ids). */
const ORG_COLLECTION: Expectations = { ...ORG_OBJECT, otherOrg: '2xx' };
/** An owner-level permission (members:manage, api-keys:manage, audit:read): members get 403. */
const MANAGE_OBJECT: Expectations = { ...ORG_OBJECT, member: 403 };
const MANAGE_COLLECTION: Expectations = { ...ORG_COLLECTION, member: 403 };
/**
 * Routes under /v1/organizations/{orgId}: the path names org A, so the header is not read
 * (wrongOrg, a member of A, answers like the member) and org B's owner is not a member (404).
 */
const ORG_PATH_READ: Expectations = { ...ORG_OBJECT, wrongOrg: '2xx' };
const ORG_PATH_MANAGE: Expectations = { ...ORG_OBJECT, member: 403, wrongOrg: 403 };

/** `platform-admin`: the admin caller (users.platform_admin + 2FA) only; not an org matter, so 403. */
const PLATFORM: Expectations = { ...all(403), anonymous: 401, admin: '2xx' };

const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

/** A fresh account (registered, not signed in), for routes that use up or change one. */
async function freshAccount(w: World, name: string): Promise<{ userId: string; email: string }> {
  const email = `${unique(name)}@example.test`;
  const res = await w.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, password: PASSWORD, name },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return { userId: res.json().id as string, email };
}

/** A refresh token from a new sign-in of the world's spare account. */
async function freshRefreshToken(w: World): Promise<string> {
  const res = await w.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: w.spareEmail, password: PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json().refreshToken as string;
}

/** A fresh member of org A, for routes that change or remove one. */
async function freshMember(w: World): Promise<string> {
  const user = await freshAccount(w, 'extra');
  await w.asOwner('POST', `/v1/organizations/${w.orgA}/users`, { email: user.email });
  return user.userId;
}

const userOf = (c: Caller) => c.user;

/** A fresh event subscription of org A (created by its owner); returns its id. */
async function matrixSubscription(w: World, eventTypes = ['execution.failed']): Promise<string> {
  const res = await w.asOwner('POST', '/v1/event-subscriptions', {
    url: 'https://hooks.example.test/matrix',
    eventTypes,
  });
  if (res.statusCode !== 201) throw new Error(`subscribe failed: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

export const ROUTES: Record<string, Row> = {
  // ── accounts (public) ──────────────────────────────────────────────────────────────────
  'POST /v1/auth/register': {
    expect: PUBLIC,
    request: () => ({
      body: { email: `${unique('reg')}@example.test`, password: PASSWORD, name: 'New' },
    }),
  },
  'POST /v1/auth/verify-email': {
    expect: PUBLIC,
    request: async (w) => {
      const user = await freshAccount(w, 'verify');
      return { body: { token: w.tokenMailedTo(user.email) } };
    },
  },
  'POST /v1/auth/password/forgot': {
    expect: PUBLIC,
    request: () => ({ body: { email: 'whoever@example.test' } }),
  },
  'POST /v1/auth/password/reset': {
    expect: PUBLIC,
    request: async (w) => {
      const user = await freshAccount(w, 'reset');
      await w.app.inject({
        method: 'POST',
        url: '/v1/auth/password/forgot',
        payload: { email: user.email },
      });
      return { body: { token: w.tokenMailedTo(user.email), password: 'a brand new passphrase' } };
    },
  },
  'POST /v1/auth/login': {
    expect: PUBLIC,
    request: (w) => ({ body: { email: w.spareEmail, password: PASSWORD } }),
  },
  'POST /v1/auth/refresh': {
    expect: PUBLIC,
    request: async (w) => ({ body: { refreshToken: await freshRefreshToken(w) } }),
  },
  'POST /v1/auth/logout': {
    expect: PUBLIC,
    request: async (w) => ({ body: { refreshToken: await freshRefreshToken(w) } }),
  },
  'POST /v1/auth/logout-all': { expect: ANY_USER },

  // ── OpenID Connect: the matrix world configures no provider (the flow against a real
  // provider is tested by the OIDC suite); public routes, so every caller gets the same answer.
  'GET /v1/auth/oidc/providers': { expect: PUBLIC },
  'GET /v1/auth/oidc/{provider}/start': {
    expect: all(404),
    why: 'no provider is configured here: 404 for everyone (the route is public)',
    request: () => ({
      params: { provider: 'matrix' },
      query: {
        redirect_uri: 'http://127.0.0.1/done',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      },
    }),
  },
  'GET /v1/auth/oidc/{provider}/callback': {
    expect: all(404),
    why: 'no provider is configured here: 404 for everyone (the route is public)',
    request: () => ({ params: { provider: 'matrix' }, query: { code: 'x', state: 'y' } }),
  },
  'POST /v1/auth/oidc/{provider}/reauth': {
    expect: { ...ANY_USER, owner: 404, admin: 404, member: 404, otherOrg: 404, wrongOrg: 404 },
    why: 'a signed-in user only (step-up for 2FA enrolment); no provider is configured here: 404',
    request: () => ({
      params: { provider: 'matrix' },
      body: {
        redirectUri: 'http://127.0.0.1/done',
        codeChallenge: 'a'.repeat(43),
        codeChallengeMethod: 'S256',
      },
    }),
  },
  'POST /v1/auth/oidc/exchange': {
    expect: all(400),
    why: 'no sign-in happened, so no one-time code is valid: 400 for everyone (public)',
    request: () => ({ body: { code: 'not-issued', codeVerifier: 'v'.repeat(43) } }),
  },

  // ── two-factor (user-level; order matters: enrol → confirm → disable) ────────────────
  'GET /v1/auth/2fa': { expect: ANY_USER },
  'POST /v1/auth/2fa/enrol': {
    expect: { ...ANY_USER, admin: 409 },
    why: 'the admin already has 2FA enabled (admins must), so enrolling again is a conflict',
    request: () => ({ body: { password: PASSWORD } }),
  },
  'POST /v1/auth/2fa/confirm': {
    expect: { ...ANY_USER, admin: 400 },
    why: 'the admin has no enrolment waiting (2FA is already on)',
    request: async (w, c) => {
      const user = userOf(c);
      if (!user) return { body: { code: '000000' } };
      const enrol = await w.app.inject({
        method: 'POST',
        url: '/v1/auth/2fa/enrol',
        headers: { authorization: `Bearer ${user.accessToken}` },
        payload: { password: PASSWORD },
      });
      if (enrol.statusCode !== 201) return { body: { code: '000000' } };
      const totp = URI.parse(enrol.json().otpauthUri as string) as TOTP;
      w.twoFactor.set(user.userId, { secret: enrol.json().secret, recoveryCodes: [] });
      return { body: { code: totp.generate() } };
    },
    after: (w, c, res) => {
      const state = c.user && w.twoFactor.get(c.user.userId);
      if (state && res.statusCode === 200) state.recoveryCodes = res.json().recoveryCodes;
    },
  },
  'POST /v1/auth/2fa/disable': {
    expect: ANY_USER,
    // A recovery code: the TOTP code of this 30 s step was spent by confirm (no replay).
    request: (w, c) => ({
      body: { code: (c.user && w.twoFactor.get(c.user.userId)?.recoveryCodes.pop()) ?? '000000' },
    }),
    after: async (w, c, res) => {
      // The admin must keep 2FA for the rows that follow.
      if (c.name === 'admin' && res.statusCode === 200)
        w.twoFactor.set(c.user!.userId, await enableTwoFactor(w.app, c.user!));
    },
  },

  // ── organizations and members ───────────────────────────────────────────────────────
  'POST /v1/organizations': { expect: ANY_USER, request: () => ({ body: { name: 'Another' } }) },
  'GET /v1/organizations': { expect: ANY_USER },
  'GET /v1/users/me': { expect: ANY_USER },
  'GET /v1/organizations/{orgId}/users': { expect: ORG_PATH_READ },
  'POST /v1/organizations/{orgId}/users': {
    expect: ORG_PATH_MANAGE,
    request: async (w) => ({
      body: { email: (await freshAccount(w, 'joiner')).email, role: 'member' },
    }),
  },
  'PUT /v1/organizations/{orgId}/users/{userId}': {
    expect: ORG_PATH_MANAGE,
    request: async (w) => ({ params: { userId: await freshMember(w) }, body: { role: 'member' } }),
  },
  'DELETE /v1/organizations/{orgId}/users/{userId}': {
    expect: ORG_PATH_MANAGE,
    request: async (w) => ({ params: { userId: await freshMember(w) } }),
  },
  'GET /v1/organizations/{orgId}/roles': { expect: ORG_PATH_READ },
  'POST /v1/organizations/{orgId}/roles': {
    expect: ORG_PATH_MANAGE,
    request: () => ({ body: { name: unique('role'), permissions: ['workflows:read'] } }),
  },
  'PUT /v1/organizations/{orgId}/roles/{roleId}': {
    expect: ORG_PATH_MANAGE,
    request: (w) => ({
      params: { roleId: w.a.customRoleId },
      body: { name: unique('renamed'), permissions: ['workflows:read', 'executions:read'] },
    }),
  },
  'DELETE /v1/organizations/{orgId}/roles/{roleId}': {
    expect: ORG_PATH_MANAGE,
    request: async (w) => {
      const role = await w.asOwner('POST', `/v1/organizations/${w.orgA}/roles`, {
        name: unique('doomed'),
        permissions: ['workflows:read'],
      });
      return { params: { roleId: role.json().id } };
    },
  },
  'POST /v1/organizations/{orgId}/invitations': {
    expect: ORG_PATH_MANAGE,
    request: () => ({ body: { email: `${unique('invitee')}@example.test`, role: 'member' } }),
  },
  'GET /v1/organizations/{orgId}/invitations': { expect: ORG_PATH_MANAGE },
  'DELETE /v1/organizations/{orgId}/invitations/{invitationId}': {
    expect: ORG_PATH_MANAGE,
    request: async (w) => {
      const inv = await w.asOwner('POST', `/v1/organizations/${w.orgA}/invitations`, {
        email: `${unique('revoked')}@example.test`,
      });
      return { params: { invitationId: inv.json().id } };
    },
  },
  'POST /v1/invitations/accept': {
    expect: { ...PUBLIC, apiKey: 403 },
    why: 'public, but a sent Authorization is used: an API key cannot accept; a signed-in caller accepts for its own verified address',
    request: async (w, c) => {
      // Signed in: org C invites the caller itself; anonymous (and the key): a new address.
      const email = c.user?.email ?? `${unique('newcomer')}@example.test`;
      const res = await w.app.inject({
        method: 'POST',
        url: `/v1/organizations/${w.orgC}/invitations`,
        headers: w.spareHeaders,
        payload: { email },
      });
      if (res.statusCode !== 201) throw new Error(`invite failed: ${res.body}`);
      const token = w.tokenMailedTo(email);
      return { body: c.user ? { token } : { token, name: 'Newcomer', password: PASSWORD } };
    },
  },
  'GET /v1/organizations/{orgId}/ip-allowlist': { expect: ORG_PATH_MANAGE },
  'PUT /v1/organizations/{orgId}/ip-allowlist': {
    expect: ORG_PATH_MANAGE,
    request: () => ({ body: { api: null, webhooks: null } }),
  },

  // ── API keys ────────────────────────────────────────────────────────────────────────
  'POST /v1/api-keys': {
    expect: { ...MANAGE_COLLECTION, apiKey: 403 },
    why: 'an API key cannot create API keys, whatever its scopes',
    request: () => ({ body: { name: 'another key', scopes: ['workflows:read'] } }),
  },
  'GET /v1/api-keys': { expect: MANAGE_COLLECTION },
  'DELETE /v1/api-keys/{id}': {
    expect: MANAGE_OBJECT,
    request: async (w) => ({
      params: { id: (await w.asOwner('POST', '/v1/api-keys', { name: 'doomed' })).json().id },
    }),
  },

  // ── workflows ───────────────────────────────────────────────────────────────────────
  'POST /v1/workflows': {
    expect: ORG_COLLECTION,
    request: () => ({ body: { definition: webhookWorkflow('created') } }),
  },
  'GET /v1/workflows': { expect: ORG_COLLECTION },
  'GET /v1/workflows/{id}': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.workflowId } }),
  },
  'PUT /v1/workflows/{id}': {
    expect: ORG_OBJECT,
    request: (w) => ({
      params: { id: w.a.editableWorkflowId },
      body: { definition: webhookWorkflow('edited') },
    }),
  },
  'GET /v1/workflows/{id}/versions': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.workflowId } }),
  },
  'POST /v1/workflows/{id}/disable': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.editableWorkflowId }, body: { reason: 'matrix' } }),
  },
  'POST /v1/workflows/{id}/enable': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.editableWorkflowId }, body: {} }),
  },
  'GET /v1/workflows/{id}/access': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.sharedWorkflowId } }),
  },
  'PUT /v1/workflows/{id}/access': {
    expect: MANAGE_OBJECT,
    request: (w) => ({
      params: { id: w.a.sharedWorkflowId },
      body: { restricted: true, members: [{ userId: w.a.memberUserId, access: 'view' }] },
    }),
  },
  // SLA (decision 0018): set first, so the read finds one.
  'GET /v1/workflows/{id}/sla': {
    expect: ORG_OBJECT,
    request: async (w) => {
      await w.asOwner('PUT', `/v1/workflows/${w.a.editableWorkflowId}/sla`, {
        maxDurationSeconds: 600,
      });
      return { params: { id: w.a.editableWorkflowId } };
    },
  },
  'PUT /v1/workflows/{id}/sla': {
    expect: ORG_OBJECT,
    request: (w) => ({
      params: { id: w.a.editableWorkflowId },
      body: { maxDurationSeconds: 600, maxStartDelaySeconds: 60 },
    }),
  },
  'DELETE /v1/workflows/{id}/sla': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.editableWorkflowId } }),
  },
  'POST /v1/workflows/{id}/webhook-secret': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.signedWorkflowId } }),
  },

  // ── executions ──────────────────────────────────────────────────────────────────────
  'POST /v1/workflows/{id}/executions': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.workflowId }, body: { input: { from: 'matrix' } } }),
  },
  'GET /v1/workflows/{id}/executions': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.workflowId }, query: { limit: '5' } }),
  },
  'GET /v1/executions': {
    expect: ORG_COLLECTION,
    request: () => ({ query: { limit: '5' } }),
  },
  'GET /v1/executions/stats': { expect: ORG_COLLECTION },
  'GET /v1/executions/{id}': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.executionId } }),
  },
  'GET /v1/executions/{id}/logs': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.executionId } }),
  },
  'POST /v1/executions/{id}/cancel': {
    expect: ORG_OBJECT,
    request: async (w) => {
      const started = await w.asOwner('POST', `/v1/workflows/${w.a.workflowId}/executions`, {});
      return { params: { id: started.json().id } };
    },
  },

  // ── connectors and connections ──────────────────────────────────────────────────────
  'POST /v1/connectors': {
    expect: ORG_COLLECTION,
    request: () => ({ body: { name: unique('connector'), kind: 'http' } }),
  },
  'GET /v1/connectors': { expect: ORG_COLLECTION },
  'POST /v1/connections': {
    expect: ORG_COLLECTION,
    request: () => ({ body: { name: unique('connection'), secrets: { token: 't' } } }),
  },
  'GET /v1/connections': { expect: ORG_COLLECTION },
  'GET /v1/connections/{id}': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.connectionId } }),
  },
  'PUT /v1/connections/{id}/rate-limit': {
    expect: ORG_OBJECT,
    request: (w) => ({
      params: { id: w.a.connectionId },
      body: { rateLimit: { requests: 1000, intervalSeconds: 1 } },
    }),
  },
  'DELETE /v1/connections/{id}/rate-limit': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.connectionId } }),
  },
  'POST /v1/connections/{id}/refresh': {
    expect: ORG_OBJECT,
    why: 'the token endpoint is refused by the SSRF guard: 200 with status refresh_failed',
    request: async (w) => {
      const c = await w.asOwner('POST', '/v1/connections', {
        name: unique('oauth2'),
        kind: 'oauth2',
        oauth2: {
          tokenUrl: 'http://127.0.0.1:9/token',
          grant: 'client_credentials',
          clientId: 'matrix',
          clientSecret: 'matrix-secret',
        },
      });
      return { params: { id: c.json().id } };
    },
  },
  'PUT /v1/connections/{id}/secrets': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.connectionId }, body: { secrets: { token: 'new' } } }),
  },
  'DELETE /v1/connections/{id}': {
    expect: ORG_OBJECT,
    request: async (w) => {
      const c = await w.asOwner('POST', '/v1/connections', {
        name: unique('doomed'),
        secrets: { token: 't' },
      });
      return { params: { id: c.json().id } };
    },
  },

  // ── variables and usage ─────────────────────────────────────────────────────────────
  'GET /v1/variables': { expect: ORG_COLLECTION },
  'PUT /v1/variables/{key}': {
    expect: MANAGE_COLLECTION,
    why: 'a key names no org A object: org B writes its own variable',
    request: () => ({ params: { key: 'API_URL' }, body: { value: 'https://example.test' } }),
  },
  'DELETE /v1/variables/{key}': {
    expect: MANAGE_OBJECT,
    request: async (w) => {
      const key = `DOOMED_${randomBytes(4).toString('hex').toUpperCase()}`;
      await w.asOwner('PUT', `/v1/variables/${key}`, { value: 'x' });
      return { params: { key } };
    },
  },
  'GET /v1/usage': { expect: ORG_COLLECTION },

  // ── event webhooks (decision 0019): owners and admins; each row its own subscription ──
  'POST /v1/event-subscriptions': {
    expect: MANAGE_COLLECTION,
    why: 'org B subscribes in org B',
    request: () => ({
      body: { url: 'https://hooks.example.test/matrix', eventTypes: ['execution.failed'] },
    }),
  },
  'GET /v1/event-subscriptions': { expect: MANAGE_COLLECTION },
  'GET /v1/event-subscriptions/{id}': {
    expect: MANAGE_OBJECT,
    request: async (w) => ({ params: { id: await matrixSubscription(w) } }),
  },
  'PATCH /v1/event-subscriptions/{id}': {
    expect: MANAGE_OBJECT,
    request: async (w) => ({
      params: { id: await matrixSubscription(w) },
      body: { description: 'patched by the matrix' },
    }),
  },
  'DELETE /v1/event-subscriptions/{id}': {
    expect: MANAGE_OBJECT,
    request: async (w) => ({ params: { id: await matrixSubscription(w) } }),
  },
  'POST /v1/event-subscriptions/{id}/rotate-secret': {
    expect: MANAGE_OBJECT,
    request: async (w) => ({ params: { id: await matrixSubscription(w) } }),
  },
  'GET /v1/event-subscriptions/{id}/deliveries': {
    expect: MANAGE_OBJECT,
    request: async (w) => ({ params: { id: await matrixSubscription(w) } }),
  },
  'POST /v1/event-subscriptions/{id}/deliveries/{deliveryId}/redeliver': {
    expect: MANAGE_OBJECT,
    request: async (w) => {
      const id = await matrixSubscription(w, ['workflow.disabled', 'workflow.enabled']);
      await w.asOwner('POST', `/v1/workflows/${w.a.editableWorkflowId}/disable`);
      await w.asOwner('POST', `/v1/workflows/${w.a.editableWorkflowId}/enable`);
      const log = await w.asOwner('GET', `/v1/event-subscriptions/${id}/deliveries`);
      const deliveryId = (log.json().items as { id: string }[])[0]?.id;
      if (!deliveryId) throw new Error(`no delivery to redeliver: ${log.body}`);
      return { params: { id, deliveryId } };
    },
  },

  // ── notifications and audit ─────────────────────────────────────────────────────────
  'GET /v1/notifications': { expect: ORG_COLLECTION },
  'POST /v1/notifications/{id}/read': {
    expect: ORG_OBJECT,
    request: (w) => ({ params: { id: w.a.notificationId } }),
  },
  // The caller's own muting (an API key acts as its creator); org B's owner has their own.
  'GET /v1/alert-settings': { expect: ORG_COLLECTION },
  'PUT /v1/alert-settings': {
    expect: ORG_COLLECTION,
    request: () => ({ body: { muteAll: false, mutedWorkflowIds: [] } }),
  },
  'GET /v1/audit-events': { expect: MANAGE_COLLECTION },
  'GET /v1/audit-events/export': {
    expect: MANAGE_COLLECTION,
    request: () => ({ query: { format: 'json' } }),
  },

  // ── platform administration ───────────────────────────────────────────────────────
  'GET /v1/admin/organizations': { expect: PLATFORM },
  'GET /v1/admin/users': { expect: PLATFORM },
  'GET /v1/admin/audit-events': { expect: PLATFORM },
  'POST /v1/admin/users/{id}/disable': {
    expect: PLATFORM,
    request: async (w) => ({ params: { id: (await freshAccount(w, 'disabled')).userId } }),
  },
  'POST /v1/admin/users/{id}/enable': {
    expect: PLATFORM,
    request: async (w) => ({ params: { id: (await freshAccount(w, 'enabled')).userId } }),
  },
  'GET /v1/admin/plans': { expect: PLATFORM },
  'PUT /v1/admin/plans/{id}': {
    expect: PLATFORM,
    request: () => ({
      params: { id: 'matrix' },
      body: { name: 'Matrix', maxConcurrentExecutions: 10, maxExecutionsPerMonth: null },
    }),
  },
  'PUT /v1/admin/organizations/{id}/plan': {
    expect: PLATFORM,
    // Org C (the spare account's) stays on the free plan: the other rows do not depend on it.
    request: (w) => ({ params: { id: w.orgC }, body: { planId: 'free' } }),
  },

  // ── webhooks: the token is the credential, whoever calls ──────────────────────────
  'POST /v1/hooks/{token}': {
    expect: PUBLIC,
    request: (w) => ({ params: { token: w.a.webhookToken }, body: { hello: 'matrix' } }),
  },
  ...Object.fromEntries(
    ['GET', 'PUT', 'PATCH', 'DELETE'].map((method) => [
      `${method} /v1/hooks/{token}`,
      {
        expect: all(405),
        why: 'the trigger accepts POST only',
        request: (w: World) => ({ params: { token: w.a.webhookToken } }),
      } satisfies Row,
    ]),
  ),
};

/** Routes hidden from the OpenAPI document (probes): checked to exist, with their own rows. */
export const HIDDEN_ROUTES: Record<string, Row> = {
  'GET /healthz': { expect: PUBLIC },
  'GET /readyz': { expect: PUBLIC },
  'GET /metrics': { expect: PUBLIC },
  'GET /v1/openapi.json': { expect: PUBLIC },
};
