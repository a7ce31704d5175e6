import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../support/team';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';

type Member = Awaited<ReturnType<typeof addMember>>;
let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let named: Member;
let outsider: Member;
let admin: Member;
let workflowId: string;
let executionId: string;

const req = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
const setAccess = (
  members: { userId: string; access: string }[],
  restricted = true,
  headers = owner.headers,
) => req('PUT', `/v1/workflows/${workflowId}/access`, headers, { restricted, members });
const listed = async (headers: Record<string, string>) =>
  ((await req('GET', '/v1/workflows', headers)).json().items as { id: string }[]).map((w) => w.id);

beforeAll(async () => {
  t = await createTestApp();
  owner = await signUpWithOrg(t.app, 'sharer');
  named = await addMember(t.app, owner, 'named');
  outsider = await addMember(t.app, owner, 'outsider');
  admin = await addMember(t.app, owner, 'coowner', 'owner');
  const published = await req('POST', '/v1/workflows', owner.headers, {
    definition: webhookWorkflow('shared flow'),
  });
  workflowId = published.json().id;
  executionId = (
    await req('POST', `/v1/workflows/${workflowId}/executions`, owner.headers, { input: {} })
  ).json().id;
});
afterAll(() => t?.close());

/** Every route that touches one workflow or its executions, with the access level it needs. */
const routes = (): [
  method: string,
  url: string,
  level: 'view' | 'run' | 'edit',
  body?: object,
][] => [
  ['GET', `/v1/workflows/${workflowId}`, 'view'],
  ['GET', `/v1/workflows/${workflowId}/versions`, 'view'],
  ['GET', `/v1/workflows/${workflowId}/access`, 'view'],
  ['GET', `/v1/workflows/${workflowId}/executions`, 'view'],
  ['GET', `/v1/executions/${executionId}`, 'view'],
  ['GET', `/v1/executions/${executionId}/logs`, 'view'],
  ['POST', `/v1/workflows/${workflowId}/executions`, 'run', { input: {} }],
  ['POST', `/v1/executions/${executionId}/cancel`, 'run'],
  ['PUT', `/v1/workflows/${workflowId}`, 'edit', { definition: webhookWorkflow('shared flow') }],
  ['POST', `/v1/workflows/${workflowId}/disable`, 'edit', {}],
  ['POST', `/v1/workflows/${workflowId}/enable`, 'edit', {}],
  ['POST', `/v1/workflows/${workflowId}/webhook-secret`, 'edit'],
];

