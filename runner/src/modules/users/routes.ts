import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Me } from '../../../../shared/src/contracts/runner-api/auth';
import { User } from '../../db/entities/identity';
import { notFound, problemResponses } from '../../http/problem';

export async function userRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/users/me',
    {
      config: { access: 'user' },
      schema: {
        tags: ['users'],
        summary: 'The signed-in user',
        response: { 200: Me, ...problemResponses },
      },
    },
    async (request) => {
      const userId = request.principal?.kind === 'user' ? request.principal.userId : '';
      const user = await app.orm.em.fork().findOne(User, { id: userId });
      if (!user) throw notFound('user');
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        emailVerified: Boolean(user.emailVerifiedAt),
      };
    },
  );
}
