import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../../db/entities/audit';
import { CustomRole } from '../../db/entities/custom-role';
import { ROLES } from '../../db/entities/tenancy';
import { grantedPermissions, missingPermissions, type Permission } from '../../http/permissions';
import { conflict, forbidden, problemResponses } from '../../http/problem';
import { actorFields, inOrg, orgOf } from '../../http/request-context';
import { customRoleInfo, getCustomRole, listRoles, releaseRole, roleUsage } from './repository';
import { RoleBody, RoleInfo, RoleList, RoleParams } from './schemas';

const OrgParams = z.object({ orgId: z.string() });

/** Custom roles per organization, built from the permission table (docs/decisions/0007). */
export async function roleRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  /** No escalation: a role can only carry permissions its author holds. */
  const assertHolds = (held: ReadonlySet<Permission>, wanted: Iterable<Permission>) => {
    const missing = missingPermissions(held, wanted);
    if (missing.length)
      throw forbidden(`a role cannot grant what your role lacks: ${missing.join(', ')}`);
  };
  const assertNotBuiltInName = (name: string) => {
    if ((ROLES as readonly string[]).includes(name.toLowerCase()))
      throw conflict(`"${name}" is the name of a built-in role`);
  };
  const uniqueName = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw conflict('the organization already has a role with this name');
      throw error;
    }
  };

  app.get(
    '/v1/organizations/:orgId/roles',
    {
      config: { access: 'members:read' },
      schema: {
        tags: ['roles'],
        summary: 'Built-in roles (read-only) and the organization’s custom roles',
        params: OrgParams,
        response: { 200: RoleList, ...problemResponses },
      },
    },
    async (request) => ({ items: await inOrg(request, listRoles) }),
  );

  app.post(
    '/v1/organizations/:orgId/roles',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role (only with permissions the caller holds)',
        params: OrgParams,
        body: RoleBody,
        response: { 201: RoleInfo, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      assertNotBuiltInName(request.body.name);
      assertHolds(org.permissions, request.body.permissions);
      const role = await uniqueName(() =>
        inOrg(request, async (em) => {
          const row = em.create(CustomRole, {
            organizationId: org.id,
            name: request.body.name,
            permissions: [...new Set(request.body.permissions)],
          });
          em.create(AuditEvent, {
            organizationId: org.id,
            ...actorFields(request),
            action: 'role.created',
            targetType: 'role',
            targetId: row.id,
            details: { name: row.name, permissions: row.permissions },
          });
          await em.flush();
          return row;
        }),
      );
      return reply.code(201).send(customRoleInfo(role));
    },
  );

  app.put(
    '/v1/organizations/:orgId/roles/:roleId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['roles'],
        summary: 'Rename a custom role or change its permissions (members holding it follow)',
        params: RoleParams,
        body: RoleBody,
        response: { 200: RoleInfo, ...problemResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      assertNotBuiltInName(request.body.name);
      assertHolds(org.permissions, request.body.permissions);
      const role = await uniqueName(() =>
        inOrg(request, async (em) => {
          const row = await getCustomRole(em, request.params.roleId, { lock: true });
          // Editing a stronger role than one's own would be taking powers away from above.
          assertHolds(org.permissions, grantedPermissions('member', row.permissions));
          const before = { name: row.name, permissions: row.permissions };
          row.name = request.body.name;
          row.permissions = [...new Set(request.body.permissions)];
          em.create(AuditEvent, {
            organizationId: org.id,
            ...actorFields(request),
            action: 'role.updated',
            targetType: 'role',
            targetId: row.id,
            details: { before, after: { name: row.name, permissions: row.permissions } },
          });
          await em.flush();
          return row;
        }),
      );
      // After the commit: every member of this organization may hold the role.
      app.credentialCache.memberships.clear(`${org.id}:`);
      return customRoleInfo(role);
    },
  );

  app.delete(
    '/v1/organizations/:orgId/roles/:roleId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role that no member or pending invitation uses',
        params: RoleParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      await inOrg(request, async (em) => {
        const row = await getCustomRole(em, request.params.roleId, { lock: true });
        const { members, invitations } = await roleUsage(em, row.id);
        if (members || invitations)
          throw conflict(
            `the role is in use by ${members} member(s) and ${invitations} pending invitation(s); give them another role first`,
          );
        await releaseRole(em, row.id);
        em.remove(row);
        em.create(AuditEvent, {
          organizationId: org.id,
          ...actorFields(request),
          action: 'role.deleted',
          targetType: 'role',
          targetId: row.id,
          details: { name: row.name },
        });
        await em.flush();
      }).catch((error: unknown) => {
        // Assigned by a concurrent request after the count: the foreign key refuses the delete.
        if ((error as { code?: string }).code === '23503')
          throw conflict('the role was assigned meanwhile; give its holders another role first');
        throw error;
      });
      return reply.code(204).send(null);
    },
  );
}
