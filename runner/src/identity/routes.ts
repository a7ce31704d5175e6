import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RefreshToken } from '../db/entities/identity';
import { problemResponses } from '../http/problem';
import { sha256 } from '../modules/auth/tokens';
import { twoFactorRoutes } from './two-factor-routes';

/** Identity routes beside the platform's auth routes: logout and two-factor enrolment. */
export async function identityRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  await twoFactorRoutes(fastify);

  app.post(
    '/v1/auth/logout',
    {
      config: {
        access: 'public',
        rateLimit: { max: app.runnerConfig.authRateLimitPerMinute, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary:
          'End a session: revokes the refresh token and every token rotated from the same login (always 204)',
        security: [],
        body: z.strictObject({ refreshToken: z.string().min(1).max(200) }),
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      // Holding the refresh token is the authority; unknown tokens get the same answer.
      const em = app.orm.em.fork();
      const token = await em.findOne(RefreshToken, { hash: sha256(request.body.refreshToken) });
      if (token)
        await em.nativeUpdate(
          RefreshToken,
          { familyId: token.familyId, revokedAt: null },
          { revokedAt: new Date() },
        );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/auth/logout-all',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary:
          'End every session of the signed-in user (revokes all refresh tokens; access tokens expire within their lifetime)',
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const userId = (request.principal as { userId: string }).userId;
      await app.orm.em
        .fork()
        .nativeUpdate(RefreshToken, { userId, revokedAt: null }, { revokedAt: new Date() });
      return reply.code(204).send(null);
    },
  );
}
