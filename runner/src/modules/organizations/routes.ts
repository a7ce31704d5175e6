import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../db/entities/tenancy';
import { newId } from '../../db/ids';
import { withOrgContext, withSystemContext } from '../../db/org-context';
import { problemResponses } from '../../http/problem';
import { inOrg, type Principal } from '../../http/request-context';
import { Membership, Organization } from '../../db/entities/tenancy';
import { createOrganization, listMembers } from './repository';

const OrganizationReply = z
  .object({ id: z.string(), name: z.string() })
  .meta({ id: 'Organization' });
const Member = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  joinedAt: z.string(),
});

const userIdOf = (p: Principal | null) => (p?.kind === 'user' ? p.userId : '');

export async function organizationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/organizations',
    {
      config: { access: 'user' },
      schema: {
        tags: ['organizations'],
        summary: 'Create an organization; the caller becomes its owner',
        body: z.strictObject({ name: z.string().trim().min(1).max(200) }),
        response: { 201: OrganizationReply, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = newId();
      const org = await withOrgContext(app.orm, id, (em) =>
        createOrganization(em, id, request.body.name, userIdOf(request.principal)),
      );
      return reply.code(201).send({ id: org.id, name: org.name });
    },
  );

  app.get(
    '/v1/organizations',
    {
      config: { access: 'user' },
      schema: {
        tags: ['organizations'],
        summary: "The caller's organizations and role in each",
        response: {
          200: z.object({ items: z.array(OrganizationReply.extend({ role: z.enum(ROLES) })) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      // Memberships of one user span organizations: a read the org context cannot express.
      const items = await withSystemContext(app.orm, async (em) => {
        const memberships = await em.find(Membership, { userId: userIdOf(request.principal) });
        const orgs = await em.find(Organization, {
          id: { $in: memberships.map((m) => m.organizationId) },
        });
        const names = new Map(orgs.map((o) => [o.id, o.name]));
        return memberships.map((m) => ({
          id: m.organizationId,
          name: names.get(m.organizationId) ?? '',
          role: m.role,
        }));
      });
      return { items };
    },
  );

  app.get(
    '/v1/organizations/:orgId/users',
    {
      config: { access: 'members:read' },
      schema: {
        tags: ['organizations'],
        summary: 'Members with their roles',
        params: z.object({ orgId: z.string() }),
        response: { 200: z.object({ items: z.array(Member) }), ...problemResponses },
      },
    },
    async (request) => ({
      items: await inOrg(request, (em) => listMembers(em, request.params.orgId)),
    }),
  );
}
