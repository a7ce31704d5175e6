import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemContext } from '../../src/db/org-context';
import { QUOTA_PROBLEM_TYPE } from '../../src/modules/quotas/execution-quota';
import { signUpPlatformAdmin } from '../support/platform-admin';
import {
  createTestApp,
  signUpWithOrg,
  webhookWorkflow,
  type TestApp,
  type TestUser,
} from '../support/test-app';

/** Plan administration through real HTTP on 127.0.0.1 (the API listening, fetch as client). */
let t: TestApp;
let base: string;
let admin: TestUser;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;

beforeAll(async () => {
  t = await createTestApp({ MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  admin = await signUpPlatformAdmin(t.app, t.db.orm);
  owner = await signUpWithOrg(t.app, 'customer');
});
afterAll(() => t?.close());

/** The fields these tests read from answers (plans, problems, a published workflow). */
interface Reply {
  items: { id: string }[];
  errors: { path: string; message: string }[];
  detail: string;
  type: string;
  webhook: { token: string };
  [field: string]: unknown;
}

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Reply }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Reply };
}
const asAdmin = (method: string, path: string, body?: unknown) =>
  call(method, path, { authorization: `Bearer ${admin.accessToken}` }, body);

const auditOf = (action: string, targetId: string) =>
  withSystemContext(t.db.orm, (em) =>
    em.execute<
      { organization_id: string | null; actor_user_id: string; details: Record<string, unknown> }[]
    >(
      'select organization_id, actor_user_id, details from audit_events where action = ? and target_id = ? order by at',
      [action, targetId],
    ),
  );

describe('plans for platform administrators', () => {
  it('lists the plans with their limits and how many organizations use each', async () => {
    const res = await asAdmin('GET', '/v1/admin/plans');
    expect(res.status).toBe(200);
    expect(res.json.items).toContainEqual({
      id: 'free',
      name: 'Free',
      maxConcurrentExecutions: 10,
      maxExecutionsPerMonth: null,
      organizations: 1,
    });
  });

  it('creates a plan (201), replaces it (200) and audits both', async () => {
    const created = await asAdmin('PUT', '/v1/admin/plans/team', {
      name: 'Team',
      maxConcurrentExecutions: 20,
      maxExecutionsPerMonth: 10_000,
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: 'team',
      name: 'Team',
      maxConcurrentExecutions: 20,
      maxExecutionsPerMonth: 10_000,
      organizations: 0,
    });
    const replaced = await asAdmin('PUT', '/v1/admin/plans/team', {
      name: 'Team (annual)',
      maxConcurrentExecutions: 25,
      maxExecutionsPerMonth: null,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ name: 'Team (annual)', maxExecutionsPerMonth: null });
    const listed = await asAdmin('GET', '/v1/admin/plans');
    expect(listed.json.items.map((p) => p.id)).toEqual(['free', 'team']);

    expect(await auditOf('plan.created', 'team')).toEqual([
      expect.objectContaining({ organization_id: null, actor_user_id: admin.userId }),
    ]);
    const [updated] = await auditOf('plan.updated', 'team');
    expect(updated?.details).toEqual({
      name: 'Team (annual)',
      maxConcurrentExecutions: 25,
      maxExecutionsPerMonth: null,
    });
  });

  it('refuses bad plan ids and bodies with problem+json naming each field', async () => {
    const badId = await asAdmin('PUT', '/v1/admin/plans/Team!', {
      name: 'x',
      maxConcurrentExecutions: 1,
      maxExecutionsPerMonth: null,
    });
    expect(badId.status).toBe(400);
    expect(badId.json.errors).toEqual([
      expect.objectContaining({
        path: 'params.id',
        message: expect.stringContaining('lower-case'),
      }),
    ]);
    const badBody = await asAdmin('PUT', '/v1/admin/plans/broken', {
      name: ' ',
      maxConcurrentExecutions: 0,
      maxExecutionsPerMonth: -1,
      price: 10,
    });
    expect(badBody.status).toBe(400);
    expect(badBody.json.type).toBe('https://maestro.dev/problems/400');
    const paths = badBody.json.errors.map((e) => e.path).sort();
    // '' is the body itself: it names the unknown key.
    expect(paths).toEqual(['', 'maxConcurrentExecutions', 'maxExecutionsPerMonth', 'name']);
    expect(JSON.stringify(badBody.json.errors)).toContain('price');
    const missing = await asAdmin('PUT', '/v1/admin/plans/broken', { name: 'Broken' });
    expect(missing.status).toBe(400);
    expect((await asAdmin('GET', '/v1/admin/plans')).json.items).not.toContainEqual(
      expect.objectContaining({ id: 'broken' }),
    );
  });

  it('is only for platform administrators', async () => {
    const plan = { name: 'Mine', maxConcurrentExecutions: 99, maxExecutionsPerMonth: null };
    expect((await call('GET', '/v1/admin/plans', {})).status).toBe(401);
    const asOwner = await call('PUT', '/v1/admin/plans/mine', owner.headers, plan);
    expect(asOwner.status).toBe(403);
    expect(asOwner.json.detail).toMatch(/platform administrators/);
    const move = await call('PUT', `/v1/admin/organizations/${owner.orgId}/plan`, owner.headers, {
      planId: 'team',
    });
    expect(move.status).toBe(403);
  });
});

