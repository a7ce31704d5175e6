import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { InvitationEntity, UserEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { CustomRole } from '../../db/entities/custom-role';
import { User } from '../../db/entities/identity';
import { Invitation } from '../../db/entities/invitation';
import { Membership } from '../../db/entities/tenancy';
import { newId } from '../../db/ids';
import { badRequest, conflict, forbidden, notFound } from '../../http/problem';
import { findUserByEmail } from '../auth/repository';
import { roleRefOf, storedRole, type ResolvedRole } from '../roles/role-ref';
import { isUuid } from '../workflows/repository';
import { INVITATION_LIFETIME_DAYS, type InvitationClaims } from './invitation-link';

export function invitationInfo(inv: InvitationEntity, roleName: string) {
  return {
    id: inv.id,
    email: inv.email,
    role: roleRefOf(inv),
    roleName,
    invitedBy: inv.invitedBy ?? null,
    expiresAt: inv.expiresAt.toISOString(),
    createdAt: inv.createdAt.toISOString(),
  };
}

const pending = () => ({ acceptedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } });

/**
 * Records an invitation (inside the organization's context). An address that is already a
 * member is refused; a pending invitation to the same address is replaced (its link stops working).
 */
export async function createInvitation(
  em: EntityManager,
  input: { organizationId: string; email: string; role: ResolvedRole; invitedBy: string | null },
) {
  const existing = await findUserByEmail(em, input.email);
  if (existing && (await em.count(Membership, { userId: existing.id })))
    throw conflict('this address belongs to a member of the organization already');
  const replaced = await em.find(Invitation, { email: input.email, ...pending() });
  for (const old of replaced) old.revokedAt = new Date();
  const invitation = em.create(Invitation, {
    organizationId: input.organizationId,
    email: input.email,
    role: input.role.role,
    roleId: input.role.roleId,
    invitedBy: input.invitedBy,
    expiresAt: new Date(Date.now() + INVITATION_LIFETIME_DAYS * 86_400_000),
  });
  return { invitation, replaced: replaced.map((r) => r.id) };
}

export async function listPendingInvitations(em: EntityManager) {
  const rows = await em.find(Invitation, pending(), { orderBy: { createdAt: 'desc' } });
  const names = new Map((await em.find(CustomRole, {})).map((r) => [r.id, r.name]));
  return rows.map((inv) =>
    invitationInfo(inv, inv.roleId ? (names.get(inv.roleId) ?? '') : inv.role),
  );
}

export async function getPendingInvitation(em: EntityManager, id: string) {
  const inv = isUuid(id)
    ? await em.findOne(Invitation, { id, ...pending() }, { lockMode: LockMode.PESSIMISTIC_WRITE })
    : null;
  if (!inv) throw notFound('invitation');
  return inv;
}

/** Who accepts: a signed-in user, or a new account made from the invitation (password pre-hashed). */
export type Acceptor =
  { kind: 'user'; userId: string } | { kind: 'new'; name: string; passwordHash: string };

/**
 * Accepts inside the invitation's organization: the row is locked, so a link works once even
 * when followed twice at the same moment. Returns the membership's user.
 */
export async function acceptInvitation(
  em: EntityManager,
  claims: InvitationClaims,
  acceptor: Acceptor,
): Promise<{ user: UserEntity; invitation: InvitationEntity; roleName: string }> {
  const invitation = isUuid(claims.invitationId)
    ? await em.findOne(
        Invitation,
        { id: claims.invitationId, ...pending() },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      )
    : null;
  if (!invitation || invitation.email !== claims.email)
    throw badRequest('the invitation is invalid, expired, revoked or already used');
  const user = await userFor(em, invitation, acceptor);
  if (await em.count(Membership, { userId: user.id }))
    throw conflict('you are a member of this organization already');
  em.create(Membership, {
    organizationId: invitation.organizationId,
    userId: user.id,
    role: invitation.role,
    roleId: invitation.roleId ?? null,
  });
  invitation.acceptedAt = new Date();
  invitation.acceptedBy = user.id;
  em.create(AuditEvent, {
    organizationId: invitation.organizationId,
    actorUserId: user.id,
    action: 'invitation.accepted',
    targetType: 'invitation',
    targetId: invitation.id,
    details: { role: roleRefOf(invitation), newAccount: acceptor.kind === 'new' },
  });
  em.create(AuditEvent, {
    organizationId: invitation.organizationId,
    actorUserId: user.id,
    action: 'membership.created',
    targetType: 'user',
    targetId: user.id,
    details: { role: roleRefOf(invitation), invitationId: invitation.id },
  });
  try {
    await em.flush();
  } catch (error) {
    // Two accounts created for one address at the same moment: the second loses.
    if ((error as { code?: string }).code === '23505')
      throw conflict('an account with this email already exists: sign in, then accept');
    throw error;
  }
  return { user, invitation, roleName: (await storedRole(em, invitation)).name };
}

async function userFor(em: EntityManager, invitation: InvitationEntity, acceptor: Acceptor) {
  if (acceptor.kind === 'user') {
    const user = await em.findOne(User, { id: acceptor.userId });
    if (!user) throw notFound('user');
    if (user.email !== invitation.email)
      throw forbidden('this invitation was sent to another email address');
    if (!user.emailVerifiedAt)
      throw forbidden('verify your email address first, then accept the invitation');
    return user;
  }
  if (await findUserByEmail(em, invitation.email))
    throw conflict('an account with this email already exists: sign in, then accept');
  // The link reached this address, which proves it as a verification link would.
  return em.create(User, {
    id: newId(), // known before the flush: the membership and audit rows name it
    email: invitation.email,
    name: acceptor.name,
    passwordHash: acceptor.passwordHash,
    emailVerifiedAt: new Date(),
  });
}
