import { z } from 'zod';

/** One identity provider a runner offers for sign-in. @example OidcProvider.parse({ id: 'corp', name: 'Corp SSO' }) */
export const OidcProvider = z.object({
  id: z.string().describe('used in /v1/auth/oidc/{provider}/…'),
  name: z.string().describe('what a sign-in button shows'),
});
export type OidcProvider = z.infer<typeof OidcProvider>;

/** `GET /v1/auth/oidc/providers`. @example OidcProviderList.parse(json).items.map((p) => p.name) */
export const OidcProviderList = z.object({ items: z.array(OidcProvider) });
export type OidcProviderList = z.infer<typeof OidcProviderList>;

/** `POST /v1/auth/oidc/{provider}/reauth`. @example OidcReauthStart.parse(json).authorizationUrl */
export const OidcReauthStart = z.object({ authorizationUrl: z.string() });
export type OidcReauthStart = z.infer<typeof OidcReauthStart>;

/**
 * What the runner's callback sends to the client's redirect URI (RFC 6749 §4.1.2): a one-time
 * `code` for `POST /v1/auth/oidc/exchange`, or `error` and `error_description`; with the client's
 * own `state` either way.
 * @example OidcClientRedirect.parse(Object.fromEntries(url.searchParams))
 */
export const OidcClientRedirect = z.union([
  z.object({ code: z.string().min(1).max(200), state: z.string().optional() }),
  z.object({
    error: z.string().min(1).max(200),
    error_description: z.string().max(1000).optional(),
    state: z.string().optional(),
  }),
]);
export type OidcClientRedirect = z.infer<typeof OidcClientRedirect>;
