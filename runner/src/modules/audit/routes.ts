import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../http/problem';
import { inOrg, orgOf } from '../../http/request-context';
import { CONTENT_TYPES, EXPORT_FORMATS, exportChunks } from './export-format';
import { AuditFilter, AuditInfo, auditPage, type AuditView } from './query';

const EXPORT_BATCH = 500;

/** The organization's audit trail (append-only), for owners and admins: list and export. */
export async function auditRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/audit-events',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary:
          'Audit events, newest first, filtered by actor, action (`auth.*` for a prefix), target and time (cursor = nextCursor of the previous page)',
        querystring: AuditFilter.extend({
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
      inOrg(request, async (em) => {
        const { cursor, limit, ...filter } = request.query;
        const rows = await auditPage(em, filter, {
          after: cursor,
          order: 'desc',
          limit: limit + 1,
          organizationId: orgOf(request).id, // RLS scopes it too; the raw query names it anyway
        });
        const page = rows.slice(0, limit);
        return {
          items: page,
          nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
        };
      }),
  );

  app.get(
    '/v1/audit-events/export',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary:
          'Every matching audit event, oldest first, streamed as CSV (header row, formula-safe cells), a JSON array or NDJSON',
        querystring: AuditFilter.extend({ format: z.enum(EXPORT_FORMATS).default('csv') }),
        produces: Object.values(CONTENT_TYPES),
        response: { ...problemResponses },
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '');
      reply
        .type(CONTENT_TYPES[format])
        .header(
          'content-disposition',
          `attachment; filename="audit-${orgOf(request).id}-${stamp}.${format}"`,
        )
        .header('cache-control', 'no-store');
      // A stream is sent as is (Fastify does not serialize it): the typed reply only knows the problem shapes.
      const body: unknown = Readable.from(exportChunks(format, pagesOf(request, filter)));
      return reply.send(body as never);
    },
  );
}

/** Pages of at most EXPORT_BATCH events, each read in its own short transaction. */
async function* pagesOf(request: FastifyRequest, filter: AuditFilter): AsyncGenerator<AuditView[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await inOrg(request, (em) =>
      auditPage(em, filter, {
        after,
        order: 'asc',
        limit: EXPORT_BATCH,
        organizationId: orgOf(request).id,
      }),
    );
    yield rows;
    if (rows.length < EXPORT_BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}
