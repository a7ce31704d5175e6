import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/notifications/mailer';
import { silentLog } from '../../src/worker/logger';
import { startSmtpCapture } from '../identity/support/smtp-capture';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Product scenario C, end to end over real HTTP on 127.0.0.1 with PostgreSQL and a real SMTP
 * server: onboard a new organization, add a member, assign a role, grant access to a sample
 * workflow. Every link is followed from the mail that carried it.
 */
let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mailer: ReturnType<typeof createMailer>;
let base: string;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  mailer = createMailer({
    smtpUrl: smtp.url,
    from: 'Maestro <no-reply@maestro.test>',
    log: silentLog,
  });
  t = await createTestApp({ MAESTRO_PUBLIC_URL: 'https://app.maestro.test' }, { mailer });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
  mailer?.close();
  await smtp?.close();
});

async function call(
  method: string,
  path: string,
  opts: { token?: string; orgId?: string; body?: unknown } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.orgId ? { 'x-organization-id': opts.orgId } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const tokenFromMail = (to: string, path: string) => {
  const link = smtp.linkSentTo(to);
  expect(link.pathname).toBe(path);
  return link.searchParams.get('token')!;
};

describe('scenario C: onboard an organization, add a member, assign a role, share a workflow', () => {
  it('runs from sign-up to a member running the one workflow shared with them', async () => {
    // 1. The owner registers, confirms the address from the mail, signs in.
    const ownerEmail = `owner-${Date.now()}@example.test`;
    const password = 'harbour violet compass 12';
    expect(
      (
        await call('POST', '/v1/auth/register', {
          body: { email: ownerEmail, password, name: 'Olga' },
        })
      ).status,
    ).toBe(201);
    const verify = tokenFromMail(ownerEmail, '/verify-email');
    expect((await call('POST', '/v1/auth/verify-email', { body: { token: verify } })).status).toBe(
      200,
    );
    const login = await call('POST', '/v1/auth/login', { body: { email: ownerEmail, password } });
    expect(login.status).toBe(200);
    const owner = login.body.accessToken as string;

    // 2. ...creates the organization and publishes a sample workflow from examples/.
    const org = await call('POST', '/v1/organizations', { token: owner, body: { name: 'Acme' } });
    expect(org.status).toBe(201);
    const orgId = org.body.id as string;
    const sample = JSON.parse(
      readFileSync(new URL('../../../examples/csv-clean-up.maestro.json', import.meta.url), 'utf8'),
    );
    const published = await call('POST', '/v1/workflows', {
      token: owner,
      orgId,
      body: { definition: sample },
    });
    expect(published.status).toBe(201);
    const workflowId = published.body.id as string;

    // 3. ...invites two people by email; each follows the link and creates an account.
    const join = async (name: string) => {
      const email = `${name}-${Date.now()}@example.test`;
      const invited = await call('POST', `/v1/organizations/${orgId}/invitations`, {
        token: owner,
        orgId,
        body: { email, role: 'member' },
      });
      expect(invited.status).toBe(201);
      expect(invited.body.emailSent).toBe(true);
      const accepted = await call('POST', '/v1/invitations/accept', {
        body: {
          token: tokenFromMail(email, '/accept-invitation'),
          name,
          password: `${name} lantern meadow 7`,
        },
      });
      expect(accepted.status).toBe(200);
      return { userId: accepted.body.userId as string, token: accepted.body.accessToken as string };
    };
    const maya = await join('maya');
    const noah = await join('noah');
    const members = await call('GET', `/v1/organizations/${orgId}/users`, { token: owner, orgId });
    expect(members.body.items.map((m: { role: string }) => m.role)).toEqual([
      'owner',
      'member',
      'member',
    ]);

    // 4. ...assigns Maya a custom role: an operator who reads and runs workflows.
    const role = await call('POST', `/v1/organizations/${orgId}/roles`, {
      token: owner,
      orgId,
      body: {
        name: 'Operator',
        permissions: ['workflows:read', 'executions:read', 'executions:run'],
      },
    });
    expect(role.status).toBe(201);
    const assigned = await call('PUT', `/v1/organizations/${orgId}/users/${maya.userId}`, {
      token: owner,
      orgId,
      body: { role: role.body.id },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ role: role.body.id, roleName: 'Operator' });

    // 5. ...restricts the workflow and grants Maya `run`.
    const shared = await call('PUT', `/v1/workflows/${workflowId}/access`, {
      token: owner,
      orgId,
      body: { restricted: true, members: [{ userId: maya.userId, access: 'run' }] },
    });
    expect(shared.status).toBe(200);

    // Maya sees it and runs it; her role does not let her change it.
    const mine = await call('GET', '/v1/workflows', { token: maya.token, orgId });
    expect(mine.body.items.map((w: { id: string }) => w.id)).toEqual([workflowId]);
    expect(
      (await call('GET', `/v1/workflows/${workflowId}`, { token: maya.token, orgId })).status,
    ).toBe(200);
    const run = await call('POST', `/v1/workflows/${workflowId}/executions`, {
      token: maya.token,
      orgId,
      body: { input: {} },
    });
    expect(run.status).toBe(202);
    const execution = await call('GET', `/v1/executions/${run.body.id}`, {
      token: maya.token,
      orgId,
    });
    expect(execution.status).toBe(200);
    expect(execution.body.workflowId).toBe(workflowId);
    expect(
      (
        await call('PUT', `/v1/workflows/${workflowId}`, {
          token: maya.token,
          orgId,
          body: { definition: sample },
        })
      ).status,
    ).toBe(403);

    // Noah, a member not on the list, cannot see it at all.
    expect(
      (await call('GET', `/v1/workflows/${workflowId}`, { token: noah.token, orgId })).status,
    ).toBe(404);
    expect(
      (await call('GET', `/v1/executions/${run.body.id}`, { token: noah.token, orgId })).status,
    ).toBe(404);
    const his = await call('GET', '/v1/workflows', { token: noah.token, orgId });
    expect(his.status).toBe(200);
    expect(his.body.items).toEqual([]);

    // The audit trail tells the story.
    const audit = await call('GET', '/v1/audit-events?limit=100', { token: owner, orgId });
    expect(audit.status).toBe(200);
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'organization.created',
        'workflow.created',
        'invitation.created',
        'invitation.accepted',
        'role.created',
        'membership.role_changed',
        'workflow.access_changed',
      ]),
    );
  });
});
