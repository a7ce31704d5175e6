import type { FastifyInstance } from 'fastify';
import { signUp } from './test-app';

export interface OrgOwner {
  orgId: string;
  headers: Record<string, string>;
}

/** A new user added to the owner's organization with `role` (built-in name or custom role id). */
export async function addMember(
  app: FastifyInstance,
  owner: OrgOwner,
  name: string,
  role = 'member',
) {
  const user = await signUp(app, name);
  const res = await app.inject({
    method: 'POST',
    url: `/v1/organizations/${owner.orgId}/users`,
    headers: owner.headers,
    payload: { email: user.email, role },
  });
  if (res.statusCode !== 201) throw new Error(`add member failed: ${res.statusCode} ${res.body}`);
  return {
    ...user,
    orgId: owner.orgId,
    headers: { authorization: `Bearer ${user.accessToken}`, 'x-organization-id': owner.orgId },
  };
}

/** A custom role in the owner's organization; returns its id. */
export async function createRole(
  app: FastifyInstance,
  owner: OrgOwner,
  name: string,
  permissions: string[],
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/organizations/${owner.orgId}/roles`,
    headers: owner.headers,
    payload: { name, permissions },
  });
  if (res.statusCode !== 201) throw new Error(`create role failed: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}
