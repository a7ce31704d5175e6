import { z } from 'zod';

/**
 * `GET /v1/auth/2fa`: whether the signed-in user has TOTP on, and how many unused recovery
 * codes are left (0 while off).
 * @example TwoFactorStatus.parse(json).enabled
 */
export const TwoFactorStatus = z.object({
  enabled: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});
export type TwoFactorStatus = z.infer<typeof TwoFactorStatus>;

/**
 * `POST /v1/auth/2fa/enrol` (201): a new TOTP secret (base32) and its `otpauth://` URI for an
 * authenticator app's QR scanner. Neither is stored by a client: it is shown once, then confirmed.
 * @example TwoFactorEnrolment.parse(json).otpauthUri.startsWith('otpauth://totp/')
 */
export const TwoFactorEnrolment = z.object({ secret: z.string(), otpauthUri: z.string() });
export type TwoFactorEnrolment = z.infer<typeof TwoFactorEnrolment>;

/**
 * `POST /v1/auth/2fa/confirm`: enrolment finished; the 10 single-use recovery codes, given only
 * in this answer. @example TwoFactorEnabled.parse(json).recoveryCodes.length === 10
 */
export const TwoFactorEnabled = z.object({
  enabled: z.literal(true),
  recoveryCodes: z.array(z.string()),
});
export type TwoFactorEnabled = z.infer<typeof TwoFactorEnabled>;

/** `POST /v1/auth/2fa/disable`. @example TwoFactorDisabled.parse({ enabled: false }) */
export const TwoFactorDisabled = z.object({ enabled: z.literal(false) });
export type TwoFactorDisabled = z.infer<typeof TwoFactorDisabled>;