describe('assigning a plan to an organization', () => {
  it('moves the organization; its quota applies to the next execution', async () => {
    const flow = await call('POST', '/v1/workflows', owner.headers, {
      definition: webhookWorkflow('billed'),
    });
    expect(flow.status).toBe(201);
    const hook = () => call('POST', `/v1/hooks/${flow.json.webhook.token}`, {}, { n: 1 });
    // On the unlimited free plan, this process now holds a view of the organization's usage.
    expect((await hook()).status).toBe(202);

    const single = await asAdmin('PUT', '/v1/admin/plans/single', {
      name: 'Single',
      maxConcurrentExecutions: 1,
      maxExecutionsPerMonth: 1,
    });
    expect(single.status).toBe(201);
    const moved = await asAdmin('PUT', `/v1/admin/organizations/${owner.orgId}/plan`, {
      planId: 'single',
    });
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual({
      id: owner.orgId,
      name: "customer's org",
      planId: 'single',
      concurrencyLimit: null,
    });

    const usage = await call('GET', '/v1/usage', owner.headers);
    expect(usage.json).toMatchObject({ plan: 'single', quota: 1, executions: 1, remaining: 0 });
    const refused = await hook();
    expect(refused.status).toBe(429);
    expect(refused.json.type).toBe(QUOTA_PROBLEM_TYPE);

    const [event] = await auditOf('organization.plan_changed', owner.orgId);
    expect(event).toMatchObject({
      organization_id: owner.orgId,
      actor_user_id: admin.userId,
      details: { from: 'free', to: 'single' },
    });
    // The organization's owners see the change in their own audit trail.
    const trail = await call(
      'GET',
      '/v1/audit-events?action=organization.plan_changed',
      owner.headers,
    );
    expect(trail.json.items).toHaveLength(1);
  });

  it('answers 400 for an unknown plan and 404 for an unknown organization', async () => {
    const unknownPlan = await asAdmin('PUT', `/v1/admin/organizations/${owner.orgId}/plan`, {
      planId: 'platinum',
    });
    expect(unknownPlan.status).toBe(400);
    expect(unknownPlan.json.errors).toEqual([
      { path: 'planId', message: expect.stringContaining('not a plan id') },
    ]);
    const unknownOrg = await asAdmin(
      'PUT',
      '/v1/admin/organizations/00000000-0000-4000-8000-000000000000/plan',
      { planId: 'free' },
    );
    expect(unknownOrg.status).toBe(404);
    const notAnId = await asAdmin('PUT', '/v1/admin/organizations/acme/plan', { planId: 'free' });
    expect(notAnId.status).toBe(400);
    expect(notAnId.json.errors[0]?.path).toBe('params.id');
  });
});
