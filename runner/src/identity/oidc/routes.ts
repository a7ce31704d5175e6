import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { badRequest, HttpProblem, notFound, problemResponses } from '../../http/problem';
import { Tokens } from '../../modules/auth/schemas';
import { userForIdentity } from './accounts';
import { exchangeLoginCode } from './exchange';
import { dropLogin, issueLoginCode, startLogin, takeLoginByState } from './login-store';
import type { OidcProviderConfig } from './oidc-config';
import { createOidcProviders } from './providers';
import { isAllowedRedirectUri } from './redirect-uris';
import { recordSignInEvent } from './sign-in-audit';
import { identityClaims, providerProblem } from './token-response';

const ProviderParams = z.strictObject({
  provider: z.string().max(64).describe('the provider id from GET /v1/auth/oidc/providers'),
});
const Base64Url43 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 43 base64url characters');

const StartQuery = z.strictObject({
  redirect_uri: z
    .string()
    .max(2000)
    .describe('where the one-time code is sent; must be on MAESTRO_OIDC_REDIRECT_URIS'),
  state: z
    .string()
    .regex(/^[\x21-\x7e]{1,500}$/, 'must be 1-500 printable ASCII characters')
    .optional()
    .describe('echoed back to redirect_uri: the client checks it (login CSRF)'),
  code_challenge: Base64Url43.describe(
    "BASE64URL(SHA-256(code_verifier)): the client's PKCE challenge for POST /v1/auth/oidc/exchange",
  ),
  code_challenge_method: z.literal('S256'),
});

// What providers send back varies (iss, session_state, scope...): unknown parameters are allowed.
const CallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

const ExchangeBody = z.strictObject({
  code: z.string().min(1).max(200),
  codeVerifier: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be a PKCE code verifier (43-128 characters)'),
  totp: z.string().max(20).optional(),
});

/**
 * OpenID Connect sign-in (authorization code + PKCE) with the deployment's providers:
 * start → provider → callback → client redirect with a one-time code → exchange for the same
 * tokens as a password login. docs/decisions/0012-oidc-sign-in-and-jwt-keys.md has the why.
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

  app.get(
    '/v1/auth/oidc/providers',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'The identity providers this runner offers for sign-in',
        security: [],
        response: {
          200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }),
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
      if (!isAllowedRedirectUri(config.oidc.redirectUris, query.redirect_uri)) {
        throw badRequest('redirect_uri is not allowed', [
          { path: 'query.redirect_uri', message: 'must be listed in MAESTRO_OIDC_REDIRECT_URIS' },
        ]);
      }
      const client = await clientFor(provider);
      const { state, nonce, codeChallenge } = await startLogin(app.orm.em.fork(), app.secretBox, {
        providerId: provider.id,
        redirectUri: query.redirect_uri,
        clientState: query.state,
        clientChallenge: query.code_challenge,
      });
      const url = oidc.buildAuthorizationUrl(client, {
        redirect_uri: callbackUrl(provider),
        scope: provider.scopes.join(' '),
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  app.get(
    '/v1/auth/oidc/:provider/callback',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary:
          "The identity provider's redirect: on success redirects (302) to the client's redirect_uri with a one-time `code` and its `state`",
        security: [],
        params: ProviderParams,
        querystring: CallbackQuery,
        response: { 302: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const provider = providerOr404(request.params.provider);
      const fail = async (problem: HttpProblem, userId: string | null = null) => {
        await recordSignInEvent(app, request, {
          action: 'auth.login_failed',
          userId,
          details: { method: 'oidc', provider: provider.id, reason: problem.message },
        });
        return problem;
      };
      if (!request.query.state) {
        throw await fail(
          badRequest('the sign-in state is missing', [
            { path: 'query.state', message: 'required' },
          ]),
        );
      }
      const em = app.orm.em.fork();
      const taken = await takeLoginByState(em, app.secretBox, provider.id, request.query.state);
      if (!taken) {
        throw await fail(
          badRequest(
            'the sign-in state is unknown, expired or already used: start the sign-in again',
          ),
        );
      }
      const { login, codeVerifier } = taken;
      try {
        const client = await clientFor(provider);
        const currentUrl = new URL(callbackUrl(provider));
        currentUrl.search = new URL(request.url, 'http://callback.invalid').search;
        const tokens = await oidc
          .authorizationCodeGrant(client, currentUrl, {
            pkceCodeVerifier: codeVerifier,
            expectedState: request.query.state,
            expectedNonce: login.nonce,
            idTokenExpected: true,
          })
          .catch((err: unknown) => {
            throw providerProblem(err);
          });
        const claims = await identityClaims(client, tokens);
        const { userId, linkedBy } = await userForIdentity(em, provider.id, claims);
        if (linkedBy !== 'subject') {
          await recordSignInEvent(app, request, {
            action: linkedBy === 'created' ? 'auth.oidc_user_created' : 'auth.oidc_identity_linked',
            userId,
            details: { provider: provider.id },
          });
        }
        const code = await issueLoginCode(em, login.id, userId);
        const target = new URL(login.redirectUri);
        target.searchParams.set('code', code);
        if (login.clientState) target.searchParams.set('state', login.clientState);
        return reply.header('cache-control', 'no-store').redirect(target.href, 302);
      } catch (error) {
        await dropLogin(em, login.id);
        throw error instanceof HttpProblem ? await fail(error) : error;
      }
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
