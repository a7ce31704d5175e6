import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OrganizationVariable } from '../../db/entities/variables';
import { problemResponses } from '../../http/problem';
import { actorFields, inOrg, orgOf } from '../../http/request-context';
import { deleteVariable, setVariable, variableInfo } from './repository';
import { VariableBody, VariableInfo, VariableKeyParams } from './schemas';

/** Organization variables: `env.<key>` in the organization's runs (docs/runner.md). */
export async function variableRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/variables',
    {
      config: { access: 'variables:read' },
      schema: {
        tags: ['variables'],
        summary: "The organization's variables by key (secret values are never returned)",
        response: { 200: z.object({ items: z.array(VariableInfo) }), ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({
        items: (await em.find(OrganizationVariable, {}, { orderBy: { key: 'asc' } })).map(
          variableInfo,
        ),
      })),
  );

  app.put(
    '/v1/variables/:key',
    {
      config: { access: 'variables:write' },
      schema: {
        tags: ['variables'],
        summary: 'Create (201) or replace (200) a variable',
        params: VariableKeyParams,
        body: VariableBody,
        response: { 200: VariableInfo, 201: VariableInfo, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      const { variable, created } = await inOrg(request, (em) =>
        setVariable(em, app.secretBox, {
          orgId: org.id,
          key: request.params.key,
          body: request.body,
          actor: actorFields(request),
        }),
      );
      return reply.code(created ? 201 : 200).send(variableInfo(variable));
    },
  );

  app.delete(
    '/v1/variables/:key',
    {
      config: { access: 'variables:write' },
      schema: {
        tags: ['variables'],
        summary: 'Delete a variable',
        params: VariableKeyParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      await inOrg(request, (em) =>
        deleteVariable(em, { orgId: org.id, key: request.params.key, actor: actorFields(request) }),
      );
      return reply.code(204).send(null);
    },
  );
}
