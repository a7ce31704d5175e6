import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface IdpAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject; tests add and change them. */
  accounts: Map<string, IdpAccount>;
  /**
   * Plays the person at the provider: opens the authorization URL, signs in as `subject`
   * through the provider's interaction endpoints (cookies kept, redirects followed by hand) and
   * returns the URL the provider finally redirects to (the runner's callback).
   */
  signIn(authorizationUrl: string, subject: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1 with one confidential
 * client. Consent is granted automatically (a first-party client); the login step is the
 * provider's development interaction, driven over HTTP.
 */
export async function startTestIdp(redirectUris: string[]): Promise<TestIdp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'maestro-runner';
  const clientSecret = 'a-client-secret-for-tests-only-0123456789';
  const accounts = new Map<string, IdpAccount>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: async () => ({ sub, ...account }) } : undefined;
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    async signIn(authorizationUrl, subject) {
      const jar = new Map<string, string>();
      const send = async (url: URL, init: RequestInit = {}) => {
        const response = await fetch(url, {
          ...init,
          redirect: 'manual',
          headers: {
            ...(init.headers as Record<string, string>),
            cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          },
        });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const at = pair!.indexOf('=');
          const name = pair!.slice(0, at).trim();
          const value = pair!.slice(at + 1).trim();
          if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
          else jar.set(name, value);
        }
        await response.arrayBuffer();
        const location = response.headers.get('location');
        if (response.status < 300 || response.status > 399 || !location)
          throw new Error(`the provider answered ${response.status} at ${url.pathname}`);
        return new URL(location, url);
      };
      let next = await send(new URL(authorizationUrl));
      for (let hops = 0; hops < 10; hops++) {
        if (next.origin !== issuer) return next; // left the provider: the client's redirect URI
        const interaction = /^\/interaction\/([^/]+)$/.exec(next.pathname);
        next = interaction
          ? await send(next, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ prompt: 'login', login: subject, password: 'x' }),
            })
          : await send(next);
      }
      throw new Error('too many redirects at the provider');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
