import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext } from '../../src/db/org-context';
import {
  createTestApp,
  signUp,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
} from '../support/test-app';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await signUpWithOrg(t.app, 'owner');
});
afterAll(() => t?.close());

describe('notifications', () => {
  it("lists the caller's and the organization's notifications, not other users', and marks them read", async () => {
    const other = await signUp(t.app, 'other');
    await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(
        `insert into notifications (id, organization_id, user_id, kind, title, body) values
           (gen_random_uuid(), ?, ?, 'workflow.disabled', 'Mine', 'b'),
           (gen_random_uuid(), ?, null, 'info', 'Everyone', 'b'),
           (gen_random_uuid(), ?, ?, 'info', 'Not mine', 'b')`,
        [owner.orgId, owner.userId, owner.orgId, owner.orgId, other.userId],
      ),
    );
    const list = (await t.app.inject({ url: '/v1/notifications', headers: owner.headers })).json();
    expect(list.items.map((n: { title: string }) => n.title).sort()).toEqual(['Everyone', 'Mine']);
    const mine = list.items.find((n: { title: string }) => n.title === 'Mine');
    const read = await t.app.inject({
      method: 'POST',
      url: `/v1/notifications/${mine.id}/read`,
      headers: owner.headers,
    });
    expect(read.statusCode).toBe(204);
    const unread = (
      await t.app.inject({ url: '/v1/notifications?unread=true', headers: owner.headers })
    ).json();
    expect(unread.items.map((n: { title: string }) => n.title)).toEqual(['Everyone']);
  });
});

describe('audit trail', () => {
  it('records who did what, including through an API key, and only owners/admins read it', async () => {
    const key = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: owner.headers,
        payload: { name: 'deploy' },
      })
    ).json();
    const publish = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: { authorization: `Bearer ${key.key}` },
      payload: { definition: webhookWorkflow() },
    });
    expect(publish.statusCode).toBe(201);
    const wfId = publish.json().id;
    await t.app.inject({
      method: 'POST',
      url: `/v1/workflows/${wfId}/disable`,
      headers: { authorization: `Bearer ${key.key}` },
    });
    const events = (await t.app.inject({ url: '/v1/audit-events', headers: owner.headers })).json()
      .items;
    const actions = events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'organization.created',
        'api_key.created',
        'workflow.created',
        'workflow.disabled',
      ]),
    );
    const disabled = events.find((e: { action: string }) => e.action === 'workflow.disabled');
    expect(disabled).toMatchObject({
      actorApiKeyId: key.id,
      actorUserId: owner.userId,
      targetId: wfId,
    });
    const denied = await t.app.inject({
      url: '/v1/audit-events',
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(denied.statusCode).toBe(403);
  });
});
