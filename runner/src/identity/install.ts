import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UserTotp } from '../db/entities/two-factor';
import { badRequest, HttpProblem, TwoFactorRequired, unauthorized } from '../http/problem';
import { installIpAllowlists } from './ip-allowlist-routes';
import { createLoginThrottle, type LoginThrottle, type ThrottleOptions } from './login-throttle';
import { passwordProblem } from './password-policy';
import { checkSecondFactor } from './totp';

export interface IdentityOptions {
  throttle?: ThrottleOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    loginThrottle: LoginThrottle;
    /** Called by the login route once the password is right: throws 401 when 2FA is enabled and the code is missing or wrong. */
    requireSecondFactor(em: EntityManager, userId: string, code: string | undefined): Promise<void>;
  }
}

const LOGIN = 'POST /v1/auth/login';
const NEW_PASSWORD = new Set(['POST /v1/auth/register', 'POST /v1/auth/password/reset']);

const routeKey = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url}`;

/**
 * Identity rules around the auth routes, as hooks on the app (so the routes stay where they are):
 * the password policy for new passwords, and login failure throttling per account and per IP.
 * Call before the routes are registered.
 */
export function installIdentity(app: FastifyInstance, options: IdentityOptions = {}): void {
  app.decorate('loginThrottle', createLoginThrottle(app.orm, options.throttle));
  app.decorate('requireSecondFactor', async (em: EntityManager, userId: string, code?: string) => {
    const outcome = await checkSecondFactor(em, app.secretBox, userId, code);
    if (outcome === 'missing')
      throw unauthorized('this account uses two-factor authentication: send `totp`');
    if (outcome === 'wrong') throw unauthorized('the two-factor code is wrong or already used');
  });

  // preHandler: after validation, so the body is parsed and the email normalised.
  app.addHook('preHandler', async (request) => {
    const key = routeKey(request);
    if (NEW_PASSWORD.has(key)) {
      const body = request.body as { password: string; email?: string };
      const problem = passwordProblem(body.password, body.email);
      if (problem)
        throw badRequest('the password does not meet the policy', [
          { path: 'password', message: problem },
        ]);
    } else if (key === LOGIN) {
      const { email } = request.body as { email: string };
      const wait = await app.loginThrottle.retryAfter(email, request.ip);
      // Locked for known and unknown emails alike, so the lock reveals nothing either.
      if (wait > 0)
        throw new HttpProblem(
          429,
          `too many failed sign-in attempts; retry in ${wait} s`,
          undefined,
          { 'retry-after': String(wait) },
        );
    }
  });

  // Platform administrators must enrol 2FA before acting in any organization; the enrolment
  // routes are user-level (no organization), so they stay reachable.
  app.addHook('preHandler', async (request) => {
    if (request.org?.role !== 'admin' || request.principal?.kind !== 'user') return;
    const enabled = await app.orm.em
      .fork()
      .count(UserTotp, { userId: request.principal.userId, enabledAt: { $ne: null } });
    if (!enabled) throw new TwoFactorRequired();
  });

  installIpAllowlists(app);

  // onSend (not onResponse): the count is stored before the client sees the answer, so its
  // next attempt is judged with it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (routeKey(request) !== LOGIN || !request.body) return payload;
    const { email } = request.body as { email: string };
    const record =
      reply.statusCode === 401
        ? app.loginThrottle.recordFailure(email, request.ip)
        : reply.statusCode === 200
          ? app.loginThrottle.recordSuccess(email)
          : undefined;
    await record?.catch((err: unknown) =>
      request.log.error({ err }, 'could not record the login attempt'),
    );
    return payload;
  });
}
