import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { URI, type TOTP } from 'otpauth';
import { Notification } from '../../../src/db/entities/audit';
import { withOrgContext, withSystemContext } from '../../../src/db/org-context';
import { PERMISSIONS } from '../../../src/http/permissions';
import type { MailSender } from '../../../src/modules/auth/email-verification';
import {
  createTestApp,
  signUp,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
  type TestUser,
} from '../../support/test-app';

export const PASSWORD = 'correct horse battery';

/** Every kind of caller the matrix tries on every route. */
export const CALLERS = [
  'anonymous',
  'owner',
  'admin',
  'member',
  'apiKey',
  'otherOrg',
  'wrongOrg',
] as const;
export type CallerName = (typeof CALLERS)[number];

/** What the matrix knows about one caller. */
export interface Caller {
  name: CallerName;
  /** Authorization and X-Organization-Id, as this caller sends them. */
  headers: Record<string, string>;
  /** The signed-in user, for user callers (null for anonymous and the API key). */
  user: TestUser | null;
}

export interface TwoFactor {
  secret: string;
  recoveryCodes: string[];
}

/**
 * Org A with an owner, an admin (2FA on), a member, a second member and an API key with every
 * scope; org B with its owner; and org A objects to aim at. `mails` keeps what the API sent.
 */
