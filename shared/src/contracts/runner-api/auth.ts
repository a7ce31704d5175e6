import { z } from 'zod';

/** `POST /v1/auth/login` and `/v1/auth/refresh`. @example Tokens.parse(await res.json()).accessToken */
export const Tokens = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().describe('seconds until the access token expires'),
    tokenType: z.literal('Bearer'),
  })
  .meta({ id: 'Tokens' });
export type Tokens = z.infer<typeof Tokens>;

/** `GET /v1/users/me`. @example Me.parse(json).email */
export const Me = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
});
export type Me = z.infer<typeof Me>;
