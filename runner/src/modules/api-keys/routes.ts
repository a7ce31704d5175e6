import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiKeyEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { ApiKey } from '../../db/entities/tenancy';
import { newId } from '../../db/ids';
import { PERMISSIONS, ROLE_PERMISSIONS } from '../../http/permissions';
import { badRequest, forbidden, notFound, problemResponses } from '../../http/problem';
import { actorUserId, inOrg, orgOf, actorFields } from '../../http/request-context';
import { newApiKey, sha256 } from '../auth/tokens';
import { resolveRole, RoleRef } from '../roles/role-ref';
import { isUuid } from '../workflows/repository';

const ApiKeyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ApiKey' });

const CreateBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(PERMISSIONS)).min(1).optional().describe('defaults to the member role'),
  role: RoleRef.optional().describe(
    "instead of scopes: a role's permissions (built-in name or custom role id), copied now",
  ),
  expiresAt: z.iso.datetime().optional(),
});

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const infoOf = (k: ApiKeyEntity) => ({
  id: k.id,
  name: k.name,
  prefix: `mk_${k.prefix}`,
  scopes: k.scopes,
  expiresAt: iso(k.expiresAt),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
  createdAt: k.createdAt.toISOString(),
});

export async function apiKeyRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/api-keys',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key bound to the organization; the key is shown only in this reply',
        body: CreateBody,
        response: { 201: ApiKeyInfo.extend({ key: z.string() }), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (request.principal?.kind !== 'user') throw forbidden('API keys cannot create API keys');
      const org = orgOf(request);
      if (request.body.scopes && request.body.role)
        throw badRequest('send scopes or role, not both', [
          { path: 'role', message: 'not allowed together with scopes' },
        ]);
      const { role } = request.body;
      const scopes = role
        ? [...(await inOrg(request, (em) => resolveRole(em, role))).permissions]
        : (request.body.scopes ?? [...ROLE_PERMISSIONS.member]);
      const denied = scopes.filter((s) => !org.permissions.has(s));
      if (denied.length) throw forbidden(`your role cannot grant: ${denied.join(', ')}`);
      const { key, prefix } = newApiKey();
      const created = await inOrg(request, async (em) => {
        const row = em.create(ApiKey, {
          id: newId(), // known now, so the audit event below names it
          organizationId: org.id,
          name: request.body.name,
          prefix,
          hash: sha256(key),
          scopes,
          expiresAt: request.body.expiresAt ? new Date(request.body.expiresAt) : null,
          createdBy: actorUserId(request),
        });
        em.create(AuditEvent, {
          organizationId: org.id,
          ...actorFields(request),
          action: 'api_key.created',
          targetType: 'api_key',
          targetId: row.id,
          details: { scopes },
        });
        await em.flush();
        return row;
      });
      return reply.code(201).send({ ...infoOf(created), key });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: "The organization's API keys (never the keys themselves)",
        response: { 200: z.object({ items: z.array(ApiKeyInfo) }), ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({
        items: (await em.find(ApiKey, {}, { orderBy: { createdAt: 'desc' } })).map(infoOf),
      })),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { access: 'api-keys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        params: z.object({ id: z.string() }),
        response: { 200: ApiKeyInfo, ...problemResponses },
      },
    },
    async (request) => {
      const key = await inOrg(request, async (em) => {
        const key = isUuid(request.params.id)
          ? await em.findOne(ApiKey, { id: request.params.id })
          : null;
        if (!key) throw notFound('API key');
        key.revokedAt ??= new Date();
        em.create(AuditEvent, {
          organizationId: key.organizationId,
          ...actorFields(request),
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: key.id,
        });
        await em.flush();
        return key;
      });
      // After the commit, so a concurrent lookup cannot cache the key as valid again.
      app.credentialCache.apiKeys.clear(key.hash);
      return infoOf(key);
    },
  );
}
