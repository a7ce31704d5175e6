import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm } from '../../src/db/orm';
import { TtlCache } from '../../src/http/ttl-cache';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import { eventually } from '../support/execution-fixtures';
import { addMember, createRole } from '../support/team';
import { createTestApp, signUpWithOrg, type TestApp } from '../support/test-app';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await signUpWithOrg(t.app, 'roles');
});
afterAll(() => t?.close());

const rolesUrl = () => `/v1/organizations/${owner.orgId}/roles`;
const post = (headers: Record<string, string>, payload: object) =>
  t.app.inject({ method: 'POST', url: rolesUrl(), headers, payload });
const put = (id: string, payload: object, headers = owner.headers) =>
  t.app.inject({ method: 'PUT', url: `${rolesUrl()}/${id}`, headers, payload });
const del = (id: string, headers = owner.headers) =>
  t.app.inject({ method: 'DELETE', url: `${rolesUrl()}/${id}`, headers });

describe('custom roles', () => {
  it('lists the built-in roles read-only, then the custom ones', async () => {
    const id = await createRole(t.app, owner, 'Auditor', ['audit:read', 'workflows:read']);
    const res = await t.app.inject({ url: rolesUrl(), headers: owner.headers });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; builtIn: boolean; permissions: string[] }[];
    expect(items.slice(0, 3).map((r) => [r.id, r.builtIn])).toEqual([
      ['owner', true],
      ['admin', true],
      ['member', true],
    ]);
    expect(items[2]!.permissions).not.toContain('members:manage');
    // Stored in the permission table's order, whatever order they were sent in.
    expect(items.find((r) => r.id === id)).toMatchObject({
      name: 'Auditor',
      builtIn: false,
      permissions: ['workflows:read', 'audit:read'],
    });
    // Built-in roles cannot be changed or deleted.
    expect((await put('owner', { name: 'x', permissions: [] })).statusCode).toBe(404);
    expect((await del('member')).statusCode).toBe(404);
  });

  it('refuses an unknown permission with the path of the offending entry (400)', async () => {
    const res = await post(owner.headers, {
      name: 'Bad',
      permissions: ['workflows:read', 'audit:read', 'root:everything'],
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'permissions[2]' })]);
    expect(
      (await post(owner.headers, { name: 'Extra', permissions: [], admin: true })).statusCode,
    ).toBe(400);
  });

  it('refuses names with control characters (400, not a database error)', async () => {
    const res = await post(owner.headers, { name: 'nul\u0000role', permissions: [] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'name' })]);
    const org = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: { authorization: owner.headers.authorization },
      payload: { name: 'nul\u0000org' },
    });
    expect(org.statusCode).toBe(400);
  });

  it('refuses duplicate and built-in names (409)', async () => {
    await createRole(t.app, owner, 'Operator', ['executions:run']);
    expect((await post(owner.headers, { name: 'Operator', permissions: [] })).statusCode).toBe(409);
    expect((await post(owner.headers, { name: 'Owner', permissions: [] })).statusCode).toBe(409);
  });

  it('a member with a custom role has exactly its permissions, and follows its changes at once', async () => {
    const id = await createRole(t.app, owner, 'Reader', ['workflows:read', 'audit:read']);
    const reader = await addMember(t.app, owner, 'reader', id);
    const audit = () => t.app.inject({ url: '/v1/audit-events', headers: reader.headers });
    const publish = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/workflows',
        headers: reader.headers,
        payload: { definition: { format: 'maestro/workflow@1', name: 'x', nodes: [], edges: [] } },
      });
    expect((await audit()).statusCode).toBe(200);
    expect((await publish()).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/v1/workflows', headers: reader.headers })).statusCode).toBe(
      200,
    );
    const members = await t.app.inject({
      url: `/v1/organizations/${owner.orgId}/users`,
      headers: owner.headers,
    });
    expect(members.json().items).toContainEqual(
      expect.objectContaining({ id: reader.userId, role: id, roleName: 'Reader' }),
    );
    // The change clears cached grants of the organization: the next request sees it.
    const changed = await put(id, { name: 'Reader', permissions: ['workflows:read'] });
    expect(changed.statusCode).toBe(200);
    expect((await audit()).statusCode).toBe(403);
  });

  it('cannot carry permissions its author lacks (no escalation)', async () => {
    const managerRole = await createRole(t.app, owner, 'Team lead', [
      'members:read',
      'members:manage',
      'workflows:read',
    ]);
    const lead = await addMember(t.app, owner, 'lead', managerRole);
    const escalate = await post(lead.headers, {
      name: 'Sneaky',
      permissions: ['members:manage', 'api-keys:manage'],
    });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().detail).toMatch(/api-keys:manage/);
    const ok = await post(lead.headers, { name: 'Helper', permissions: ['workflows:read'] });
    expect(ok.statusCode).toBe(201);
    // Nor widen a role it holds, nor edit one stronger than its own.
    expect(
      (await put(managerRole, { name: 'Team lead', permissions: ['audit:read'] }, lead.headers))
        .statusCode,
    ).toBe(403);
    const strong = await createRole(t.app, owner, 'Strong', ['audit:read']);
    expect((await put(strong, { name: 'Weak', permissions: [] }, lead.headers)).statusCode).toBe(
      403,
    );
  });

  it('a role in use by a member or a pending invitation is not deleted (409)', async () => {
    const id = await createRole(t.app, owner, 'Temporary', ['workflows:read']);
    const holder = await addMember(t.app, owner, 'temp', id);
    const res = await del(id);
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/1 member/);
    await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/users/${holder.userId}`,
      headers: owner.headers,
      payload: { role: 'member' },
    });
    const invite = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${owner.orgId}/invitations`,
      headers: owner.headers,
      payload: { email: 'temp-invitee@example.test', role: id },
    });
    expect(invite.statusCode).toBe(201);
    expect((await del(id)).statusCode).toBe(409);
    await t.app.inject({
      method: 'DELETE',
      url: `/v1/organizations/${owner.orgId}/invitations/${invite.json().id}`,
      headers: owner.headers,
    });
    expect((await del(id)).statusCode).toBe(204);
    expect((await del(id)).statusCode).toBe(404);
  });

  it('an API key can take its scopes from a custom role (copied at creation)', async () => {
    const id = await createRole(t.app, owner, 'Key reader', ['workflows:read']);
    const create = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: owner.headers, payload });
    const res = await create({ name: 'reader key', role: id });
    expect(res.statusCode).toBe(201);
    expect(res.json().scopes).toEqual(['workflows:read']);
    const auth = { authorization: `Bearer ${res.json().key}` };
    expect((await t.app.inject({ url: '/v1/workflows', headers: auth })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v1/connectors', headers: auth })).statusCode).toBe(403);
    const both = await create({ name: 'k', role: id, scopes: ['workflows:read'] });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors).toEqual([expect.objectContaining({ path: 'role' })]);
  });

  it("another organization's roles are invisible and cannot be assigned", async () => {
    const other = await signUpWithOrg(t.app, 'otherorg');
    const foreign = await createRole(t.app, other, 'Foreign', ['workflows:read']);
    expect((await put(foreign, { name: 'Mine', permissions: [] })).statusCode).toBe(404);
    expect((await del(foreign)).statusCode).toBe(404);
    const member = await addMember(t.app, owner, 'victim');
    const assign = await t.app.inject({
      method: 'PUT',
      url: `/v1/organizations/${owner.orgId}/users/${member.userId}`,
      headers: owner.headers,
      payload: { role: foreign },
    });
    expect(assign.statusCode).toBe(400);
    expect(assign.json().errors).toEqual([expect.objectContaining({ path: 'role' })]);
    const list = await t.app.inject({ url: rolesUrl(), headers: owner.headers });
    expect(list.json().items.map((r: { id: string }) => r.id)).not.toContain(foreign);
  });
});

describe('custom roles across API processes', () => {
  it('a role changed through one process applies in another that had the member cached', async () => {
    // Process B on the same database, its membership cache living 10 minutes: only the
    // invalidation sent at commit (roles trigger) can make it see the change in time.
    const bOrm = await openOrm({ databaseUrl: t.db.url, poolSize: 2 });
    const b = await buildServer({
      config: t.config,
      orm: bOrm,
      logger: false,
      metrics: createMetrics(),
    });
    try {
      await b.ready();
      b.credentialCache.memberships = new TtlCache(10 * 60_000);
      const id = await createRole(t.app, owner, 'Cached auditor', ['audit:read']);
      const auditor = await addMember(t.app, owner, 'cached', id);
      const audit = () => b.inject({ url: '/v1/audit-events', headers: auditor.headers });
      expect((await audit()).statusCode).toBe(200); // now cached in B
      expect((await put(id, { name: 'Cached auditor', permissions: [] })).statusCode).toBe(200);
      await eventually(
        async () => ((await audit()).statusCode === 403 ? true : undefined),
        15_000,
        'B to apply the changed role',
      );
    } finally {
      await b.close();
      await bOrm.close(true);
    }
  });
});
