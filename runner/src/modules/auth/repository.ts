import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunnerConfig } from '../../config/config';
import { RefreshToken, User } from '../../db/entities/identity';
import { newId } from '../../db/ids';
import { newRefreshToken, sha256, signAccessToken } from './tokens';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

export function findUserByEmail(em: EntityManager, email: string) {
  return em.findOne(User, { email: email.trim().toLowerCase() });
}

/** Issues an access token and a refresh token (a new family unless one is given). */
export async function issueTokens(
  em: EntityManager,
  config: RunnerConfig,
  userId: string,
  familyId: string = newId(),
): Promise<TokenPair> {
  const refreshToken = newRefreshToken();
  em.create(RefreshToken, {
    userId,
    familyId,
    hash: sha256(refreshToken),
    expiresAt: new Date(Date.now() + config.jwt.refreshTtlDays * 86_400_000),
  });
  await em.flush();
  return {
    accessToken: await signAccessToken(config, userId),
    refreshToken,
    expiresIn: config.jwt.accessTtlSeconds,
    tokenType: 'Bearer',
  };
}

/**
 * Rotates a refresh token: it can be used once. Presenting an already used token means it
 * leaked (or was replayed): the whole family is revoked and the caller must log in again.
 * Returns null when the token is unknown, expired, revoked or reused.
 */
export async function rotateRefreshToken(
  em: EntityManager,
  config: RunnerConfig,
  presented: string,
): Promise<TokenPair | null> {
  return em.transactional(async (tx) => {
    const token = await tx.findOne(
      RefreshToken,
      { hash: sha256(presented) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!token || token.revokedAt) return null;
    if (token.usedAt) {
      await tx.nativeUpdate(
        RefreshToken,
        { familyId: token.familyId, revokedAt: null },
        { revokedAt: new Date() },
      );
      return null;
    }
    if (token.expiresAt.getTime() <= Date.now()) return null;
    token.usedAt = new Date();
    return issueTokens(tx, config, token.userId, token.familyId);
  });
}
