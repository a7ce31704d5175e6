import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../../db/entities/audit';
import { User } from '../../db/entities/identity';
import { Membership, Organization } from '../../db/entities/tenancy';
import { newId } from '../../db/ids';
import { withOrgContext, withSystemContext } from '../../db/org-context';
import { displayName } from '../../http/display-name';
import { conflict, notFound, problemResponses } from '../../http/problem';
import { actorFields, inOrg, orgOf, type Principal } from '../../http/request-context';
import {
  Member,
  MemberList,
  Organization as OrganizationReply,
  OrganizationList,
} from '../../../../shared/src/contracts/runner-api/organizations';
import { Email } from '../auth/schemas';
import { assertMayAssign, resolveRole, RoleRef, roleRefOf, storedRole } from '../roles/role-ref';
import {
  assertKeepsAnOwner,
  createOrganization,
  getMembership,
  listMembers,
  lockOrganization,
  memberInfo,
  removeMembership,
} from './repository';

const OrgParams = z.object({ orgId: z.string() });
const MemberParams = z.object({ orgId: z.string(), userId: z.string() });

const userIdOf = (p: Principal | null) => (p?.kind === 'user' ? p.userId : '');

export async function organizationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // After the commit, so a concurrent lookup cannot cache the old answer again.
  const forgetMembership = (orgId: string, userId: string) =>
    app.credentialCache.memberships.clear(`${orgId}:${userId}`);

  app.post(
    '/v1/organizations',
    {
      config: { access: 'user' },
      schema: {
        tags: ['organizations'],
        summary: 'Create an organization; the caller becomes its owner',
        body: z.strictObject({ name: displayName(200) }),
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
          200: OrganizationList,
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
          role: roleRefOf(m),
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
        params: OrgParams,
        response: { 200: MemberList, ...problemResponses },
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
          'Add an existing user by email with a role (to reach anyone by email, send an invitation)',
        params: OrgParams,
        body: z.strictObject({
          // The register rule: an unchecked string let a NUL byte reach PostgreSQL (500).
          email: Email,
          role: RoleRef.default('member'),
        }),
        response: { 201: Member, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      const user = await app.orm.em.fork().findOne(User, { email: request.body.email });
      if (!user) throw notFound('user');
      const reply201 = await inOrg(request, async (em) => {
        const next = await resolveRole(em, request.body.role);
        assertMayAssign(org.permissions, next);
        if (await em.findOne(Membership, { userId: user.id })) throw conflict('already a member');
        const m = em.create(Membership, {
          organizationId: org.id,
          userId: user.id,
          role: next.role,
          roleId: next.roleId,
        });
        em.create(AuditEvent, {
          organizationId: org.id,
          ...actorFields(request),
          action: 'membership.created',
          targetType: 'user',
          targetId: user.id,
          details: { role: roleRefOf(m) },
        });
        await em.flush();
        return memberInfo(user, m, next.name);
      });
      forgetMembership(org.id, user.id);
      return reply.code(201).send(reply201);
    },
  );

  app.delete(
    '/v1/organizations/:orgId/users/:userId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['organizations'],
        summary: 'Remove a member (the last owner cannot be removed)',
        params: MemberParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      await inOrg(request, async (em) => {
        await lockOrganization(em, org.id);
        const m = await getMembership(em, request.params.userId);
        assertMayAssign(org.permissions, await storedRole(em, m));
        await assertKeepsAnOwner(em, m);
        await removeMembership(em, m);
        em.create(AuditEvent, {
          organizationId: m.organizationId,
          ...actorFields(request),
          action: 'membership.removed',
          targetType: 'user',
          targetId: m.userId,
          details: { role: roleRefOf(m) },
        });
        await em.flush();
      });
      forgetMembership(org.id, request.params.userId);
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
        params: MemberParams,
        body: z.strictObject({ role: RoleRef }),
        response: { 200: Member, ...problemResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const updated = await inOrg(request, async (em) => {
        await lockOrganization(em, org.id);
        const m = await getMembership(em, request.params.userId);
        const next = await resolveRole(em, request.body.role);
        assertMayAssign(org.permissions, await storedRole(em, m), next);
        if (next.role !== 'owner') await assertKeepsAnOwner(em, m);
        const from = roleRefOf(m);
        m.role = next.role;
        m.roleId = next.roleId;
        em.create(AuditEvent, {
          organizationId: m.organizationId,
          ...actorFields(request),
          action: 'membership.role_changed',
          targetType: 'user',
          targetId: m.userId,
          details: { from, to: roleRefOf(m) },
        });
        await em.flush();
        const user = await em.findOneOrFail(User, { id: m.userId });
        return memberInfo(user, m, next.name);
      });
      forgetMembership(org.id, request.params.userId);
      return updated;
    },
  );
}
