import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { JWTHeaderParameters, JWTPayload, JWTVerifyOptions } from 'jose';
import type { RunnerConfig } from '../../config/config';

const AUDIENCE = 'maestro-api';

export interface AccessClaims {
  userId: string;
}

/**
 * Signs with the ring's signing key (HS256) and names it in `kid`, so verifiers pick the key
 * by id and a rotation never needs a flag day (docs/security.md: key rotation).
 */
export function signJwt(
  config: RunnerConfig,
  jwt: SignJWT,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  return jwt
    .setProtectedHeader({ ...header, alg: 'HS256', kid: config.jwt.kid })
    .setIssuer(config.jwt.issuer)
    .sign(config.jwt.keys.get(config.jwt.kid)!);
}

/**
 * Verifies a token made by signJwt: HS256 only (`none`, RS256 and others are refused before
 * any key is used), the key chosen by `kid` from the ring (unknown or missing kid: refused).
 * Returns the payload and header, or null for any invalid, expired or foreign token.
 */
export async function verifyJwt(
  config: RunnerConfig,
  token: string,
  options: Omit<JWTVerifyOptions, 'algorithms' | 'issuer'>,
): Promise<{ payload: JWTPayload; header: JWTHeaderParameters } | null> {
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : config.jwt.keys.get(header.kid);
        if (!key) throw new joseErrors.JWKSNoMatchingKey('unknown JWT key id');
        return key;
      },
      { ...options, algorithms: ['HS256'], issuer: config.jwt.issuer },
    );
    return { payload, header: protectedHeader };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}

/** A short-lived access token (15 minutes by default). */
export async function signAccessToken(config: RunnerConfig, userId: string): Promise<string> {
  return signJwt(
    config,
    new SignJWT({ typ: 'access' })
      .setSubject(userId)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomBytes(8).toString('base64url'))
      .setExpirationTime(`${config.jwt.accessTtlSeconds}s`),
    { typ: 'JWT' },
  );
}

/** Returns the claims, or null for any invalid, expired or foreign token. */
export async function verifyAccessToken(
  config: RunnerConfig,
  token: string,
): Promise<AccessClaims | null> {
  const verified = await verifyJwt(config, token, { audience: AUDIENCE });
  if (!verified || verified.payload.typ !== 'access' || !verified.payload.sub) return null;
  return { userId: verified.payload.sub };
}

/** Opaque random tokens (refresh tokens, API keys) are stored as SHA-256 only. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newRefreshToken(): string {
  return `mrt_${randomBytes(32).toString('base64url')}`;
}

/** `mk_<prefix>_<secret>`: the prefix is shown in listings to recognise a key; the whole key is hashed. */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(4).toString('hex');
  return { key: `mk_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function isApiKey(token: string): boolean {
  return token.startsWith('mk_');
}
