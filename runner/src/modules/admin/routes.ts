import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../../db/entities/audit';
import { RefreshToken, User } from '../../db/entities/identity';
import { Organization } from '../../db/entities/tenancy';
import { UserTotp } from '../../db/entities/two-factor';
import { withSystemContext } from '../../db/org-context';
import { conflict, notFound, problemResponses } from '../../http/problem';
import { actorFields } from '../../http/request-context';
import { AuditFilter, AuditInfo, auditPage } from '../audit/query';
import { findUserByEmail } from '../auth/repository';
import { planRoutes } from './plan-routes';
import { forgetAccountStatus } from './platform-admins';

const Page = z.strictObject({
  cursor: z.uuid({ message: 'must be a nextCursor value' }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const UserParams = z.object({ id: z.uuid({ message: 'must be a user id' }) });

const AdminUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  platformAdmin: z.boolean(),
  twoFactor: z.boolean(),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * Platform administration (docs/decisions/0010-platform-admin.md): every route is
 * `platform-admin` (the users.platform_admin flag and 2FA). It sees across organizations in
 * the system scope, so it only lists, disables and assigns plans (plan-routes.ts): it does not
 * read organizations' data.
 */
export async function adminRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const access = { access: 'platform-admin' as const };
  await fastify.register(planRoutes);

  app.get(
    '/v1/admin/organizations',
    {
      config: access,
      schema: {
        tags: ['admin'],
        summary: 'Every organization, oldest first, with its member count',
        querystring: Page,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                planId: z.string(),
                members: z.number().int(),
                createdAt: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      withSystemContext(app.orm, async (em) => {
        const { cursor, limit } = request.query;
        const rows = await em.find(Organization, cursor ? { id: { $gt: cursor } } : {}, {
          orderBy: { id: 'asc' },
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        const counts = page.length
          ? await em.execute<{ organization_id: string; n: string }[]>(
              `select organization_id, count(*) as n from memberships where organization_id in (?) group by organization_id`,
              [page.map((o) => o.id)],
            )
          : [];
        const members = new Map(counts.map((c) => [c.organization_id, Number(c.n)]));
        return {
          items: page.map((o) => ({
            id: o.id,
            name: o.name,
            planId: o.planId,
            members: members.get(o.id) ?? 0,
            createdAt: o.createdAt.toISOString(),
          })),
          nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
        };
      }),
  );

  app.get(
    '/v1/admin/users',
    {
      config: access,
      schema: {
        tags: ['admin'],
        summary: 'Every user account, oldest first (`email` finds one)',
        querystring: Page.extend({ email: z.string().max(320).optional() }),
        response: {
          200: z.object({ items: z.array(AdminUser), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const em = app.orm.em.fork();
      const { cursor, limit, email } = request.query;
      const rows = email
        ? [await findUserByEmail(em, email)].filter((u) => u !== null)
        : await em.find(User, cursor ? { id: { $gt: cursor } } : {}, {
            orderBy: { id: 'asc' },
            limit: limit + 1,
          });
      const page = rows.slice(0, limit);
      const withTotp = new Set(
        (
          await em.find(UserTotp, {
            userId: { $in: page.map((u) => u.id) },
            enabledAt: { $ne: null },
          })
        ).map((t) => t.userId),
      );
      return {
        items: page.map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          platformAdmin: u.platformAdmin,
          twoFactor: withTotp.has(u.id),
          disabledAt: u.disabledAt?.toISOString() ?? null,
          createdAt: u.createdAt.toISOString(),
        })),
        nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
      };
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/v1/admin/users/:id/${action}`,
      {
        config: access,
        schema: {
          tags: ['admin'],
          summary:
            action === 'disable'
              ? 'Disable an account: sign-in refused, every session revoked, its access tokens refused by every API process from the next request'
              : 'Enable a disabled account again (the user signs in anew)',
          params: UserParams,
          response: { 200: AdminUser.pick({ id: true, disabledAt: true }), ...problemResponses },
        },
      },
      async (request) => {
        const id = request.params.id;
        const actor = actorFields(request);
        if (action === 'disable' && id === actor.actorUserId)
          throw conflict('administrators cannot disable their own account');
        const user = await withSystemContext(app.orm, async (em) => {
          const user = await em.findOne(User, { id });
          if (!user) throw notFound('user');
          if (action === 'disable') {
            user.disabledAt ??= new Date();
            await em.nativeUpdate(
              RefreshToken,
              { userId: id, revokedAt: null },
              { revokedAt: new Date() },
            );
          } else user.disabledAt = null;
          em.create(AuditEvent, {
            organizationId: null,
            ...actor,
            action: `user.${action}d`,
            targetType: 'user',
            targetId: id,
          });
          await em.flush();
          return user;
        });
        forgetAccountStatus(app, id);
        return { id: user.id, disabledAt: user.disabledAt?.toISOString() ?? null };
      },
    );
  }

  app.get(
    '/v1/admin/audit-events',
    {
      config: access,
      schema: {
        tags: ['admin'],
        summary:
          'The platform audit trail, newest first: sign-ins and account events (no organization) and, with `organization`, one organization’s',
        querystring: AuditFilter.extend({
          organization: z.uuid().optional(),
          cursor: z.uuid({ message: 'must be a nextCursor value' }).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ items: z.array(AuditInfo), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      withSystemContext(app.orm, async (em) => {
        const { cursor, limit, organization, ...filter } = request.query;
        const rows = await auditPage(em, filter, {
          after: cursor,
          order: 'desc',
          limit: limit + 1,
          organizationId: organization ?? null,
        });
        const page = rows.slice(0, limit);
        return {
          items: page,
          nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
        };
      }),
  );
}
