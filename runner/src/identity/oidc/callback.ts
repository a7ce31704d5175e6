import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { User } from '../../db/entities/identity';
import type { OidcLoginEntity } from '../../db/entities';
import { badRequest, forbidden, HttpProblem } from '../../http/problem';
import { userForIdentity } from './accounts';
import { clientErrorRedirect, clientRedirect } from './client-redirect';
import { dropLogin, issueLoginCode, takeLoginByState } from './login-store';
import type { OidcProviderConfig } from './oidc-config';
import { recordSignInEvent } from './sign-in-audit';
import { stepUpUser } from './step-up';
import { identityClaims, providerProblem } from './token-response';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export interface CallbackProvider {
  config: OidcProviderConfig;
  /** The provider's discovered configuration (a 502 problem when it cannot be reached). */
  client(): Promise<oidc.Configuration>;
  /** The runner's callback URL registered at the provider. */
  callbackUrl: string;
}

/**
 * The provider's redirect back to the runner. Returns where to send the browser: the client's
 * redirect URI with a one-time `code` and its `state`, or — once the sign-in is known — with
 * `error`, `error_description` and `state` (RFC 6749 §4.1.2.1) whatever went wrong. Only a
 * callback that names no sign-in in flight (state missing, forged, expired or replayed), or
 * whose redirect URI was taken off the allowlist since, is answered here with problem+json:
 * there is no client to tell, and an unlisted URI is never redirected to.
 */
export async function answerCallback(
  app: FastifyInstance,
  request: FastifyRequest,
  provider: CallbackProvider,
  query: CallbackQuery,
): Promise<URL> {
  const { id: providerId } = provider.config;
  // A failed step-up is recorded against the signed-in user who asked for it.
  const audit = (problem: HttpProblem, reauthUserId: string | null = null) =>
    recordSignInEvent(app, request, {
      action: 'auth.login_failed',
      userId: reauthUserId,
      details: {
        method: 'oidc',
        provider: providerId,
        purpose: reauthUserId ? 'reauth' : 'sign-in',
        reason: problem.message,
      },
    });
  if (!query.state) {
    const problem = badRequest('the sign-in state is missing', [
      { path: 'query.state', message: 'required' },
    ]);
    await audit(problem);
    throw problem;
  }
  const em = app.orm.em.fork();
  const taken = await takeLoginByState(em, app.secretBox, providerId, query.state);
  if (!taken) {
    const problem = badRequest(
      'the sign-in state is unknown, expired or already used: start the sign-in again',
    );
    await audit(problem);
    throw problem;
  }
  const { login, codeVerifier } = taken;
  const allowlist = app.runnerConfig.oidc.redirectUris;
  try {
    const userId = await authenticatedUser(app, request, em, provider, login, {
      state: query.state,
      codeVerifier,
    });
    const code = await issueLoginCode(em, login.id, userId);
    const target = clientRedirect(allowlist, login, { code });
    if (!target) throw badRequest('the sign-in redirect_uri is no longer allowed');
    return target;
  } catch (error) {
    await dropLogin(em, login.id);
    const problem =
      error instanceof HttpProblem
        ? error
        : new HttpProblem(500, 'the sign-in failed because of an error on the server');
    await audit(problem, login.reauthUserId);
    const target = clientErrorRedirect(allowlist, login, problem, query.error);
    if (!target) throw error; // the error handler answers (and logs a bug with its stack)
    if (!(error instanceof HttpProblem)) request.log.error({ err: error }, 'OIDC callback failed');
    return target;
  }
}

/** The user this callback signs in (or re-authenticates), from the provider's validated answer. */
async function authenticatedUser(
  app: FastifyInstance,
  request: FastifyRequest,
  em: EntityManager,
  provider: CallbackProvider,
  login: OidcLoginEntity,
  checks: { state: string; codeVerifier: string },
): Promise<string> {
  const client = await provider.client();
  const currentUrl = new URL(provider.callbackUrl);
  currentUrl.search = new URL(request.url, 'http://callback.invalid').search;
  const tokens = await oidc
    .authorizationCodeGrant(client, currentUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    })
    .catch((err: unknown) => {
      throw providerProblem(err);
    });
  const claims = await identityClaims(client, tokens);
  const providerId = provider.config.id;
  let userId: string;
  if (login.reauthUserId) {
    userId = await stepUpUser(em, providerId, claims, login);
    await recordSignInEvent(app, request, {
      action: 'auth.oidc_reauthenticated',
      userId,
      details: { provider: providerId },
    });
  } else {
    const linked = await userForIdentity(em, providerId, claims);
    userId = linked.userId;
    if (linked.linkedBy !== 'subject') {
      await recordSignInEvent(app, request, {
        action:
          linked.linkedBy === 'created' ? 'auth.oidc_user_created' : 'auth.oidc_identity_linked',
        userId,
        details: { provider: providerId },
      });
    }
  }
  // Disabled by a platform admin (modules/admin): told now rather than after the exchange.
  const user = await em.fork().findOneOrFail(User, { id: userId });
  if (user.disabledAt) throw forbidden('this account is disabled');
  return userId;
}
