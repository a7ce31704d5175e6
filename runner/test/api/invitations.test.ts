import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext } from '../../src/db/org-context';
import { createMailer } from '../../src/notifications/mailer';
import { silentLog } from '../../src/worker/logger';
import { startSmtpCapture } from '../identity/support/smtp-capture';
import { addMember, createRole } from '../support/team';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mailer: ReturnType<typeof createMailer>;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  mailer = createMailer({
    smtpUrl: smtp.url,
    from: 'Maestro <no-reply@maestro.test>',
    log: silentLog,
  });
  t = await createTestApp({ MAESTRO_PUBLIC_URL: 'https://app.maestro.test' }, { mailer });
  owner = await signUpWithOrg(t.app, 'inviter');
});
afterAll(async () => {
  await t?.close();
  mailer?.close();
  await smtp?.close();
});

const PASSWORD = 'saffron kettle drift 9';
let n = 0;
const freshEmail = (name: string) => `${name}-${Date.now()}-${n++}@example.test`;

const invite = (email: string, role?: string, headers = owner.headers) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${owner.orgId}/invitations`,
    headers,
    payload: role ? { email, role } : { email },
  });
const accept = (payload: object, authorization?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/invitations/accept',
    headers: authorization ? { authorization } : {},
    payload,
  });
/** The token from the link in the last invitation mailed to `email`. */
const tokenSentTo = (email: string) => {
  const link = smtp.linkSentTo(email);
  expect(`${link.origin}${link.pathname}`).toBe('https://app.maestro.test/accept-invitation');
  return link.searchParams.get('token')!;
};
const pending = async () =>
  (
    await t.app.inject({
      url: `/v1/organizations/${owner.orgId}/invitations`,
      headers: owner.headers,
    })
  ).json().items as { id: string; email: string }[];

describe('invitations by email', () => {
  it('a new person follows the mailed link, creates an account and joins, once', async () => {
    const email = freshEmail('newbie');
    const res = await invite(email);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ email, role: 'member', emailSent: true });
    expect(smtp.mails.at(-1)!.raw).toMatch(/^Subject: Join inviter's org on Maestro/m);
    expect((await pending()).map((i) => i.email)).toContain(email);

    const token = tokenSentTo(email);
    const joined = await accept({ token, name: 'Newbie', password: PASSWORD });
    expect(joined.statusCode).toBe(200);
    const body = joined.json();
    expect(body).toMatchObject({
      organizationId: owner.orgId,
      role: 'member',
      tokenType: 'Bearer',
    });
    const headers = {
      authorization: `Bearer ${body.accessToken}`,
      'x-organization-id': owner.orgId,
    };
    expect((await t.app.inject({ url: '/v1/workflows', headers })).statusCode).toBe(200);
    const me = await t.app.inject({ url: '/v1/users/me', headers });
    expect(me.json()).toMatchObject({ email, emailVerified: true });
    // The password chosen works for sign-in; the link works once; it is no longer pending.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email, password: PASSWORD },
        })
      ).statusCode,
    ).toBe(200);
    expect((await accept({ token, name: 'Again', password: PASSWORD })).statusCode).toBe(400);
    expect((await pending()).map((i) => i.email)).not.toContain(email);
    const audit = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(`select action from audit_events where target_type = 'invitation'`),
    );
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['invitation.created', 'invitation.accepted']),
    );
  });

  it('a link followed twice at the same moment makes one account and one membership', async () => {
    const email = freshEmail('double');
    await invite(email);
    const token = tokenSentTo(email);
    const results = await Promise.all([
      accept({ token, name: 'D1', password: PASSWORD }),
      accept({ token, name: 'D2', password: PASSWORD }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
    const rows = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(
        `select count(*)::int as n from memberships m join users u on u.id = m.user_id where u.email = ?`,
        [email],
      ),
    );
    expect(rows[0].n).toBe(1);
  });

  it('an existing, verified user accepts while signed in; another user cannot', async () => {
    const invitee = await signUp(t.app, 'existing');
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/verify-email',
      payload: { token: smtp.linkSentTo(invitee.email).searchParams.get('token') },
    });
    expect((await invite(invitee.email)).statusCode).toBe(201);
    const token = tokenSentTo(invitee.email);
    const stranger = await signUp(t.app, 'stranger');
    const wrong = await accept({ token }, `Bearer ${stranger.accessToken}`);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().detail).toMatch(/another email address/);
    // Without a token, an existing account cannot be created again.
    expect((await accept({ token, name: 'X', password: PASSWORD })).statusCode).toBe(409);
    const ok = await accept({ token }, `Bearer ${invitee.accessToken}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().accessToken).toBeUndefined();
    expect(
      (
        await t.app.inject({
          url: '/v1/workflows',
          headers: {
            authorization: `Bearer ${invitee.accessToken}`,
            'x-organization-id': owner.orgId,
          },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('a signed-in user whose address is not verified must verify it first (403)', async () => {
    const invitee = await signUp(t.app, 'unverified');
    await invite(invitee.email);
    const res = await accept(
      { token: tokenSentTo(invitee.email) },
      `Bearer ${invitee.accessToken}`,
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/verify your email/);
  });

  it('re-inviting a member is a conflict (409); re-inviting a pending address replaces the link', async () => {
    const member = await addMember(t.app, owner, 'already');
    expect((await invite(member.email)).statusCode).toBe(409);
    const email = freshEmail('twice');
    await invite(email);
    const first = tokenSentTo(email);
    await invite(email);
    const second = tokenSentTo(email);
    expect((await pending()).filter((i) => i.email === email)).toHaveLength(1);
    expect((await accept({ token: first, name: 'T', password: PASSWORD })).statusCode).toBe(400);
    expect((await accept({ token: second, name: 'T', password: PASSWORD })).statusCode).toBe(200);
  });

  it('a revoked or expired invitation no longer works; a forged token is refused', async () => {
    const email = freshEmail('revoked');
    const { id } = (await invite(email)).json();
    const token = tokenSentTo(email);
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/organizations/${owner.orgId}/invitations/${id}`,
      headers: owner.headers,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await accept({ token, name: 'R', password: PASSWORD })).statusCode).toBe(400);
    expect((await pending()).map((i) => i.id)).not.toContain(id);

    const late = freshEmail('late');
    const lateId = (await invite(late)).json().id;
    await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(`update invitations set expires_at = now() - interval '1 second' where id = ?`, [
        lateId,
      ]),
    );
    expect(
      (await accept({ token: tokenSentTo(late), name: 'L', password: PASSWORD })).statusCode,
    ).toBe(400);
    expect(
      (await accept({ token: `${tokenSentTo(late)}x`, name: 'L', password: PASSWORD })).statusCode,
    ).toBe(400);
  });

  it('accepting without a token needs a name and a password that meets the policy (400)', async () => {
    const email = freshEmail('weak');
    await invite(email);
    const token = tokenSentTo(email);
    const missing = await accept({ token });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'name',
      'password',
    ]);
    const weak = await accept({ token, name: 'W', password: 'password123' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors).toEqual([expect.objectContaining({ path: 'password' })]);
  });

  it('an invitation can carry a custom role, which the new member then holds', async () => {
    const role = await createRole(t.app, owner, 'Runner', ['workflows:read', 'executions:run']);
    const email = freshEmail('custom');
    const res = await invite(email, role);
    expect(res.json()).toMatchObject({ role, roleName: 'Runner' });
    const joined = await accept({ token: tokenSentTo(email), name: 'C', password: PASSWORD });
    expect(joined.json()).toMatchObject({ role, roleName: 'Runner' });
    const headers = {
      authorization: `Bearer ${joined.json().accessToken}`,
      'x-organization-id': owner.orgId,
    };
    expect((await t.app.inject({ url: '/v1/workflows', headers })).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: `/v1/organizations/${owner.orgId}/users`, headers })).statusCode,
    ).toBe(403);
  });

  it('only those who may give the role may invite with it', async () => {
    const member = await addMember(t.app, owner, 'nope');
    expect((await invite(freshEmail('x'), 'member', member.headers)).statusCode).toBe(403);
    const lead = await addMember(
      t.app,
      owner,
      'lead',
      await createRole(t.app, owner, 'Inviter', ['members:read', 'members:manage']),
    );
    expect((await invite(freshEmail('y'), 'owner', lead.headers)).statusCode).toBe(403);
    expect((await invite(freshEmail('z'), 'member', lead.headers)).statusCode).toBe(403);
    // Another organization's owner cannot see or revoke this one's invitations.
    const other = await signUpWithOrg(t.app, 'otherinv');
    const id = (await invite(freshEmail('o'))).json().id;
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/v1/organizations/${owner.orgId}/invitations/${id}`,
      headers: other.headers,
    });
    expect(foreign.statusCode).toBe(404);
  });
});
