import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../db/entities/tenancy';
import { newId } from '../../db/ids';
import { withOrgContext, withSystemContext } from '../../db/org-context';
import { conflict, forbidden, notFound, problemResponses } from '../../http/problem';
import { inOrg, orgOf, type Principal, actorFields } from '../../http/request-context';
import { AuditEvent } from '../../db/entities/audit';
import { User } from '../../db/entities/identity';
import { Membership, Organization } from '../../db/entities/tenancy';
import { isUuid } from '../workflows/repository';
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

  app.post(
    '/v1/organizations/:orgId/users',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['organizations'],
        summary:
          'Add an existing user by email with a role (invitations come with the identity issue)',
        params: z.object({ orgId: z.string() }),
        body: z.strictObject({
          email: z.string().trim().toLowerCase(),
          role: z.enum(ROLES).default('member'),
        }),
        response: { 201: Member, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      if (request.body.role !== 'member' && org.role === 'member') throw forbidden();
      const user = await app.orm.em.fork().findOne(User, { email: request.body.email });
      if (!user) throw notFound('user');
      const membership = await inOrg(request, async (em) => {
        if (await em.findOne(Membership, { userId: user.id })) throw conflict('already a member');
        const m = em.create(Membership, {
          organizationId: org.id,
          userId: user.id,
          role: request.body.role,
        });
        // After the commit, so a concurrent lookup cannot cache the old answer again.
        app.credentialCache.memberships.clear(`${org.id}:${user.id}`);
        em.create(AuditEvent, {
          organizationId: org.id,
          ...actorFields(request),
          action: 'membership.created',
          targetType: 'user',
          targetId: user.id,
          details: { role: request.body.role },
        });
        await em.flush();
        return m;
      });
      return reply.code(201).send({
        id: user.id,
        email: user.email,
        name: user.name,
        role: membership.role,
        joinedAt: membership.createdAt.toISOString(),
      });
    },
  );

  app.delete(
    '/v1/organizations/:orgId/users/:userId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['organizations'],
        summary: 'Remove a member (the last owner cannot be removed)',
        params: z.object({ orgId: z.string(), userId: z.string() }),
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await inOrg(request, async (em) => {
        const m = isUuid(request.params.userId)
          ? await em.findOne(Membership, { userId: request.params.userId })
          : null;
        if (!m) throw notFound('member');
        if (m.role === 'owner' && (await em.count(Membership, { role: 'owner' })) === 1) {
          throw conflict('an organization keeps at least one owner');
        }
        em.remove(m);
        em.create(AuditEvent, {
          organizationId: m.organizationId,
          ...actorFields(request),
          action: 'membership.removed',
          targetType: 'user',
          targetId: m.userId,
        });
        app.credentialCache.memberships.clear(`${orgOf(request).id}:${request.params.userId}`);
        await em.flush();
      });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/v1/organizations/:orgId/users/:userId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['organizations'],
        summary: "Change a member's role (an organization keeps at least one owner)",
        params: z.object({ orgId: z.string(), userId: z.string() }),
        body: z.strictObject({ role: z.enum(ROLES) }),
        response: { 200: z.object({ id: z.string(), role: z.enum(ROLES) }), ...problemResponses },
      },
    },
    async (request) => {
      const role = request.body.role;
      await inOrg(request, async (em) => {
        const m = isUuid(request.params.userId)
          ? await em.findOne(Membership, { userId: request.params.userId })
          : null;
        if (!m) throw notFound('member');
        if (
          m.role === 'owner' &&
          role !== 'owner' &&
          (await em.count(Membership, { role: 'owner' })) === 1
        ) {
          throw conflict('an organization keeps at least one owner');
        }
        em.create(AuditEvent, {
          organizationId: m.organizationId,
          ...actorFields(request),
          action: 'membership.role_changed',
          targetType: 'user',
          targetId: m.userId,
          details: { from: m.role, to: role },
        });
        m.role = role;
        await em.flush();
      });
      app.credentialCache.memberships.clear(`${orgOf(request).id}:${request.params.userId}`);
      return { id: request.params.userId, role };
    },
  );
}
