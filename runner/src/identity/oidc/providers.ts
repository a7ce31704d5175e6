import * as oidc from 'openid-client';
import type { OidcProviderConfig } from './oidc-config';

export interface OidcProviders {
  /** The configured provider with this id, or undefined. */
  get(id: string): OidcProviderConfig | undefined;
  list(): readonly OidcProviderConfig[];
  /** The provider's discovered metadata as an openid-client configuration (cached per process). */
  client(provider: OidcProviderConfig): Promise<oidc.Configuration>;
}

/**
 * The deployment's identity providers. Discovery runs on first use rather than at start, so a
 * provider that is down does not stop the API; a failed discovery is retried by the next sign-in.
 */
export function createOidcProviders(list: readonly OidcProviderConfig[]): OidcProviders {
  const byId = new Map(list.map((p) => [p.id, p]));
  const clients = new Map<string, Promise<oidc.Configuration>>();
  return {
    get: (id) => byId.get(id),
    list: () => list,
    client(provider) {
      let client = clients.get(provider.id);
      if (!client) {
        client = discover(provider);
        clients.set(provider.id, client);
        client.catch(() => clients.delete(provider.id));
      }
      return client;
    },
  };
}

function discover(provider: OidcProviderConfig): Promise<oidc.Configuration> {
  const issuer = new URL(provider.issuer);
  return oidc.discovery(
    issuer,
    provider.clientId,
    undefined,
    provider.clientSecret ? oidc.ClientSecretBasic(provider.clientSecret) : oidc.None(),
    // The configuration only lets http through for loopback issuers (oidc-config.ts).
    issuer.protocol === 'http:'
      ? { execute: [oidc.allowInsecureRequests], timeout: 10 }
      : { timeout: 10 },
  );
}
