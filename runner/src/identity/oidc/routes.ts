import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as oidc from 'openid-client';
import { z } from 'zod';
import {
  OidcProviderList,
  OidcReauthStart,
} from '../../../../shared/src/contracts/runner-api/oidc';
import { badRequest, HttpProblem, notFound, problemResponses } from '../../http/problem';
import { Tokens } from '../../modules/auth/schemas';
import { UserIdentity } from '../../db/entities/oidc';
import { answerCallback } from './callback';
import { exchangeLoginCode } from './exchange';
import { startLogin, type ClientRequest } from './login-store';
import type { OidcProviderConfig } from './oidc-config';
import { createOidcProviders } from './providers';
import { isAllowedRedirectUri } from './redirect-uris';
import { ClientState, CodeChallenge, CodeVerifier, OneTimeCode } from './schemas';

const ProviderParams = z.strictObject({
  provider: z.string().max(64).describe('the provider id from GET /v1/auth/oidc/providers'),
});
const RedirectUri = z.string().max(2000);

const StartQuery = z.strictObject({
  redirect_uri: RedirectUri.describe(
    'where the one-time code is sent; must be on MAESTRO_OIDC_REDIRECT_URIS',
  ),
  state: ClientState.optional().describe(
    'echoed back to redirect_uri: the client checks it (login CSRF)',
  ),
  code_challenge: CodeChallenge.describe(
    "BASE64URL(SHA-256(code_verifier)): the client's PKCE challenge for POST /v1/auth/oidc/exchange",
  ),
  code_challenge_method: z.literal('S256'),
});

const ReauthBody = z.strictObject({
  redirectUri: RedirectUri.describe(
    'where the one-time code is sent; must be on MAESTRO_OIDC_REDIRECT_URIS',
  ),
  state: ClientState.optional().describe('echoed back to redirectUri: the client checks it'),
  codeChallenge: CodeChallenge.describe(
    "BASE64URL(SHA-256(code_verifier)): the client's PKCE challenge for POST /v1/auth/2fa/enrol",
  ),
  codeChallengeMethod: z.literal('S256'),
});

// What providers send back varies (iss, session_state, scope...): unknown parameters are allowed.
const CallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

const ExchangeBody = z.strictObject({
  code: OneTimeCode,
  codeVerifier: CodeVerifier,
  totp: z.string().max(20).optional(),
});

/**
 * OpenID Connect sign-in (authorization code + PKCE) with the deployment's providers:
 * start → provider → callback → client redirect with a one-time code → exchange for the same
 * tokens as a password login. A signed-in user can also step up (re-authenticate at the
 * provider) to enrol 2FA without a password. docs/decisions/0012-oidc-sign-in-and-jwt-keys.md
 * has the why.
 */
export async function oidcRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const config = app.runnerConfig;
  const providers = createOidcProviders(config.oidc.providers);
  const authLimit = { max: config.authRateLimitPerMinute, timeWindow: '1 minute' };
  const callbackUrl = (provider: OidcProviderConfig) =>
    `${config.publicUrl}/v1/auth/oidc/${provider.id}/callback`;
  const providerOr404 = (id: string) => {
    const provider = providers.get(id);
    if (!provider) throw notFound('identity provider');
    return provider;
  };
  const clientFor = (provider: OidcProviderConfig) =>
    providers.client(provider).catch((err: unknown) => {
      app.log.warn({ err, provider: provider.id }, 'OIDC discovery failed');
      throw new HttpProblem(502, `the identity provider "${provider.name}" could not be reached`);
    });
  const checkRedirectUri = (uri: string, path: string) => {
    if (!isAllowedRedirectUri(config.oidc.redirectUris, uri)) {
      throw badRequest('redirect_uri is not allowed', [
        { path, message: 'must be listed in MAESTRO_OIDC_REDIRECT_URIS' },
      ]);
    }
  };
  /** Records the flow and returns the provider's authorization URL for it. */
  const authorizationUrl = async (provider: OidcProviderConfig, flow: ClientRequest) => {
    const client = await clientFor(provider);
    const { state, nonce, codeChallenge } = await startLogin(
      app.orm.em.fork(),
      app.secretBox,
      flow,
    );
    return oidc.buildAuthorizationUrl(client, {
      redirect_uri: callbackUrl(provider),
      scope: provider.scopes.join(' '),
      state,
      nonce,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      // A step-up must be a fresh sign-in at the provider, not its session (checked by auth_time).
      ...(flow.reauthUserId ? { prompt: 'login', max_age: '0' } : {}),
    });
  };

  app.get(
    '/v1/auth/oidc/providers',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'The identity providers this runner offers for sign-in',
        security: [],
        response: {
          200: OidcProviderList,
          ...problemResponses,
        },
      },
    },
    async () => ({ items: providers.list().map(({ id, name }) => ({ id, name })) }),
  );

  app.get(
    '/v1/auth/oidc/:provider/start',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Begin a sign-in: redirects (302) to the identity provider',
        security: [],
        params: ProviderParams,
        querystring: StartQuery,
        response: { 302: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const provider = providerOr404(request.params.provider);
      const query = request.query;
      checkRedirectUri(query.redirect_uri, 'query.redirect_uri');
      const url = await authorizationUrl(provider, {
        providerId: provider.id,
        redirectUri: query.redirect_uri,
        clientState: query.state,
        clientChallenge: query.code_challenge,
      });
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  app.post(
    '/v1/auth/oidc/:provider/reauth',
    {
      config: { access: 'user', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Step up: an authorization URL that makes the signed-in user sign in at the provider again (prompt=login, max_age=0); its one-time code re-authenticates POST /v1/auth/2fa/enrol',
        params: ProviderParams,
        body: ReauthBody,
        response: { 200: OidcReauthStart, ...problemResponses },
      },
    },
    async (request) => {
      const provider = providerOr404(request.params.provider);
      const { body } = request;
      checkRedirectUri(body.redirectUri, 'redirectUri');
      const userId = (request.principal as { userId: string }).userId;
      const linked = await app.orm.em
        .fork()
        .count(UserIdentity, { providerId: provider.id, userId });
      if (!linked) {
        throw badRequest(`this account has never signed in with "${provider.name}"`, [
          { path: 'provider', message: 'not linked to this account' },
        ]);
      }
      const url = await authorizationUrl(provider, {
        providerId: provider.id,
        redirectUri: body.redirectUri,
        clientState: body.state,
        clientChallenge: body.codeChallenge,
        reauthUserId: userId,
      });
      return { authorizationUrl: url.href };
    },
  );

  app.get(
    '/v1/auth/oidc/:provider/callback',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary:
          "The identity provider's redirect: redirects (302) to the client's redirect_uri with a one-time `code` and its `state`, or with `error`, `error_description` and `state` (RFC 6749 §4.1.2.1); problem+json only when the sign-in is unknown (state missing, forged, expired or used)",
        security: [],
        params: ProviderParams,
        querystring: CallbackQuery,
        response: { 302: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const provider = providerOr404(request.params.provider);
      const target = await answerCallback(
        app,
        request,
        {
          config: provider,
          client: () => clientFor(provider),
          callbackUrl: callbackUrl(provider),
        },
        request.query,
      );
      return reply.header('cache-control', 'no-store').redirect(target.href, 302);
    },
  );

  app.post(
    '/v1/auth/oidc/exchange',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Exchange the one-time code from the sign-in redirect (with the PKCE code_verifier, and `totp` when 2FA is on) for tokens',
        security: [],
        body: ExchangeBody,
        response: { 200: Tokens, ...problemResponses },
      },
    },
    async (request) => exchangeLoginCode(app, request, request.body),
  );
}
