import type { EntityManager } from '@mikro-orm/postgresql';
import type { MembershipEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { CustomRole } from '../../db/entities/custom-role';
import { User } from '../../db/entities/identity';
import { Membership, Organization } from '../../db/entities/tenancy';
import { WorkflowGrant } from '../../db/entities/workflow-access';
import { conflict, notFound } from '../../http/problem';
import { roleRefOf } from '../roles/role-ref';
import { isUuid } from '../workflows/repository';

/** Runs inside withOrgContext(newOrgId): the organization, its first owner, an audit line. */
export async function createOrganization(
  em: EntityManager,
  id: string,
  name: string,
  ownerId: string,
) {
  const org = em.create(Organization, { id, name });
  em.create(Membership, { organizationId: id, userId: ownerId, role: 'owner' });
  em.create(AuditEvent, {
    organizationId: id,
    actorUserId: ownerId,
    action: 'organization.created',
    targetType: 'organization',
    targetId: id,
  });
  await em.flush();
  return org;
}

/** The API's view of a member: a custom role shows as its id, with its name beside it. */
export function memberInfo(
  user: { id: string; email: string; name: string },
  m: MembershipEntity,
  roleName: string,
) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: roleRefOf(m),
    roleName,
    joinedAt: m.createdAt.toISOString(),
  };
}

export async function listMembers(em: EntityManager, organizationId: string) {
  const memberships = await em.find(
    Membership,
    { organizationId },
    { orderBy: { createdAt: 'asc' } },
  );
  const users = await em.find(User, { id: { $in: memberships.map((m) => m.userId) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  const names = new Map((await em.find(CustomRole, {})).map((r) => [r.id, r.name]));
  return memberships.flatMap((m) => {
    const user = byId.get(m.userId);
    return user ? [memberInfo(user, m, m.roleId ? (names.get(m.roleId) ?? '') : m.role)] : [];
  });
}

/**
 * Serializes membership changes of one organization (row lock on the organization): two
 * concurrent demotions of its last two owners then run one after the other, and the second
 * sees the first's result when it counts owners.
 */
export async function lockOrganization(em: EntityManager, organizationId: string): Promise<void> {
  await em.execute('select id from organizations where id = ? for update', [organizationId]);
}

/** Call with the organization locked: refuses to leave it without an owner. */
export async function assertKeepsAnOwner(em: EntityManager, leaving: MembershipEntity) {
  if (leaving.role !== 'owner') return;
  const owners = await em.count(Membership, { role: 'owner' });
  if (owners <= 1)
    throw conflict(
      'an organization keeps at least one owner: make another member owner first, then change or remove this one',
    );
}

export async function getMembership(em: EntityManager, userId: string) {
  const m = isUuid(userId) ? await em.findOne(Membership, { userId }) : null;
  if (!m) throw notFound('member');
  return m;
}

/** Removes a membership and what only a member can hold (workflow grants). */
export async function removeMembership(em: EntityManager, m: MembershipEntity) {
  await em.nativeDelete(WorkflowGrant, { userId: m.userId });
  em.remove(m);
}
