import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https, or plain http on a loopback host (a provider on the same machine: development, tests). */
const issuerUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (
        url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
      );
    } catch {
      return false;
    }
  },
  { message: 'must be an https URL (http only on a loopback host)' },
);

/** One identity provider of this deployment (MAESTRO_OIDC_PROVIDERS). */
export const OidcProviderConfig = z.strictObject({
  /** In URLs (`/v1/auth/oidc/{id}/start`) and stored with each linked identity: keep it stable. */
  id: z
    .string({ message: 'must be a string' })
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 lower-case letters, digits or -'),
  name: z.string({ message: 'must be a string' }).trim().min(1, 'must not be empty').max(100),
  issuer: issuerUrl,
  clientId: z.string({ message: 'must be a string' }).min(1, 'must not be empty'),
  /** Omitted for a public client (PKCE only); sent with client_secret_basic otherwise. */
  clientSecret: z.string().min(1, 'must not be empty').optional(),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
    .default(['openid', 'email', 'profile']),
});
export type OidcProviderConfig = z.infer<typeof OidcProviderConfig>;

/** MAESTRO_OIDC_PROVIDERS: a JSON array; issues carry the index and field (`[0].issuer`). */
export const OidcProvidersEnv = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of providers' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(OidcProviderConfig, { message: 'must be a JSON array of providers' })
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, {
        message: 'provider ids must be unique',
      }),
  );

/** MAESTRO_OIDC_REDIRECT_URIS: comma-separated absolute URLs without a fragment. */
export const OidcRedirectUrisEnv = z.string().transform((value, ctx) => {
  const uris = value
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const [i, uri] of uris.entries()) {
    let ok = false;
    try {
      const url = new URL(uri);
      ok = !url.hash && !url.username && !url.password && url.protocol !== 'javascript:';
    } catch {
      ok = false;
    }
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be an absolute URL without a fragment or credentials`,
      });
  }
  return uris;
});
