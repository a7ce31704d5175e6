import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CustomRoleEntity } from '../../db/entities';
import { CustomRole } from '../../db/entities/custom-role';
import { Invitation } from '../../db/entities/invitation';
import { Membership, ROLES } from '../../db/entities/tenancy';
import { grantedPermissions, PERMISSIONS, ROLE_PERMISSIONS } from '../../http/permissions';
import { notFound } from '../../http/problem';
import { isUuid } from '../workflows/repository';

// Listed in the table's order, so a role reads the same however it was written.
const ordered = (granted: ReadonlySet<string>) => PERMISSIONS.filter((p) => granted.has(p));

export function customRoleInfo(r: CustomRoleEntity) {
  return {
    id: r.id,
    name: r.name,
    builtIn: false,
    permissions: ordered(grantedPermissions('member', r.permissions)),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Built-in roles (read-only) first, then the organization's own by name. */
export async function listRoles(em: EntityManager) {
  const custom = await em.find(CustomRole, {}, { orderBy: { name: 'asc' } });
  return [
    ...ROLES.map((role) => ({
      id: role,
      name: role,
      builtIn: true,
      permissions: ordered(ROLE_PERMISSIONS[role]),
      createdAt: null,
      updatedAt: null,
    })),
    ...custom.map(customRoleInfo),
  ];
}

export async function getCustomRole(em: EntityManager, id: string, opts: { lock?: boolean } = {}) {
  const role = isUuid(id)
    ? await em.findOne(
        CustomRole,
        { id },
        opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
      )
    : null;
  if (!role) throw notFound('role');
  return role;
}

/** Memberships and pending invitations that name the role (a role in use is not deleted). */
export async function roleUsage(em: EntityManager, roleId: string) {
  // One transaction, one connection: the counts run one after the other.
  const members = await em.count(Membership, { roleId });
  const invitations = await em.count(Invitation, {
    roleId,
    acceptedAt: null,
    revokedAt: null,
    expiresAt: { $gt: new Date() },
  });
  return { members, invitations };
}

/** Invitations that can no longer be accepted let go of the role (their audit events keep it). */
export async function releaseRole(em: EntityManager, roleId: string) {
  await em.nativeUpdate(
    Invitation,
    {
      roleId,
      $or: [
        { acceptedAt: { $ne: null } },
        { revokedAt: { $ne: null } },
        { expiresAt: { $lte: new Date() } },
      ],
    },
    { roleId: null },
  );
}
