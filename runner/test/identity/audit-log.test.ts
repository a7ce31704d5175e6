import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
beforeAll(async () => {
  t = await createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  owner = await signUpWithOrg(t.app, 'owner');
});
afterAll(() => t?.close());

interface Row {
  organization_id: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | null;
}

/** Every audit row (all organizations and none), oldest first. */
const allEvents = () =>
  withSystemContext(t.db.orm, (em) => em.execute<Row[]>(`select * from audit_events order by id`));
const eventsOf = async (requestId: string) =>
  (await allEvents()).filter((e) => e.request_id === requestId);
const UA = { 'user-agent': 'audit-test/1.0' };

describe('audit trail: mutations', () => {
  it('fills in where an event came from and writes one line per request when the route records its own', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { ...owner.headers, ...UA },
      payload: { name: 'ci' },
    });
    expect(res.statusCode).toBe(201);
    const events = await eventsOf(String(res.headers['x-request-id'] ?? ''));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'api_key.created',
      organization_id: owner.orgId,
      actor_user_id: owner.userId,
      target_id: res.json().id,
      ip: '127.0.0.1',
      user_agent: 'audit-test/1.0',
    });
    // The key itself (shown once in the answer) is nowhere in the trail.
    expect(JSON.stringify(await allEvents())).not.toContain(res.json().key);
  });

  it('records a mutation whose route writes nothing itself, by route, parameters and API key', async () => {
    const key = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: owner.headers,
        payload: { name: 'reader', scopes: ['notifications:read'] },
      })
    ).json();
    const [note] = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute<{ id: string }[]>(
        `insert into notifications (id, organization_id, user_id, kind, title, body)
         values (gen_random_uuid(), ?, null, 'info', 't', 'b') returning id`,
        [owner.orgId],
      ),
    );
    const read = await t.app.inject({
      method: 'POST',
      url: `/v1/notifications/${note!.id}/read`,
      headers: { authorization: `Bearer ${key.key}`, ...UA },
    });
    expect(read.statusCode).toBe(204);
    const events = await eventsOf(String(read.headers['x-request-id']));
    expect(events).toEqual([
      expect.objectContaining({
        organization_id: owner.orgId,
        action: 'POST /v1/notifications/:id/read',
        actor_api_key_id: key.id,
        actor_user_id: owner.userId,
        target_type: 'notifications',
        target_id: note!.id,
        user_agent: 'audit-test/1.0',
        details: { status: 204, params: { id: note!.id } },
      }),
    ]);
  });

  it('records the id a create returned, and nothing for reads and refused requests', async () => {
    const before = (await allEvents()).length;
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: owner.headers,
      payload: { name: 'crm', kind: 'http', config: {} },
    });
    expect(created.statusCode).toBe(201);
    const [event] = await eventsOf(String(created.headers['x-request-id']));
    expect(event).toMatchObject({
      action: 'POST /v1/connectors',
      target_type: 'connectors',
      target_id: created.json().id,
      details: { status: 201, resultId: created.json().id },
    });
    await t.app.inject({ url: '/v1/connectors', headers: owner.headers });
    const member = await signUp(t.app, 'member');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: { authorization: `Bearer ${member.accessToken}`, 'x-organization-id': owner.orgId },
      payload: { name: 'x', kind: 'http', config: {} },
    });
    expect(refused.statusCode).toBe(404);
    // +1 (the connector) + the member's registration and sign-in (account events).
    const added = (await allEvents()).slice(before).map((e) => e.action);
    expect(added).toEqual(['POST /v1/connectors', 'auth.registered', 'auth.login_succeeded']);
  });

  it('records an Idempotency-Key replay once (the replay changes nothing)', async () => {
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/connectors',
        headers: { ...owner.headers, 'idempotency-key': 'connector-once' },
        payload: { name: 'once', kind: 'http', config: {} },
      });
    const first = await send();
    const replay = await send();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await eventsOf(String(first.headers['x-request-id']))).toHaveLength(1);
    expect(await eventsOf(String(replay.headers['x-request-id']))).toHaveLength(0);
  });

  it('is append-only for the application role', async () => {
    await expect(
      withOrgContext(t.db.orm, owner.orgId, (em) =>
        em.execute(`update audit_events set action = 'forged'`),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withSystemContext(t.db.orm, (em) => em.execute(`delete from audit_events`)),
    ).rejects.toThrow(/permission denied/);
  });
});

