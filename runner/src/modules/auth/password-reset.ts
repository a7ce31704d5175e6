import type { RunnerConfig } from '../../config/config';
import { readLinkToken, signLinkToken } from './link-token';
import { sha256 } from './tokens';

const AUDIENCE = 'maestro-password-reset';
const LIFETIME = '1h';

/**
 * A stateless reset token bound to the current password hash: once the password changes
 * (the reset itself, or any other change) every earlier link stops working — single use
 * without a table.
 */
export function signResetToken(
  config: RunnerConfig,
  userId: string,
  passwordHash: string | null,
): Promise<string> {
  return signLinkToken(config, {
    audience: AUDIENCE,
    lifetime: LIFETIME,
    subject: userId,
    claims: { pwh: fingerprint(passwordHash) },
  });
}

export async function readResetToken(
  config: RunnerConfig,
  token: string,
): Promise<{ userId: string; passwordFingerprint: string } | null> {
  const payload = await readLinkToken(config, AUDIENCE, token);
  if (!payload || typeof payload.pwh !== 'string') return null;
  return { userId: payload.sub, passwordFingerprint: payload.pwh };
}

export function fingerprint(passwordHash: string | null): string {
  return sha256(passwordHash ?? 'no-password').slice(0, 32);
}

export function resetMail(config: RunnerConfig, to: string, token: string) {
  const link = `${config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: 'Reset your Maestro password',
    text: `Someone asked to reset the password of this Maestro account.\n\nChoose a new password within one hour:\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.`,
  };
}