describe('workflow sharing', () => {
  it('unrestricted by default: every member sees it', async () => {
    const access = await req('GET', `/v1/workflows/${workflowId}/access`, outsider.headers);
    expect(access.json()).toEqual({ restricted: false, members: [] });
    expect(await listed(outsider.headers)).toContain(workflowId);
  });

  it('members cannot change access (403); unknown or repeated members are refused (400)', async () => {
    expect((await setAccess([], true, named.headers)).statusCode).toBe(403);
    const bad = await setAccess([
      { userId: named.userId, access: 'view' },
      { userId: '01a21192-a828-742f-a289-17d756bf51c1', access: 'view' },
      { userId: named.userId, access: 'run' },
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'members[1].userId',
      'members[2].userId',
    ]);
    expect((await setAccess([{ userId: named.userId, access: 'own' }])).statusCode).toBe(400);
  });

  it('restricted: a member not named gets 404 on every route and does not see it listed', async () => {
    const res = await setAccess([{ userId: named.userId, access: 'view' }]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      restricted: true,
      members: [{ userId: named.userId, email: named.email, name: 'named', access: 'view' }],
    });
    for (const [method, url, , body] of routes()) {
      const r = await req(method, url, outsider.headers, body);
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    expect(await listed(outsider.headers)).not.toContain(workflowId);
  });

  it('a member named with view reads it and its runs, but cannot run or edit it (403)', async () => {
    await setAccess([{ userId: named.userId, access: 'view' }]);
    for (const [method, url, level, body] of routes()) {
      const r = await req(method, url, named.headers, body);
      if (level === 'view') expect(r.statusCode, `${method} ${url}`).toBe(200);
      else expect(r.statusCode, `${method} ${url}`).toBe(403);
    }
    expect(await listed(named.headers)).toContain(workflowId);
  });

  it('run adds starting and cancelling runs; edit adds changing the workflow', async () => {
    await setAccess([{ userId: named.userId, access: 'run' }]);
    const started = await req('POST', `/v1/workflows/${workflowId}/executions`, named.headers, {
      input: {},
    });
    expect(started.statusCode).toBe(202);
    const cancel = await req('POST', `/v1/executions/${started.json().id}/cancel`, named.headers);
    expect(cancel.statusCode).toBe(202);
    expect(
      (await req('POST', `/v1/workflows/${workflowId}/disable`, named.headers, {})).statusCode,
    ).toBe(403);
    await setAccess([{ userId: named.userId, access: 'edit' }]);
    expect(
      (await req('POST', `/v1/workflows/${workflowId}/disable`, named.headers, {})).statusCode,
    ).toBe(200);
    expect(
      (await req('POST', `/v1/workflows/${workflowId}/enable`, named.headers, {})).statusCode,
    ).toBe(200);
    // edit is not sharing: that stays with workflows:share holders.
    expect((await setAccess([], false, named.headers)).statusCode).toBe(403);
  });

  it('owners and admins always see everything', async () => {
    await setAccess([]);
    for (const who of [owner, admin]) {
      expect((await req('GET', `/v1/workflows/${workflowId}`, who.headers)).statusCode).toBe(200);
      expect(await listed(who.headers)).toContain(workflowId);
    }
  });

  it('an API key is judged by the member who created it', async () => {
    await setAccess([{ userId: named.userId, access: 'view' }]);
    // Members cannot create API keys: give both api-keys:manage through a temporary role change.
    const keyOf = async (m: Member) => {
      await req('PUT', `/v1/organizations/${owner.orgId}/users/${m.userId}`, owner.headers, {
        role: 'owner',
      });
      const key = (
        await req('POST', '/v1/api-keys', m.headers, {
          name: 'k',
          scopes: ['workflows:read', 'executions:read'],
        })
      ).json().key as string;
      await req('PUT', `/v1/organizations/${owner.orgId}/users/${m.userId}`, owner.headers, {
        role: 'member',
      });
      return { authorization: `Bearer ${key}` };
    };
    const namedKey = await keyOf(named);
    const outsiderKey = await keyOf(outsider);
    expect((await req('GET', `/v1/workflows/${workflowId}`, namedKey)).statusCode).toBe(200);
    expect((await req('GET', `/v1/workflows/${workflowId}`, outsiderKey)).statusCode).toBe(404);
    expect(await listed(outsiderKey)).not.toContain(workflowId);
  });

  it('lifting the restriction shows it to everyone again; a removed member loses the grant', async () => {
    await setAccess([{ userId: named.userId, access: 'view' }], false);
    expect((await req('GET', `/v1/workflows/${workflowId}`, outsider.headers)).statusCode).toBe(
      200,
    );
    await req('DELETE', `/v1/organizations/${owner.orgId}/users/${named.userId}`, owner.headers);
    const access = await req('GET', `/v1/workflows/${workflowId}/access`, owner.headers);
    expect(access.json()).toEqual({ restricted: false, members: [] });
  });

  it("another organization's owner gets 404 for the workflow's access routes", async () => {
    const other = await signUpWithOrg(t.app, 'othersharer');
    expect((await req('GET', `/v1/workflows/${workflowId}/access`, other.headers)).statusCode).toBe(
      404,
    );
    expect((await setAccess([], true, other.headers)).statusCode).toBe(404);
  });
});

describe('organization-wide execution reads and sharing', () => {
  const orgList = async (headers: Record<string, string>) => {
    const res = await req('GET', '/v1/executions?limit=200', headers);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { id: string }[]).map((e) => e.id);
  };
  const stats = async (headers: Record<string, string>) =>
    (await req('GET', '/v1/executions/stats', headers)).json() as { total: number };

  it('a restricted workflow’s executions leave the list and the counts of members not named', async () => {
    // Fresh members: earlier cases removed `named`.
    const reader = await addMember(t.app, owner, 'reader');
    const stranger = await addMember(t.app, owner, 'stranger');
    await setAccess([{ userId: reader.userId, access: 'view' }]);
    expect(await orgList(owner.headers)).toContain(executionId);
    expect(await orgList(reader.headers)).toContain(executionId);
    expect(await orgList(stranger.headers)).not.toContain(executionId);
    const filtered = await req('GET', `/v1/executions?workflowId=${workflowId}`, stranger.headers);
    expect(filtered.statusCode).toBe(404);
    const all = (await stats(owner.headers)).total;
    expect(all).toBeGreaterThan(0);
    expect((await stats(reader.headers)).total).toBe(all);
    expect((await stats(stranger.headers)).total).toBeLessThan(all);
    await setAccess([], false);
    expect(await orgList(stranger.headers)).toContain(executionId);
  });
});