describe('audit trail: sign-in and account events', () => {
  const login = (email: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: UA,
      payload: { email, password },
    });

  it('records sign-in success and failure, refresh reuse, logout and reset requests without an organization', async () => {
    const user = await signUp(t.app, 'signer');
    const ok = await login(user.email, 'correct horse battery');
    const bad = await login(user.email, 'wrong horse battery');
    const unknown = await login('nobody@example.test', 'wrong horse battery');
    expect([ok.statusCode, bad.statusCode, unknown.statusCode]).toEqual([200, 401, 401]);

    const first = ok.json().refreshToken as string;
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: first },
    });
    expect(rotated.statusCode).toBe(200);
    const reuse = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: first },
    });
    expect(reuse.statusCode).toBe(401);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      payload: { refreshToken: user.refreshToken },
    });
    expect(logout.statusCode).toBe(204);
    const forgot = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: user.email },
    });
    expect(forgot.statusCode).toBe(202);

    const byRequest = async (res: { headers: Record<string, unknown> }) =>
      (await eventsOf(String(res.headers['x-request-id'])))[0];
    expect(await byRequest(ok)).toMatchObject({
      action: 'auth.login_succeeded',
      organization_id: null,
      actor_user_id: user.userId,
      target_type: 'user',
      target_id: user.userId,
      ip: '127.0.0.1',
      user_agent: 'audit-test/1.0',
    });
    expect(await byRequest(bad)).toMatchObject({
      action: 'auth.login_failed',
      target_id: user.userId,
      details: { email: user.email },
    });
    expect(await byRequest(unknown)).toMatchObject({
      action: 'auth.login_failed',
      target_id: null,
      details: { email: 'nobody@example.test' },
    });
    expect(await byRequest(rotated)).toMatchObject({
      action: 'auth.token_refreshed',
      actor_user_id: user.userId,
    });
    expect(await byRequest(reuse)).toMatchObject({
      action: 'auth.refresh_reuse_detected',
      target_id: user.userId,
    });
    expect(await byRequest(logout)).toMatchObject({
      action: 'auth.logout',
      actor_user_id: user.userId,
    });
    expect(await byRequest(forgot)).toMatchObject({
      action: 'auth.password_reset_requested',
      target_id: user.userId,
    });
    // Passwords and tokens never reach the trail.
    const all = JSON.stringify(await allEvents());
    for (const secret of ['correct horse battery', 'wrong horse battery', first])
      expect(all).not.toContain(secret);
  });

  it('records a lockout and 2FA enrolment', async () => {
    const user = await signUp(t.app, 'locked');
    let last;
    for (let i = 0; i < 6; i++) last = await login(user.email, `wrong horse ${i}x`);
    expect(last!.statusCode).toBe(429);
    expect((await eventsOf(String(last!.headers['x-request-id'])))[0]).toMatchObject({
      action: 'auth.login_locked',
      target_id: user.userId,
    });
    const enrol = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/enrol',
      headers: { authorization: `Bearer ${user.accessToken}` },
      payload: { password: 'correct horse battery' },
    });
    expect(enrol.statusCode).toBe(201);
    const [event] = await eventsOf(String(enrol.headers['x-request-id']));
    expect(event).toMatchObject({
      action: 'auth.2fa_enrolment_started',
      actor_user_id: user.userId,
    });
    expect(JSON.stringify(event)).not.toContain(enrol.json().secret);
  });
});
