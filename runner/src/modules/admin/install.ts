import type { FastifyInstance } from 'fastify';
import { unauthorized } from '../../http/problem';
import { findUserByEmail } from '../auth/repository';

/**
 * A disabled account cannot sign in with a password. Its existing access tokens are refused by
 * the auth hook (http/auth.ts) and its refresh tokens were revoked when it was disabled.
 */
export function installAccountChecks(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/v1/auth/login') return;
    const { email } = request.body as { email: string };
    const user = await findUserByEmail(app.orm.em.fork(), email);
    // The answer a wrong password gets: a disabled account is not confirmed to exist.
    if (user?.disabledAt) throw unauthorized('wrong email or password');
  });
}