export interface World {
  t: TestApp;
  app: FastifyInstance;
  orgA: string;
  orgB: string;
  callers: Record<CallerName, Caller>;
  /** Org A's objects by name (path parameters and the leak check read them). */
  a: {
    workflowId: string;
    webhookToken: string;
    /** Its own workflow for PUT / enable / disable, so the main one stays as it is. */
    editableWorkflowId: string;
    /** Its own workflow for webhook-secret (a signed hook would refuse unsigned calls). */
    signedWorkflowId: string;
    /** Its own workflow for PUT access (sharing). */
    sharedWorkflowId: string;
    customRoleId: string;
    executionId: string;
    connectorId: string;
    connectionId: string;
    apiKeyId: string;
    notificationId: string;
    memberUserId: string;
  };
  /** An account without 2FA, for sign-in routes (login, refresh, logout). */
  spareEmail: string;
  /** Org C, owned by the spare account: it invites the callers (invitations/accept). */
  orgC: string;
  spareHeaders: Record<string, string>;
  /** 2FA secrets and recovery codes by user id, for the routes that need a code. */
  twoFactor: Map<string, TwoFactor>;
  mails: { to: string; text: string }[];
  /** The token of the last link mailed to `to`. */
  tokenMailedTo(to: string): string;
  /** Sends a request as the owner of org A and insists on a 2xx (fixture set-up). */
  asOwner(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Rate limits far above what a test file sends, so they never hide the answer under test. */
export const MATRIX_ENV = {
  MAESTRO_RATE_LIMIT_PER_MINUTE: '1000000',
  MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  MAESTRO_WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000',
};

export async function createWorld(): Promise<World> {
  const mails: { to: string; text: string }[] = [];
  const mailer: MailSender = {
    async send(mail) {
      mails.push({ to: mail.to, text: mail.text });
    },
  };
  const t = await createTestApp(MATRIX_ENV, {
    mailer,
    identity: { throttle: { maxPerIp: 1_000_000, maxPerAccount: 1_000_000 } },
  });
  const { app } = t;
  const tokenMailedTo = (to: string) => {
    const mail = mails.findLast((m) => m.to === to);
    const token = mail && /[?&]token=([^\s&]+)/.exec(mail.text)?.[1];
    if (!token) throw new Error(`no link with a token was mailed to ${to}`);
    return decodeURIComponent(token);
  };
  const inject = app.inject.bind(app);

  const owner = await signUpWithOrg(app, 'owner');
  const orgA = owner.orgId;
  const asOwner: World['asOwner'] = async (method, url, payload) => {
    const res = await inject({
      method: method as 'GET',
      url,
      headers: owner.headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (res.statusCode >= 300)
      throw new Error(`fixture ${method} ${url} failed: ${res.statusCode} ${res.body}`);
    return res;
  };
  const addMember = async (name: string, role: 'admin' | 'member') => {
    const user = await signUp(app, name);
    await asOwner('POST', `/v1/organizations/${orgA}/users`, { email: user.email, role });
    return user;
  };

  const member = await addMember('member', 'member');
  const secondMember = await addMember('member2', 'member');
  const admin = await addMember('admin', 'admin');
  // The platform administrator too (what `maestro-runner grant-admin` sets), before any of its
  // requests caches its account status.
  await withSystemContext(t.db.orm, (em) =>
    em.execute('update users set platform_admin = true where id = ?', [admin.userId]),
  );
  const twoFactor = new Map<string, TwoFactor>();
  twoFactor.set(admin.userId, await enableTwoFactor(app, admin));
  const other = await signUpWithOrg(app, 'other');
  const spare = await signUpWithOrg(app, 'spare');
  // Verified addresses, as accepting an invitation while signed in requires.
  for (const user of [owner, member, secondMember, admin, other]) {
    const token = tokenMailedTo(user.email);
    const res = await inject({ method: 'POST', url: '/v1/auth/verify-email', payload: { token } });
    if (res.statusCode !== 200) throw new Error(`verify-email failed: ${res.body}`);
  }

  const key = await asOwner('POST', '/v1/api-keys', { name: 'matrix', scopes: [...PERMISSIONS] });

  const published = await asOwner('POST', '/v1/workflows', { definition: webhookWorkflow('main') });
  const workflowId = published.json().id as string;
  const webhookToken = published.json().webhook.token as string;
  const editable = await asOwner('POST', '/v1/workflows', {
    definition: webhookWorkflow('editable'),
  });
  const signed = await asOwner('POST', '/v1/workflows', { definition: webhookWorkflow('signed') });
  const shared = await asOwner('POST', '/v1/workflows', { definition: webhookWorkflow('shared') });
  const role = await asOwner('POST', `/v1/organizations/${orgA}/roles`, {
    name: 'matrix role',
    permissions: ['workflows:read'],
  });
  const execution = await asOwner('POST', `/v1/workflows/${workflowId}/executions`, {
    input: { x: 1 },
  });
  const connector = await asOwner('POST', '/v1/connectors', { name: 'crm', kind: 'http' });
  const connection = await asOwner('POST', '/v1/connections', {
    name: 'crm token',
    secrets: { token: 'matrix-secret' },
  });
  const notificationId = await withOrgContext(t.db.orm, orgA, async (em) => {
    const n = em.create(Notification, {
      organizationId: orgA,
      userId: null,
      kind: 'workflow.disabled',
      title: 'for the whole organization',
      body: 'matrix fixture',
    });
    await em.flush();
    return n.id;
  });

  const bearer = (token: string, org?: string) => ({
    authorization: `Bearer ${token}`,
    ...(org ? { 'x-organization-id': org } : {}),
  });
  const caller = (name: CallerName, headers: Record<string, string>, user: TestUser | null) => ({
    name,
    headers,
    user,
  });
  return {
    t,
    app,
    orgA,
    orgB: other.orgId,
    callers: {
      anonymous: caller('anonymous', {}, null),
      owner: caller('owner', owner.headers, owner),
      // Org A's admin role and the platform administrator flag, with 2FA on.
      admin: caller('admin', bearer(admin.accessToken, orgA), admin),
      member: caller('member', bearer(member.accessToken, orgA), member),
      apiKey: caller('apiKey', bearer(key.json().key as string), null),
      // Org B's owner in org B, aiming at org A's objects by id.
      otherOrg: caller('otherOrg', other.headers, other),
      // A member of org A naming an organization it does not belong to.
      wrongOrg: caller('wrongOrg', bearer(secondMember.accessToken, other.orgId), secondMember),
    },
    a: {
      workflowId,
      webhookToken,
      editableWorkflowId: editable.json().id,
      signedWorkflowId: signed.json().id,
      sharedWorkflowId: shared.json().id,
      customRoleId: role.json().id,
      executionId: execution.json().id,
      connectorId: connector.json().id,
      connectionId: connection.json().id,
      apiKeyId: key.json().id,
      notificationId,
      memberUserId: member.userId,
    },
    spareEmail: spare.email,
    orgC: spare.orgId,
    spareHeaders: spare.headers,
    twoFactor,
    mails,
    tokenMailedTo,
    asOwner,
    close: () => t.close(),
  };
}

/** Enrols and confirms TOTP for a signed-in user (the 2FA routes, as a user would). */
export async function enableTwoFactor(app: FastifyInstance, user: TestUser): Promise<TwoFactor> {
  const headers = { authorization: `Bearer ${user.accessToken}` };
  const enrol = await app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/enrol',
    headers,
    payload: { password: PASSWORD },
  });
  if (enrol.statusCode !== 201) throw new Error(`2FA enrol failed: ${enrol.body}`);
  const secret = enrol.json().secret as string;
  const totp = URI.parse(enrol.json().otpauthUri as string) as TOTP;
  const confirm = await app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/confirm',
    headers,
    payload: { code: totp.generate() },
  });
  if (confirm.statusCode !== 200) throw new Error(`2FA confirm failed: ${confirm.body}`);
  return { secret, recoveryCodes: confirm.json().recoveryCodes as string[] };
}
