import type { FastifyInstance, FastifyRequest } from 'fastify';
import { User } from '../../db/entities/identity';
import { badRequest, forbidden, HttpProblem, unauthorized } from '../../http/problem';
import { issueTokens, type TokenPair } from '../../modules/auth/repository';
import { checkSecondFactor } from '../totp';
import { findLoginByCode, verifierMatches } from './login-store';
import { recordSignInEvent } from './sign-in-audit';

type Outcome =
  | { kind: 'ok'; tokens: TokenPair; userId: string; email: string; providerId: string }
  | { kind: 'invalid' | 'verifier' | 'disabled' }
  | { kind: 'locked'; wait: number; userId: string; providerId: string }
  | { kind: 'totp-missing' | 'totp-wrong'; userId: string; email: string; providerId: string };

/**
 * The last step of an OIDC sign-in: the client trades the one-time code (with the PKCE verifier
 * it started with) for the tokens a password login gives. With 2FA enabled the same `totp`
 * (or recovery code) is required: the provider's own MFA is not visible to us, so it does not
 * replace ours. A missing code keeps the sign-in open (the client asks the person, then retries);
 * a wrong one ends it and counts toward the lockout like a wrong password.
 */
export async function exchangeLoginCode(
  app: FastifyInstance,
  request: FastifyRequest,
  body: { code: string; codeVerifier: string; totp?: string },
): Promise<TokenPair> {
  const outcome = await app.orm.em.fork().transactional(async (tx): Promise<Outcome> => {
    const login = await findLoginByCode(tx, body.code, null);
    if (!login?.userId) return { kind: 'invalid' };
    if (!verifierMatches(login.clientChallenge, body.codeVerifier)) {
      tx.remove(login);
      return { kind: 'verifier' };
    }
    const user = await tx.findOneOrFail(User, { id: login.userId });
    // Disabled by a platform admin (modules/admin): no sign-in, whichever the method.
    if (user.disabledAt) {
      tx.remove(login);
      return { kind: 'disabled' };
    }
    const who = { userId: user.id, email: user.email, providerId: login.providerId };
    const wait = await app.loginThrottle.retryAfter(user.email, request.ip);
    if (wait > 0) return { kind: 'locked', wait, ...who };
    const second = await checkSecondFactor(tx, app.secretBox, user.id, body.totp);
    if (second === 'missing') return { kind: 'totp-missing', ...who };
    tx.remove(login);
    if (second === 'wrong') return { kind: 'totp-wrong', ...who };
    return { kind: 'ok', tokens: await issueTokens(tx, app.runnerConfig, user.id), ...who };
  });

  switch (outcome.kind) {
    case 'ok':
      await app.loginThrottle.recordSuccess(outcome.email);
      await recordSignInEvent(app, request, {
        action: 'auth.login_succeeded',
        userId: outcome.userId,
        details: { method: 'oidc', provider: outcome.providerId },
      });
      return outcome.tokens;
    case 'invalid':
      throw badRequest('the sign-in code is invalid, expired or already used');
    case 'disabled':
      throw forbidden('this account is disabled');
    case 'verifier':
      throw badRequest('codeVerifier does not match the code_challenge the sign-in started with', [
        { path: 'codeVerifier', message: 'does not match code_challenge' },
      ]);
    case 'locked':
      throw new HttpProblem(
        429,
        `too many failed sign-in attempts; retry in ${outcome.wait} s`,
        undefined,
        {
          'retry-after': String(outcome.wait),
        },
      );
    case 'totp-missing':
      throw unauthorized('this account uses two-factor authentication: send `totp`');
    case 'totp-wrong':
      await app.loginThrottle.recordFailure(outcome.email, request.ip);
      await recordSignInEvent(app, request, {
        action: 'auth.login_failed',
        userId: outcome.userId,
        details: { method: 'oidc', provider: outcome.providerId, reason: 'wrong two-factor code' },
      });
      throw unauthorized('the two-factor code is wrong or already used: start the sign-in again');
    default: {
      const unreachable: never = outcome;
      throw new Error(`unexpected outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
