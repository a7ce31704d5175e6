import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Secret, TOTP } from 'otpauth';
import { totpSecretContext } from '../crypto/contexts';
import type { SecretBox } from '../crypto/secret-box';
import { RecoveryCode, UserTotp } from '../db/entities/two-factor';
import { sha256 } from '../modules/auth/tokens';

const PERIOD_S = 30;
const RECOVERY_CODES = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** The sealed secret is bound to its user: copied onto another user's row, it does not open. */
const totpContext = totpSecretContext;

export function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: 'Maestro',
    label,
    algorithm: 'SHA1', // what authenticator apps implement (RFC 6238 default)
    digits: 6,
    period: PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function sealTotpSecret(box: SecretBox, userId: string, secret: string): string {
  return box.seal(secret, totpContext(userId));
}

/**
 * Checks a 6-digit code (±1 step of clock drift) and records its step, so one code is
 * accepted once. Returns false for a wrong or replayed code.
 */
export function acceptTotp(
  box: SecretBox,
  row: { userId: string; secretEnc: string; lastStep?: number | null },
  code: string,
  now = Date.now(),
): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const totp = totpFor(box.open(row.secretEnc, totpContext(row.userId)), row.userId);
  const delta = totp.validate({ token: code, window: 1, timestamp: now });
  if (delta === null) return false;
  const step = Math.floor(now / 1000 / PERIOD_S) + delta;
  if (row.lastStep != null && step <= row.lastStep) return false;
  row.lastStep = step;
  return true;
}

export const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

/** Replaces the user's recovery codes with fresh ones; returns them (shown once). */
export async function issueRecoveryCodes(em: EntityManager, userId: string): Promise<string[]> {
  await em.nativeDelete(RecoveryCode, { userId });
  const codes = Array.from({ length: RECOVERY_CODES }, () =>
    Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join(
      '',
    ),
  );
  for (const code of codes) em.create(RecoveryCode, { userId, hash: sha256(code) });
  await em.flush();
  return codes;
}

/** Uses a recovery code once (atomic: two concurrent logins cannot both spend it). */
export async function spendRecoveryCode(
  em: EntityManager,
  userId: string,
  code: string,
): Promise<boolean> {
  const spent = await em.nativeUpdate(
    RecoveryCode,
    { userId, hash: sha256(normaliseRecoveryCode(code)), usedAt: null },
    { usedAt: new Date() },
  );
  return spent === 1;
}

/**
 * The second factor of a user with TOTP enabled: a current code or an unused recovery code.
 * `'none'` when the user has no enabled TOTP.
 */
export async function checkSecondFactor(
  em: EntityManager,
  box: SecretBox,
  userId: string,
  code: string | undefined,
): Promise<'none' | 'ok' | 'missing' | 'wrong'> {
  const row = await em.findOne(UserTotp, { userId, enabledAt: { $ne: null } });
  if (!row) return 'none';
  if (!code) return 'missing';
  if (/^\d{6}$/.test(code)) {
    if (!acceptTotp(box, row, code)) return 'wrong';
    // Conditional update: a concurrent login with the same code loses the race.
    const won = await em.nativeUpdate(
      UserTotp,
      { userId, $or: [{ lastStep: null }, { lastStep: { $lt: row.lastStep! } }] },
      { lastStep: row.lastStep },
    );
    return won === 1 ? 'ok' : 'wrong';
  }
  return (await spendRecoveryCode(em, userId, code)) ? 'ok' : 'wrong';
}
