import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext } from '../../src/db/org-context';
import { addMember, createRole } from '../support/team';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const setRole = (h: Record<string, string>, orgId: string, userId: string, role: string) =>
  t.app.inject({
    method: 'PUT',
    url: `/v1/organizations/${orgId}/users/${userId}`,
    headers: h,
    payload: { role },
  });
const remove = (h: Record<string, string>, orgId: string, userId: string) =>
  t.app.inject({ method: 'DELETE', url: `/v1/organizations/${orgId}/users/${userId}`, headers: h });
const owners = (orgId: string) =>
  withOrgContext(t.db.orm, orgId, async (em) =>
    Number((await em.execute(`select count(*) as n from memberships where role = 'owner'`))[0].n),
  );

describe('member management', () => {
  it('an owner changes a role; the member list and the member’s permissions follow', async () => {
    const owner = await signUpWithOrg(t.app, 'own1');
    const member = await addMember(t.app, owner, 'mem1');
    expect((await t.app.inject({ url: '/v1/api-keys', headers: member.headers })).statusCode).toBe(
      403,
    );
    const res = await setRole(owner.headers, owner.orgId, member.userId, 'owner');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: member.userId, role: 'owner', roleName: 'owner' });
    // The role change clears the cached grant: the new owner acts as one at once.
    expect((await t.app.inject({ url: '/v1/api-keys', headers: member.headers })).statusCode).toBe(
      200,
    );
    const list = await t.app.inject({
      url: `/v1/organizations/${owner.orgId}/users`,
      headers: owner.headers,
    });
    expect(list.json().items.map((m: { role: string }) => m.role)).toEqual(['owner', 'owner']);
  });

  it('members cannot manage members, invitations or roles (403)', async () => {
    const owner = await signUpWithOrg(t.app, 'own2');
    const member = await addMember(t.app, owner, 'mem2');
    const other = await addMember(t.app, owner, 'mem2b');
    const base = `/v1/organizations/${owner.orgId}`;
    const attempts = [
      setRole(member.headers, owner.orgId, other.userId, 'member'),
      remove(member.headers, owner.orgId, other.userId),
      t.app.inject({
        method: 'POST',
        url: `${base}/users`,
        headers: member.headers,
        payload: { email: owner.email },
      }),
      t.app.inject({
        method: 'POST',
        url: `${base}/invitations`,
        headers: member.headers,
        payload: { email: 'x@example.test' },
      }),
      t.app.inject({ url: `${base}/invitations`, headers: member.headers }),
      t.app.inject({
        method: 'POST',
        url: `${base}/roles`,
        headers: member.headers,
        payload: { name: 'x', permissions: [] },
      }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.statusCode).toBe(403);
    // Reading the member list is allowed.
    expect((await t.app.inject({ url: `${base}/users`, headers: member.headers })).statusCode).toBe(
      200,
    );
  });

  it('the last owner can be neither demoted nor removed (409 with the reason)', async () => {
    const owner = await signUpWithOrg(t.app, 'own3');
    const demote = await setRole(owner.headers, owner.orgId, owner.userId, 'member');
    expect(demote.statusCode).toBe(409);
    expect(demote.json().detail).toMatch(/at least one owner/);
    expect((await remove(owner.headers, owner.orgId, owner.userId)).statusCode).toBe(409);
    expect(await owners(owner.orgId)).toBe(1);
  });

  it('two owners demoting each other at the same moment leave one owner', async () => {
    for (let round = 0; round < 4; round++) {
      const a = await signUpWithOrg(t.app, `race${round}`);
      const b = await addMember(t.app, a, `raceb${round}`, 'owner');
      const results = await Promise.all([
        setRole(a.headers, a.orgId, b.userId, 'member'),
        setRole(b.headers, a.orgId, a.userId, 'member'),
      ]);
      // The loser gets 409 (it was an owner when authorized) or, when it was authorized after
      // the winner's commit, 403 (no longer an owner); never both through.
      const [first, second] = results.map((r) => r.statusCode).sort();
      expect(first).toBe(200);
      expect([403, 409]).toContain(second);
      expect(await owners(a.orgId)).toBe(1);
    }
  });

  it('two concurrent removals of two owners leave one owner', async () => {
    const a = await signUpWithOrg(t.app, 'rmrace');
    const b = await addMember(t.app, a, 'rmraceb', 'owner');
    const c = await addMember(t.app, a, 'rmracec', 'owner');
    // c removes a and b at once: one of them must stay.
    const results = await Promise.all([
      remove(c.headers, a.orgId, a.userId),
      remove(c.headers, a.orgId, b.userId),
      setRole(c.headers, a.orgId, c.userId, 'member'),
    ]);
    // At most two of the three go through (409 for the rest, or 403 once c is no owner).
    const through = results.filter((r) => r.statusCode === 204 || r.statusCode === 200);
    expect(through.length).toBeLessThanOrEqual(2);
    expect(results.every((r) => [200, 204, 403, 409].includes(r.statusCode))).toBe(true);
    expect(await owners(a.orgId)).toBeGreaterThanOrEqual(1);
  });

  it('a custom role with members:manage cannot make, demote or remove owners', async () => {
    const owner = await signUpWithOrg(t.app, 'own4');
    const managerRole = await createRole(t.app, owner, 'People manager', [
      'members:read',
      'members:manage',
    ]);
    const manager = await addMember(t.app, owner, 'mgr', managerRole);
    const member = await addMember(t.app, owner, 'plain');
    const promote = await setRole(manager.headers, owner.orgId, member.userId, 'owner');
    expect(promote.statusCode).toBe(403);
    expect(promote.json().detail).toMatch(/api-keys:manage/);
    expect((await setRole(manager.headers, owner.orgId, owner.userId, 'member')).statusCode).toBe(
      403,
    );
    expect((await remove(manager.headers, owner.orgId, owner.userId)).statusCode).toBe(403);
    // Roles no stronger than its own are fine to give, change and take away...
    const viewer = await createRole(t.app, owner, 'Viewer', ['members:read']);
    const junior = await addMember(t.app, owner, 'junior', viewer);
    const change = await setRole(manager.headers, owner.orgId, junior.userId, managerRole);
    expect(change.statusCode).toBe(200);
    expect(change.json()).toMatchObject({ role: managerRole, roleName: 'People manager' });
    expect((await remove(manager.headers, owner.orgId, junior.userId)).statusCode).toBe(204);
    // ...but not a member whose built-in role holds more than the manager's.
    expect((await setRole(manager.headers, owner.orgId, member.userId, viewer)).statusCode).toBe(
      403,
    );
    expect((await remove(manager.headers, owner.orgId, member.userId)).statusCode).toBe(403);
  });

  it('a removed member loses access at once (404 for the organization)', async () => {
    const owner = await signUpWithOrg(t.app, 'own5');
    const member = await addMember(t.app, owner, 'gone');
    expect((await t.app.inject({ url: '/v1/workflows', headers: member.headers })).statusCode).toBe(
      200,
    );
    expect((await remove(owner.headers, owner.orgId, member.userId)).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/v1/workflows', headers: member.headers })).statusCode).toBe(
      404,
    );
    expect((await remove(owner.headers, owner.orgId, member.userId)).statusCode).toBe(404);
  });

  it('a member of another organization is not found there', async () => {
    const a = await signUpWithOrg(t.app, 'orga');
    const b = await signUpWithOrg(t.app, 'orgb');
    expect((await setRole(a.headers, a.orgId, b.userId, 'member')).statusCode).toBe(404);
    expect((await remove(a.headers, a.orgId, b.userId)).statusCode).toBe(404);
  });
});
