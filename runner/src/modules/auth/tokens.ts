import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { RunnerConfig } from '../../config/config';

const AUDIENCE = 'maestro-api';

export interface AccessClaims {
  userId: string;
}

/** A short-lived HS256 access token; `kid` names the key so it can be rotated. */
export async function signAccessToken(config: RunnerConfig, userId: string): Promise<string> {
  return new SignJWT({ typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', kid: config.jwt.kid, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(config.jwt.issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setJti(randomBytes(8).toString('base64url'))
    .setExpirationTime(`${config.jwt.accessTtlSeconds}s`)
    .sign(config.jwt.secret);
}

/** Returns the claims, or null for any invalid, expired or foreign token. */
export async function verifyAccessToken(
  config: RunnerConfig,
  token: string,
): Promise<AccessClaims | null> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, config.jwt.secret, {
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: AUDIENCE,
    });
    if (protectedHeader.kid !== config.jwt.kid || payload.typ !== 'access' || !payload.sub)
      return null;
    return { userId: payload.sub };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
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
