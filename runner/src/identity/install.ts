import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HttpProblem } from '../http/problem';
import { createLoginThrottle, type LoginThrottle, type ThrottleOptions } from './login-throttle';
import { passwordProblem } from './password-policy';

export interface IdentityOptions {
  throttle?: ThrottleOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    loginThrottle: LoginThrottle;
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
  app.decorate('loginThrottle', createLoginThrottle(options.throttle));

  // preHandler: after validation, so the body is parsed and the email normalised.
  app.addHook('preHandler', async (request) => {
    const key = routeKey(request);
    if (NEW_PASSWORD.has(key)) {
      const body = request.body as { password: string; email?: string };
      const problem = passwordProblem(body.password, body.email);
      if (problem)
        throw badRequest('the password does not meet the policy', [
          { path: '/password', message: problem },
        ]);
    } else if (key === LOGIN) {
      const { email } = request.body as { email: string };
      const wait = app.loginThrottle.retryAfter(email, request.ip);
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

  app.addHook('onResponse', async (request, reply) => {
    if (routeKey(request) !== LOGIN || !request.body) return;
    const { email } = request.body as { email: string };
    if (reply.statusCode === 401) app.loginThrottle.recordFailure(email, request.ip);
    else if (reply.statusCode === 200) app.loginThrottle.recordSuccess(email);
  });
}
