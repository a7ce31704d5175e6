import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from '../../db/entities/audit';
import { User } from '../../db/entities/identity';
import { Membership, Organization } from '../../db/entities/tenancy';

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

export async function listMembers(em: EntityManager, organizationId: string) {
  const memberships = await em.find(
    Membership,
    { organizationId },
    { orderBy: { createdAt: 'asc' } },
  );
  const users = await em.find(User, { id: { $in: memberships.map((m) => m.userId) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return memberships.flatMap((m) => {
    const user = byId.get(m.userId);
    return user
      ? [
          {
            id: user.id,
            email: user.email,
            name: user.name,
            role: m.role,
            joinedAt: m.createdAt.toISOString(),
          },
        ]
      : [];
  });
}
