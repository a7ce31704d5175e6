import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { CustomRole } from '../../db/entities/custom-role';
import { ROLES, type Role } from '../../db/entities/tenancy';
import {
  grantedPermissions,
  missingPermissions,
  ROLE_PERMISSIONS,
  type Permission,
} from '../../http/permissions';
import { badRequest, forbidden } from '../../http/problem';
import { isUuid } from '../workflows/repository';

/** How the API names a role: a built-in role's name, or a custom role's id. */
export const RoleRef = z
  .union([z.enum(ROLES), z.uuid()])
  .describe('a built-in role (owner, admin, member) or the id of a custom role');
export type RoleRef = z.infer<typeof RoleRef>;

/** A role as memberships and invitations store it: the built-in role, plus a custom role id. */
export interface ResolvedRole {
  role: Role;
  roleId: string | null;
  name: string;
  permissions: ReadonlySet<Permission>;
}

const isBuiltIn = (ref: string): ref is Role => (ROLES as readonly string[]).includes(ref);

/** A role reference resolved inside the request's organization (400 for an unknown one). */
export async function resolveRole(
  em: EntityManager,
  ref: string,
  path = 'role',
): Promise<ResolvedRole> {
  if (isBuiltIn(ref))
    return { role: ref, roleId: null, name: ref, permissions: ROLE_PERMISSIONS[ref] };
  const custom = isUuid(ref) ? await em.findOne(CustomRole, { id: ref }) : null;
  if (!custom)
    throw badRequest('the role does not exist', [
      { path, message: 'no such role in this organization' },
    ]);
  return {
    role: 'member',
    roleId: custom.id,
    name: custom.name,
    permissions: grantedPermissions('member', custom.permissions),
  };
}

/** What a stored (role, roleId) pair allows; loads the custom role when there is one. */
export async function storedRole(
  em: EntityManager,
  stored: { role: Role; roleId?: string | null },
): Promise<ResolvedRole> {
  return stored.roleId ? resolveRole(em, stored.roleId) : resolveRole(em, stored.role);
}

/** The API's name for a stored role: the custom role id, else the built-in name. */
export const roleRefOf = (stored: { role: Role; roleId?: string | null }): string =>
  stored.roleId ?? stored.role;

/**
 * No escalation: whoever gives, changes or takes away a role must hold every permission it
 * carries (so a custom role with members:manage cannot make owners, nor demote them).
 */
export function assertMayAssign(held: ReadonlySet<Permission>, ...roles: ResolvedRole[]): void {
  const missing = new Set(roles.flatMap((r) => missingPermissions(held, r.permissions)));
  if (missing.size)
    throw forbidden(
      `your role lacks permissions this change involves: ${[...missing].sort().join(', ')}`,
    );
}
