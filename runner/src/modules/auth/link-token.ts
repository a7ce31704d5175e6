import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { JWTPayload } from 'jose';
import type { RunnerConfig } from '../../config/config';

/**
 * Signed, stateless tokens for links sent by email. Each purpose has its own audience, so a
 * token made for one link (verify an address) can never be used for another (reset a password).
 */
export function signLinkToken(
  config: RunnerConfig,
  link: { audience: string; lifetime: string; subject: string; claims: Record<string, string> },
): Promise<string> {
  return new SignJWT(link.claims)
    .setProtectedHeader({ alg: 'HS256', kid: config.jwt.kid })
    .setSubject(link.subject)
    .setIssuer(config.jwt.issuer)
    .setAudience(link.audience)
    .setIssuedAt()
    .setExpirationTime(link.lifetime)
    .sign(config.jwt.secret);
}

/** The payload of a valid link token for `audience`, or null for any invalid or expired one. */
export async function readLinkToken(
  config: RunnerConfig,
  audience: string,
  token: string,
): Promise<(JWTPayload & { sub: string }) | null> {
  try {
    const { payload } = await jwtVerify(token, config.jwt.secret, {
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience,
    });
    return payload.sub ? { ...payload, sub: payload.sub } : null;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}
