import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RefreshToken, User } from '../../db/entities/identity';
import { UserIdentity } from '../../db/entities/oidc';
import { newId } from '../../db/ids';
import { RecoveryCode, UserTotp } from '../../db/entities/two-factor';
import { badRequest, HttpProblem } from '../../http/problem';
import { findUserByEmail } from '../../modules/auth/repository';
import { Email } from '../../modules/auth/schemas';

/** The claims sign-in needs, from the ID token (or UserInfo when the ID token has no email). */
export interface IdentityClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  /** When the person last signed in at the provider (seconds): checked by a step-up. */
  auth_time?: unknown;
}

export type LinkedBy = 'subject' | 'email' | 'created';

/**
 * The Maestro user an identity signs in as: the user already linked to (provider, subject);
 * else the user with the same email, which the provider must have verified; else a new user
 * (email verified, no password). The link is stored, so later sign-ins match by subject even
 * if the email changes at the provider.
 *
 * Linking to an account whose email was never verified in Maestro first clears its password,
 * sessions and 2FA: whoever registered that address without proving it (a pre-hijacking
 * attempt) loses the account to the provider-verified owner.
 */
export async function userForIdentity(
  em: EntityManager,
  providerId: string,
  claims: IdentityClaims,
): Promise<{ userId: string; linkedBy: LinkedBy }> {
  try {
    return await linkOrCreate(em, providerId, claims);
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    // A concurrent first sign-in of the same person created the user or the link: use it.
    return linkOrCreate(em, providerId, claims);
  }
}

function linkOrCreate(em: EntityManager, providerId: string, claims: IdentityClaims) {
  // OIDC Core: at most 255 ASCII characters (and PostgreSQL refuses NUL in text).
  if (!/^[\x20-\x7e]{1,255}$/.test(claims.sub))
    throw badRequest('the identity provider sent an unusable subject (`sub`)');
  return em.transactional(async (tx) => {
    const identity = await tx.findOne(UserIdentity, { providerId, subject: claims.sub });
    if (identity) {
      identity.lastLoginAt = new Date();
      return { userId: identity.userId, linkedBy: 'subject' as const };
    }
    const email = Email.safeParse(claims.email);
    if (!email.success || claims.email_verified !== true) {
      throw new HttpProblem(
        403,
        'the identity provider did not send a verified email address (email_verified must be true), so this identity cannot be linked to an account',
      );
    }
    let user = await findUserByEmail(tx, email.data);
    let linkedBy: LinkedBy = 'email';
    if (user && !user.emailVerifiedAt) {
      // A raw update: MikroORM types the hidden nullable column as non-null on assignment.
      await tx.nativeUpdate(
        User,
        { id: user.id },
        { passwordHash: null, emailVerifiedAt: new Date() },
      );
      await tx.nativeUpdate(
        RefreshToken,
        { userId: user.id, revokedAt: null },
        { revokedAt: new Date() },
      );
      await tx.nativeDelete(RecoveryCode, { userId: user.id });
      await tx.nativeDelete(UserTotp, { userId: user.id });
    } else if (!user) {
      linkedBy = 'created';
      user = tx.create(User, {
        id: newId(), // known before the flush: the identity row names it
        email: email.data,
        name: displayName(claims.name, email.data),
        emailVerifiedAt: new Date(),
        // No password: sign-in goes through the provider until a reset link sets one. (MikroORM
        // types a hidden nullable column as non-null; the column is nullable.)
        passwordHash: null as unknown as string,
      });
    }
    tx.create(UserIdentity, {
      providerId,
      subject: claims.sub,
      userId: user.id,
      email: email.data,
      lastLoginAt: new Date(),
    });
    return { userId: user.id, linkedBy };
  });
}

function displayName(name: unknown, email: string): string {
  // Control characters and lone surrogates dropped (PostgreSQL refuses NUL), 200 code points.
  const cleaned = typeof name === 'string' ? name.replace(/[\p{Cc}\p{Cs}]/gu, '').trim() : '';
  const trimmed = [...cleaned].slice(0, 200).join('').trim();
  return trimmed || email.split('@')[0]!;
}
