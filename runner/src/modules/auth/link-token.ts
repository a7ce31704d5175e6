import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import type { RunnerConfig } from '../../config/config';
import { signJwt, verifyJwt } from './tokens';

/**
 * Signed, stateless tokens for links sent by email. Each purpose has its own audience, so a
 * token made for one link (verify an address) can never be used for another (reset a password).
 */
export function signLinkToken(
  config: RunnerConfig,
  link: { audience: string; lifetime: string; subject: string; claims: Record<string, string> },
): Promise<string> {
  return signJwt(
    config,
    new SignJWT(link.claims)
      .setSubject(link.subject)
      .setAudience(link.audience)
      .setIssuedAt()
      .setExpirationTime(link.lifetime),
  );
}

/** The payload of a valid link token for `audience`, or null for any invalid or expired one. */
export async function readLinkToken(
  config: RunnerConfig,
  audience: string,
  token: string,
): Promise<(JWTPayload & { sub: string }) | null> {
  const verified = await verifyJwt(config, token, { audience });
  const payload = verified?.payload;
  return payload?.sub ? { ...payload, sub: payload.sub } : null;
}
