import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import * as oidc from 'openid-client';
import type { SecretBox } from '../../crypto/secret-box';
import { OidcLogin } from '../../db/entities/oidc';
import type { OidcLoginEntity } from '../../db/entities';
import { newId } from '../../db/ids';
import { sha256 } from '../../modules/auth/tokens';

/** From start to callback: the time a person has to sign in at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;
/** From callback to exchange: the client redeems its one-time code (asking for a TOTP code first, if needed). */
export const CODE_TTL_MS = 5 * 60_000;

const verifierContext = (loginId: string) => `oidc-login:${loginId}`;

export interface ClientRequest {
  providerId: string;
  redirectUri: string;
  clientState: string | undefined;
  clientChallenge: string;
  /** Set for a step-up re-authentication: the signed-in user who asked for it. */
  reauthUserId?: string;
}

/**
 * Records a sign-in about to leave for the provider and returns what goes into the
 * authorization request. Only the state's hash is stored; the PKCE verifier is sealed.
 * Expired sign-ins are deleted on the way (an indexed delete, usually of nothing).
 */
export async function startLogin(em: EntityManager, box: SecretBox, request: ClientRequest) {
  await em.nativeDelete(OidcLogin, { expiresAt: { $lt: new Date() } });
  const id = newId();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  em.create(OidcLogin, {
    id,
    providerId: request.providerId,
    stateHash: sha256(state),
    nonce,
    codeVerifierEnc: box.seal(codeVerifier, verifierContext(id)),
    redirectUri: request.redirectUri,
    clientState: request.clientState ?? null,
    clientChallenge: request.clientChallenge,
    reauthUserId: request.reauthUserId ?? null,
    expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
  });
  await em.flush();
  return { state, nonce, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier) };
}

/**
 * Takes the sign-in a callback's `state` belongs to, once: the state is cleared in the same
 * locked transaction, so a replayed callback (or two racing ones) finds nothing.
 */
export async function takeLoginByState(
  em: EntityManager,
  box: SecretBox,
  providerId: string,
  state: string,
): Promise<{ login: OidcLoginEntity; codeVerifier: string } | null> {
  return em.transactional(async (tx) => {
    const login = await tx.findOne(
      OidcLogin,
      { stateHash: sha256(state), providerId, expiresAt: { $gt: new Date() } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!login) return null;
    login.stateHash = null;
    await tx.flush();
    return { login, codeVerifier: box.open(login.codeVerifierEnc, verifierContext(login.id)) };
  });
}

/** After a successful callback: the one-time code the client exchanges for tokens. */
export async function issueLoginCode(
  em: EntityManager,
  loginId: string,
  userId: string,
): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await em.nativeUpdate(
    OidcLogin,
    { id: loginId },
    { userId, codeHash: sha256(code), expiresAt: new Date(Date.now() + CODE_TTL_MS) },
  );
  return code;
}

export async function dropLogin(em: EntityManager, loginId: string): Promise<void> {
  await em.nativeDelete(OidcLogin, { id: loginId });
}

/**
 * The sign-in a one-time code belongs to, locked for the caller's transaction: a sign-in's code
 * (`reauthUserId` null, for the exchange) or the step-up code of that signed-in user (for 2FA
 * enrolment). Neither kind is accepted in the other's place.
 */
export function findLoginByCode(tx: EntityManager, code: string, reauthUserId: string | null) {
  return tx.findOne(
    OidcLogin,
    {
      codeHash: sha256(code),
      userId: { $ne: null },
      reauthUserId,
      expiresAt: { $gt: new Date() },
    },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
}

/** PKCE (S256) between the client and the runner: the exchange proves it started the sign-in. */
export function verifierMatches(challenge: string, verifier: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
