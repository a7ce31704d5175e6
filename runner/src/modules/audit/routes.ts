import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../../db/entities/audit';
import { problemResponses } from '../../http/problem';
import { inOrg } from '../../http/request-context';
import { isUuid } from '../workflows/repository';

const AuditInfo = z.object({
  id: z.string(),
  action: z.string(),
  actorUserId: z.string().nullable(),
  actorApiKeyId: z.string().nullable(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  at: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

/** The organization's audit trail (append-only), for owners and admins. */
export async function auditRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/audit-events',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit events, newest first (cursor = the last id of the previous page)',
        querystring: z.strictObject({
          cursor: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ items: z.array(AuditInfo), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const { cursor, limit } = request.query;
        const rows = await em.find(
          AuditEvent,
          cursor && isUuid(cursor) ? { id: { $lt: cursor } } : {},
          {
            orderBy: { id: 'desc' },
            limit: limit + 1,
          },
        );
        const page = rows.slice(0, limit);
        return {
          items: page.map((e) => ({
            id: e.id,
            action: e.action,
            actorUserId: e.actorUserId ?? null,
            actorApiKeyId: e.actorApiKeyId ?? null,
            targetType: e.targetType,
            targetId: e.targetId ?? null,
            at: e.at.toISOString(),
            details: e.details ?? null,
          })),
          nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
        };
      }),
  );
}
