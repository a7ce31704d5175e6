/**
 * The AAD contexts secrets are sealed under: a sealed value copied to another row (or
 * another organization) does not open there.
 */
export const hmacSecretContext = (workflowId: string) => `trigger-hmac:${workflowId}`;
/** Connections are bound to their own id (worker/secret-resolver.ts opens them with it). */
export const connectionSecretContext = (connectionId: string) => connectionId;
/** Secret organization variables are bound to their row id (modules/variables). */
export const variableSecretContext = (variableId: string) => `org-variable:${variableId}`;
/** A user's TOTP secret is bound to the user (identity/totp.ts). */
export const totpSecretContext = (userId: string) => `totp:${userId}`;
/** An OIDC sign-in in flight: its PKCE verifier is bound to the login row (identity/oidc/login-store.ts). */
export const oidcLoginContext = (loginId: string) => `oidc-login:${loginId}`;
/** An event subscription's signing secret is bound to the subscription (events/dispatcher.ts). */
export const eventSubscriptionSecretContext = (subscriptionId: string) =>
  `event-subscription:${subscriptionId}`;
