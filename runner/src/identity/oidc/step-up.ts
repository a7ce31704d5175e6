import type { EntityManager } from '@mikro-orm/postgresql';
import { UserIdentity } from '../../db/entities/oidc';
import type { OidcLoginEntity } from '../../db/entities';
import { forbidden } from '../../http/problem';
import type { IdentityClaims } from './accounts';
import { findLoginByCode, verifierMatches } from './login-store';

/**
 * How far the provider's clock may be behind ours: an `auth_time` this much before the
 * step-up started still counts as a sign-in made for it.
 */
export const AUTH_TIME_SKEW_S = 60;

/**
 * The callback of a step-up re-authentication (sent with `prompt=login` and `max_age=0`): the
 * person must have signed in at the provider as an identity linked to the user who asked, and
 * the ID token's `auth_time` must fall after the step-up started — a provider that silently
 * reused its session (ignoring `prompt`) does not prove that the person is there.
 */
export async function stepUpUser(
  em: EntityManager,
  providerId: string,
  claims: IdentityClaims,
  login: Pick<OidcLoginEntity, 'reauthUserId' | 'createdAt'>,
): Promise<string> {
  const identity = await em.findOne(UserIdentity, { providerId, subject: claims.sub });
  if (!identity || identity.userId !== login.reauthUserId) {
    throw forbidden(
      'you signed in at the identity provider as another account than the one re-authenticating',
    );
  }
  const startedAt = Math.floor(login.createdAt.getTime() / 1000);
  if (typeof claims.auth_time !== 'number' || claims.auth_time < startedAt - AUTH_TIME_SKEW_S) {
    throw forbidden(
      'the identity provider did not ask you to sign in again (its auth_time is missing or older than this re-authentication)',
    );
  }
  return identity.userId;
}

/**
 * Spends a step-up's one-time code for `userId`: true when the code is theirs, current, unused
 * and comes with the PKCE verifier of the challenge the step-up began with. The code is spent
 * either way (a wrong verifier ends the step-up, as at the exchange).
 */
export async function redeemStepUpCode(
  em: EntityManager,
  userId: string,
  code: string,
  codeVerifier: string,
): Promise<boolean> {
  return em.transactional(async (tx) => {
    const login = await findLoginByCode(tx, code, userId);
    if (!login || login.userId !== userId) return false;
    tx.remove(login);
    return verifierMatches(login.clientChallenge, codeVerifier);
  });
}
