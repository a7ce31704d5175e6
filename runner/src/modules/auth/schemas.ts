import { z } from 'zod';

// The answer the desktop reads is the shared contract.
export { Tokens } from '../../../../shared/src/contracts/runner-api/auth';

export const Email = z
  .string()
  .trim()
  .max(254)
  .email('must be an email address')
  .transform((e) => e.toLowerCase());

export const RegisterBody = z.strictObject({
  email: Email,
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  name: z.string().trim().min(1).max(200),
});

export const RegisteredUser = z.object({ id: z.string(), email: z.string(), name: z.string() });

export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1).max(200),
  totp: z.string().max(10).optional(),
});

export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });
