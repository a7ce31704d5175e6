import { RoleList } from '../../../shared/src/contracts/runner-api';
import type { RunnerConnectionService } from './runner-connection-service';
import { RunnerError } from './runner-error';

/**
 * The organization's role table (`GET /v1/organizations/{id}/roles`, so custom roles count) and
 * the permissions of the signed-in user's role in it; the organization in use by default.
 */
export async function roleTable(
  connections: RunnerConnectionService,
  organizationId?: string,
): Promise<{ roles: RoleList; permissions: ReadonlySet<string> }> {
  const ctx = connections.context(undefined, organizationId);
  const [roles, organizations] = await Promise.all([
    ctx.send(
      { method: 'GET', path: `/v1/organizations/${encodeURIComponent(ctx.organizationId)}/roles` },
      RoleList,
    ),
    connections.organizations(ctx.profile.id),
  ]);
  const myRole = organizations.find((o) => o.id === ctx.organizationId)?.role;
  return {
    roles,
    permissions: new Set(roles.items.find((r) => r.id === myRole)?.permissions ?? []),
  };
}

/**
 * The signed-in user's permissions in the organization in use, for showing a screen read-only.
 * Null when the user's role may not read the roles: such a user is not told no, the runner
 * will say so on the change itself.
 */
export async function myPermissions(
  connections: RunnerConnectionService,
): Promise<ReadonlySet<string> | null> {
  try {
    return (await roleTable(connections)).permissions;
  } catch (error) {
    if (error instanceof RunnerError && error.kind === 'forbidden') return null;
    throw error;
  }
}
